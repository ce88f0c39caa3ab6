// Every MATH answer key, rewritten in ways that keep its meaning, must still be
// accepted; keys of different problems must be told apart.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <regex>

#include "latex_expr.h"
#include "test_util.h"
#include "zaya/problems/answer_checker.h"

namespace zp = zaya::problems;

namespace {

#ifndef ZAYA_REWRITE_SAMPLE_DEFAULT
#define ZAYA_REWRITE_SAMPLE_DEFAULT 1
#endif

// Every n-th key (sanitizer builds default to 5; env ZAYA_REWRITE_SAMPLE overrides).
int sample_step() {
  const char* env = std::getenv("ZAYA_REWRITE_SAMPLE");
  int n = env ? std::atoi(env) : ZAYA_REWRITE_SAMPLE_DEFAULT;
  return n > 0 ? n : 1;
}

std::vector<std::string> math_keys() {
  std::vector<std::string> keys;
  for (const auto& j : zp::testing::read_jsonl(zp::testing::problems_dir() / "data" / "math.normalized.jsonl"))
    keys.push_back(j["answer"].get<std::string>());
  return keys;
}

// Top-level comma split (outside any brackets); empty when the key is not a bare list.
std::vector<std::string> bare_list(const std::string& s) {
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '{' || s[i + 1] == '}')) {
      depth += s[i + 1] == '{' ? 1 : -1;
      cur += c;
      cur += s[++i];
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    // Thousands separators are not list commas: 14,\!400 and 14{,}400.
    bool thousands = c == ',' && (s.compare(i + 1, 2, "\\!") == 0 || (i > 0 && (s[i - 1] == '{' || s[i - 1] == '\\')));
    if (c == ',' && depth == 0 && !thousands) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  if (parts.size() < 2) return {};
  return parts;
}

bool is_simple_number(const std::string& s) {
  static const std::regex num(R"(^-?(\d+|\d*\.\d+|\\[dt]?frac\{\d+\}\{\d+\}|\d+/\d+)$)");
  return std::regex_match(s, num);
}

double simple_value(const std::string& s) {
  static const std::regex frac(R"(^(-?)\\[dt]?frac\{(\d+)\}\{(\d+)\}$)");
  static const std::regex slash(R"(^(-?)(\d+)/(\d+)$)");
  std::smatch m;
  if (std::regex_match(s, m, frac) || std::regex_match(s, m, slash))
    return (m[1].str() == "-" ? -1 : 1) * std::stod(m[2].str()) / std::stod(m[3].str());
  return std::stod(s);
}

bool has_relation(const std::string& s) {
  return s.find('=') != std::string::npos || s.find('<') != std::string::npos || s.find('>') != std::string::npos ||
         s.find("\\le") != std::string::npos || s.find("\\ge") != std::string::npos;
}

using Rewrite = std::function<std::optional<std::string>(const std::string&)>;

}  // namespace

TEST(AnswerRewrites, MathKeysSurviveMeaningPreservingRewrites) {
  auto started = std::chrono::steady_clock::now();
  const auto keys = math_keys();
  ASSERT_EQ(keys.size(), 5000u);
  const int step = sample_step();

  std::vector<std::pair<std::string, Rewrite>> rewrites = {
      {"decimal form", [](const std::string& k) -> std::optional<std::string> {
         if (!is_simple_number(k) || k.find('.') != std::string::npos) return std::nullopt;
         char buf[64];
         std::snprintf(buf, sizeof buf, "%.10g", simple_value(k));
         return std::string(buf);
       }},
      {"\\frac <-> \\dfrac", [](const std::string& k) -> std::optional<std::string> {
         if (k.find("frac") == std::string::npos) return std::nullopt;
         std::string r = std::regex_replace(k, std::regex(R"(\\dfrac)"), "\\FRAC");
         r = std::regex_replace(r, std::regex(R"(\\frac)"), "\\dfrac");
         return std::regex_replace(r, std::regex(R"(\\FRAC)"), "\\frac");
       }},
      {"\\frac{a}{b} -> a/b", [](const std::string& k) -> std::optional<std::string> {
         static const std::regex f(R"(^(-?)\\[dt]?frac\{([^{}]+)\}\{([^{}]+)\}$)");
         std::smatch m;
         if (!std::regex_match(k, m, f)) return std::nullopt;
         return m[1].str() + "(" + m[2].str() + ")/(" + m[3].str() + ")";
       }},
      {"$...$ wrapper", [](const std::string& k) -> std::optional<std::string> { return "$" + k + "$"; }},
      {"\\boxed{} wrapper", [](const std::string& k) -> std::optional<std::string> { return "\\boxed{" + k + "}"; }},
      {"unit appended", [](const std::string& k) -> std::optional<std::string> {
         if (!is_simple_number(k)) return std::nullopt;
         return k + "\\text{ cm}";
       }},
      {"^\\circ appended", [](const std::string& k) -> std::optional<std::string> {
         if (!is_simple_number(k)) return std::nullopt;
         return k + "^\\circ";
       }},
      {"list reordered", [](const std::string& k) -> std::optional<std::string> {
         auto parts = bare_list(k);
         if (parts.empty() || has_relation(k)) return std::nullopt;
         std::string r;
         for (auto it = parts.rbegin(); it != parts.rend(); ++it) r += (r.empty() ? "" : ",") + *it;
         return r;
       }},
      {"equation times -1", [](const std::string& k) -> std::optional<std::string> {
         if (std::count(k.begin(), k.end(), '=') != 1 || !bare_list(k).empty() || k.find('<') != std::string::npos ||
             k.find('>') != std::string::npos || k.find("\\le") != std::string::npos || k.find("\\ge") != std::string::npos)
           return std::nullopt;
         auto eq = k.find('=');
         return "-(" + k.substr(0, eq) + ") = -(" + k.substr(eq + 1) + ")";
       }},
      {"x = label", [](const std::string& k) -> std::optional<std::string> {
         if (has_relation(k) || !bare_list(k).empty() || k.find("\\text") != std::string::npos) return std::nullopt;
         return "x = " + k;
       }},
  };

  bool all_ok = true;
  for (const auto& [name, rewrite] : rewrites) {
    int applied = 0, accepted = 0;
    std::vector<std::string> failures;
    for (std::size_t i = 0; i < keys.size(); i += static_cast<std::size_t>(step)) {
      auto r = rewrite(keys[i]);
      if (!r) continue;
      ++applied;
      auto v = zp::check_answer(keys[i], *r);
      if (v.equivalent) ++accepted;
      else if (failures.size() < 5) failures.push_back(keys[i] + "  vs  " + *r + "  (" + v.reason + ")");
    }
    double rate = applied ? 100.0 * accepted / applied : 100.0;
    std::printf("rewrite %-22s %5d keys, accepted %5d (%.1f%%)\n", name.c_str(), applied, accepted, rate);
    for (const auto& f : failures) std::printf("    e.g. %s\n", f.c_str());
    EXPECT_GT(applied, 0) << name;
    if (rate < 95.0) all_ok = false;
    EXPECT_GE(rate, 95.0) << name;
  }
  EXPECT_TRUE(all_ok);
  std::printf("rewrite sweep took %.1f s (sample step %d)\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), step);
}

TEST(AnswerRewrites, KeysOfDifferentProblemsAreRejected) {
  const auto keys = math_keys();
  const int step = sample_step();
  const int pairs_wanted = step > 1 ? 500 : 2000;
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<std::size_t> pick(0, keys.size() - 1);
  int compared = 0, rejected = 0, skipped_equal = 0;
  std::vector<std::string> accepted_examples;
  while (compared < pairs_wanted) {
    std::size_t a = pick(rng), b = pick(rng);
    if (a == b) continue;
    // Exclude pairs that are the same value: equal text, or both read as numbers that agree.
    std::string ka = keys[a], kb = keys[b];
    auto squeeze = [](std::string s) {
      s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
      return std::regex_replace(s, std::regex(R"(\\[dt]frac)"), "\\frac");
    };
    bool same = squeeze(ka) == squeeze(kb);
    if (!same) {
      try {
        zaya::problems::detail::SymbolTable syms;
        auto ea = zaya::problems::detail::parse_latex_expr(ka, syms);
        auto eb = zaya::problems::detail::parse_latex_expr(kb, syms);
        auto d = GiNaC::evalf(ea.value - eb.value);
        if (GiNaC::is_a<GiNaC::numeric>(d) && GiNaC::abs(GiNaC::ex_to<GiNaC::numeric>(d)) < 1e-9) same = true;
      } catch (const std::exception&) {
      }
    }
    if (same) {
      ++skipped_equal;
      continue;
    }
    ++compared;
    auto v = zp::check_answer(ka, kb);
    if (!v.equivalent) ++rejected;
    else if (accepted_examples.size() < 10) accepted_examples.push_back(ka + "  vs  " + kb + "  (" + v.reason + ")");
  }
  double rate = 100.0 * rejected / compared;
  std::printf("random key pairs: %d compared, %d rejected (%.2f%%), %d numerically equal pairs skipped\n", compared,
              rejected, rate, skipped_equal);
  for (const auto& e : accepted_examples) std::printf("    accepted: %s\n", e.c_str());
  EXPECT_GE(rate, 99.0);
}
