#include "zaya/problems/contest.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace zaya::problems {
namespace {

// "AIME I" -> "I", "AIME" -> "" (one paper a year before 2000).
std::string paper_suffix(const std::string& contest) {
  if (contest.rfind("AIME", 0) != 0) return {};
  std::string rest = contest.substr(4);
  rest.erase(0, rest.find_first_not_of(' '));
  return rest;
}

// SplitMix64: a tiny generator whose output is fixed by its definition, so a
// seed gives the same module everywhere (std::shuffle and the standard
// distributions may differ between standard libraries).
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) by rejection (no modulo bias).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x;
    do x = next(); while (x >= limit);
    return x % n;
  }
};

template <class T>
void shuffle(std::vector<T>& v, SplitMix64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

int ContestPaper::time_limit_seconds() const {
  const int present = static_cast<int>(problem_ids.size());
  const double minutes = std::round(kAimeSeconds / 60.0 * present / kAimeProblemCount);
  return static_cast<int>(minutes) * 60;
}

std::vector<ContestPaper> aime_papers(const ProblemBank& bank) {
  // (year, paper) -> number -> id
  std::map<std::pair<int, std::string>, std::map<int, std::string>> papers;
  for (const Problem& p : bank.problems()) {
    if (p.source_key != "aime" || !p.year || !p.number) continue;
    if (*p.number < 1 || *p.number > kAimeProblemCount) continue;
    papers[{*p.year, paper_suffix(p.contest)}].emplace(*p.number, p.id);
  }
  std::vector<ContestPaper> out;
  for (const auto& [which, numbers] : papers) {
    ContestPaper paper;
    paper.year = which.first;
    paper.key = "aime-" + std::to_string(which.first) + (which.second.empty() ? "" : "-" + which.second);
    paper.title = std::to_string(which.first) + " AIME" + (which.second.empty() ? "" : " " + which.second);
    for (int n = 1; n <= kAimeProblemCount; ++n) {
      auto it = numbers.find(n);
      if (it == numbers.end())
        paper.missing_numbers.push_back(n);
      else
        paper.problem_ids.push_back(it->second);
    }
    out.push_back(std::move(paper));
  }
  std::stable_sort(out.begin(), out.end(), [](const ContestPaper& a, const ContestPaper& b) {
    // Complete first; newest first; "I" before "II" (the key sorts them).
    return std::make_tuple(!a.complete(), -a.year, a.key) < std::make_tuple(!b.complete(), -b.year, b.key);
  });
  return out;
}

std::optional<ContestPaper> aime_paper(const ProblemBank& bank, std::string_view key) {
  for (auto& paper : aime_papers(bank))
    if (paper.key == key) return paper;
  return std::nullopt;
}

AimeAnswer read_aime_answer(std::string_view typed) {
  AimeAnswer out;
  const std::string_view s = trim(typed);
  if (s.empty()) return out;
  const bool digits = std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    out.error = "AIME answers are whole numbers from 000 to 999: type digits only";
    if (s.find_first_of(".,/") != std::string_view::npos) out.error += " (no decimals or fractions)";
    out.error += ".";
    return out;
  }
  if (s.size() > 3) {
    out.error = "AIME answers are whole numbers from 000 to 999: at most three digits.";
    return out;
  }
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  out.value = v;
  return out;
}

bool is_aime_answer_prefix(std::string_view typed) {
  const std::string_view s = trim(typed);
  return s.size() <= 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string> sat_module(const ProblemBank& bank, std::uint64_t seed, int count) {
  // The pool by topic, each in bank order before it is shuffled.
  std::vector<std::vector<std::string>> by_topic(kTopicCount);
  for (const Problem& p : bank.problems())
    if (p.source_key == "sat") by_topic[static_cast<int>(p.topic)].push_back(p.id);
  SplitMix64 rng{seed};
  std::vector<int> topics;
  for (int t = 0; t < kTopicCount; ++t) {
    shuffle(by_topic[t], rng);
    if (!by_topic[t].empty()) topics.push_back(t);
  }
  shuffle(topics, rng);
  std::vector<std::string> out;
  for (std::size_t round = 0; static_cast<int>(out.size()) < count; ++round) {
    bool any = false;
    for (int t : topics) {
      if (round >= by_topic[t].size() || static_cast<int>(out.size()) >= count) continue;
      out.push_back(by_topic[t][round]);
      any = true;
    }
    if (!any) break;  // the pool is smaller than `count`
  }
  return out;
}

}  // namespace zaya::problems
