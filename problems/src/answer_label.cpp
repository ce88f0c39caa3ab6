#include "answer_label.h"

#include <regex>

#include "answer_text.h"

namespace zaya::problems::detail {

namespace {

// One name: "x", "x'", "x_1", "a_{n}", "S_{\triangle ABC}", "\alpha", "f(x)", "|AB|",
// "[ABC]" (an area), "\angle ABC", "\overline{AB}".
bool is_name(const std::string& t) {
  static const std::regex name(
      R"(^(\\?[A-Za-z]+('|_\{?[A-Za-z0-9]+\}?|_\{\\?[A-Za-z]+\s*[A-Za-z0-9]*\})*(\([A-Za-z0-9, ]*\))?)$)");
  static const std::regex geometric(
      R"(^\|[A-Za-z]+\|$|^\[[A-Za-z]+\]$|^\\?(overline|angle|triangle|measuredangle)\s*\{?[A-Za-z]+\}?$)");
  return std::regex_match(t, name) || std::regex_match(t, geometric);
}

}  // namespace

bool is_label(std::string_view lhs) {
  std::string t = trim(lhs);
  if (t.empty() || t.size() > 200) return false;
  static const std::regex tuple_label(
      R"(^\(\s*[A-Za-z](_\{?[A-Za-z0-9]+\}?)?(\s*,\s*[A-Za-z](_\{?[A-Za-z0-9]+\}?)?)+\s*\)$)");
  if (std::regex_match(t, tuple_label)) return true;
  // A quotient of names: "\frac{AE}{EC}".
  static const std::regex fraction(R"(^\\frac\s*\{([^{}]+)\}\s*\{([^{}]+)\}$)");
  std::smatch m;
  if (std::regex_match(t, m, fraction)) return is_name(trim(m[1].str())) && is_name(trim(m[2].str()));
  // A ratio or quotient of names: "AB:BC", "a:b:c", "AB/BC".
  std::size_t start = 0;
  for (;;) {
    std::size_t p = t.find_first_of(":/", start);
    if (!is_name(trim(t.substr(start, p == std::string::npos ? std::string::npos : p - start)))) return false;
    if (p == std::string::npos) return true;
    start = p + 1;
  }
}

std::string label_key(std::string_view label) {
  std::string s(label);
  replace_all(s, "\\left", "");
  replace_all(s, "\\right", "");
  std::string key;
  for (char c : s)
    if (c != ' ' && c != '{' && c != '}') key += c;
  return key;
}

bool same_unknown(std::string_view a, std::string_view b) {
  if (a == b) return true;
  static const std::regex function_of_one(R"(^[A-Za-z]\([A-Za-z]\)$)");
  auto graph = [](std::string_view x, std::string_view y) {
    return x == "y" && std::regex_match(std::string(y), function_of_one);
  };
  return graph(a, b) || graph(b, a);
}

}  // namespace zaya::problems::detail
