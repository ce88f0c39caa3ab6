// The contests the bank can be sat as: past AIME papers, and timed SAT-style
// modules drawn from the SAT pool. Which problems, in what order, and how long;
// the rules of a sitting (no help, the clock, scoring) are the app's
// (app/src/contest_service.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zaya/problems/bank.h"

namespace zaya::problems {

inline constexpr int kAimeProblemCount = 15;
inline constexpr int kAimeSeconds = 3 * 60 * 60;  // 3 hours for 15 problems
inline constexpr int kSatModuleProblemCount = 22;
inline constexpr int kSatModuleSeconds = 35 * 60;  // a digital SAT math module

// One past AIME paper as the bank holds it.
struct ContestPaper {
  std::string key;    // "aime-2024-II", "aime-1989" (before 2000 there was one paper a year)
  std::string title;  // "2024 AIME II", "1989 AIME"
  int year = 0;
  std::vector<std::string> problem_ids;  // bank ids in problem-number order
  std::vector<int> missing_numbers;      // problem numbers 1..15 the bank does not hold
  bool complete() const { return missing_numbers.empty(); }
  // Three hours for a whole paper; a paper with problems missing gets the same
  // time per problem (12 minutes), rounded to the minute.
  int time_limit_seconds() const;
};

// Every AIME paper in the bank: complete papers first, then the incomplete
// ones, each group newest first (within a year, I before II).
std::vector<ContestPaper> aime_papers(const ProblemBank& bank);
std::optional<ContestPaper> aime_paper(const ProblemBank& bank, std::string_view key);

// An answer typed in an AIME answer box. AIME answers are whole numbers from
// 000 to 999, written with or without leading zeros: "7", "07" and "007" are
// all 7. Blank is no answer (no value, no error); anything else is refused
// with a reason for the student ("7.5" is not a whole number).
struct AimeAnswer {
  std::optional<int> value;
  std::string error;  // empty when the text is a valid answer or blank
};
AimeAnswer read_aime_answer(std::string_view typed);
// Whether a partly typed text can still become an AIME answer (the box lets
// the student type only such text): up to three digits, spaces around them.
bool is_aime_answer_prefix(std::string_view typed);

// A SAT-style module: `count` problems drawn from the SAT pool with `seed`,
// spread over the topics the tagger gives them (the pool has no difficulty
// labels): the topics take turns, each in an order the seed shuffles, so no
// topic gives two problems more than any other while it still has problems.
// The same seed always gives the same problems in the same order, on every
// machine (the generator and the shuffle are this file's own).
std::vector<std::string> sat_module(const ProblemBank& bank, std::uint64_t seed,
                                    int count = kSatModuleProblemCount);

}  // namespace zaya::problems
