// Splitting an answer's text where its structure is written: relation
// operators and the two signs of \pm / \mp.
#include "answer_split.h"

#include <algorithm>
#include <cctype>

#include "answer_text.h"

namespace zaya::problems::detail {

namespace {

// Answers with more signs than this are not expanded (each doubles the readings).
constexpr int kMaxPlusMinus = 4;

}  // namespace

// Where the command `name` ("\pm") next occurs at or after `from`, as a
// whole command: "\pmod" or "\mpg" is not "\pm" or "\mp".
std::size_t find_command(const std::string& s, std::string_view name, std::size_t from) {
  for (std::size_t p = s.find(name, from); p != std::string::npos; p = s.find(name, p + 1)) {
    const std::size_t end = p + name.size();
    if (end >= s.size() || !std::isalpha(static_cast<unsigned char>(s[end]))) return p;
  }
  return std::string::npos;
}

// Expands each \pm / \mp into both signs: "1 \pm \sqrt 2" reads as
// "1+\sqrt 2" and "1-\sqrt 2".
std::vector<std::string> expand_pm(const std::string& s) {
  int signs = 0;
  for (std::string_view pm : {"\\pm", "\\mp"})
    for (std::size_t p = find_command(s, pm); p != std::string::npos; p = find_command(s, pm, p + 1)) ++signs;
  if (signs == 0 || signs > kMaxPlusMinus) return {s};
  for (std::string_view pm : {"\\pm", "\\mp"}) {
    const std::size_t p = find_command(s, pm);
    if (p == std::string::npos) continue;
    std::string plus = s.substr(0, p) + "+" + s.substr(p + 3);
    std::string minus = s.substr(0, p) + "-" + s.substr(p + 3);
    if (trim(s.substr(0, p)).empty()) plus = s.substr(p + 3);
    std::vector<std::string> out = expand_pm(plus);
    for (auto& x : expand_pm(minus)) out.push_back(std::move(x));
    return out;
  }
  return {s};
}

// Splits at top-level relation operators; false when there is none or a side is empty.
bool split_relation(const std::string& s, std::vector<std::string>& sides, std::vector<std::string>& ops) {
  static const std::pair<const char*, const char*> rel_ops[] = {
      {"\\leq", "<="}, {"\\geq", ">="}, {"\\neq", "!="}, {"<", "<"}, {">", ">"}, {"=", "="}};
  int depth = 0;
  std::string cur;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    bool matched = false;
    if (depth == 0) {
      for (const auto& [tok, op] : rel_ops) {
        std::string_view t(tok);
        if (!std::string_view(s).substr(i).starts_with(t)) continue;
        if (t.front() == '\\' && i + t.size() < s.size() && std::isalpha(static_cast<unsigned char>(s[i + t.size()])))
          continue;
        sides.push_back(trim(cur));
        ops.push_back(op);
        cur.clear();
        i += t.size() - 1;
        matched = true;
        break;
      }
    }
    if (!matched) cur += c;
  }
  sides.push_back(trim(cur));
  if (ops.empty()) return false;
  return std::none_of(sides.begin(), sides.end(), [](const std::string& side) { return side.empty(); });
}

}  // namespace zaya::problems::detail
