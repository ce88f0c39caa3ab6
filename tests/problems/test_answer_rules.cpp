// The checker's rules for each kind of answer (problems/FORMAT.md, section 3),
// held to labelled pairs written for those rules: labels, tuples against sets,
// lists of tuples, labelled ratios, attached units, times of day, inequality
// chains against intervals, choice letters with their option's text and
// decimal commas. Each pair carries the reason for its label.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "test_util.h"
#include "zaya/problems/answer_checker.h"

namespace zp = zaya::problems;

namespace {

std::filesystem::path rule_pairs_path() {
  return std::filesystem::path(ZAYA_SOURCE_DIR) / "tests" / "problems" / "data" / "answer_pairs_rules.jsonl";
}

}  // namespace

TEST(AnswerRules, PairsAreWellFormed) {
  auto rows = zp::testing::read_jsonl(rule_pairs_path());
  ASSERT_GE(rows.size(), 100u) << rule_pairs_path();
  int near_misses = 0;
  for (const auto& r : rows) {
    ASSERT_TRUE(r["gold"].is_string() && r["candidate"].is_string() && r["equivalent"].is_boolean()) << r.dump();
    ASSERT_TRUE(r["reason"].is_string() && !r["reason"].get<std::string>().empty()) << r.dump();
    ASSERT_TRUE(r["kind"].is_string()) << r.dump();
    if (!r["equivalent"].get<bool>()) ++near_misses;
  }
  EXPECT_GE(near_misses, 40);
}

// Every pair must be judged as labelled; false accepts are counted apart
// because a wrong answer called right teaches the wrong thing.
TEST(AnswerRules, EveryRulePairIsJudgedAsLabelled) {
  auto rows = zp::testing::read_jsonl(rule_pairs_path());
  ASSERT_GE(rows.size(), 100u) << rule_pairs_path();
  int wrong = 0, false_accepts = 0;
  std::map<std::string, int> wrong_by_kind;
  for (const auto& r : rows) {
    auto v = zp::check_answer(r["gold"].get<std::string>(), r["candidate"].get<std::string>());
    EXPECT_FALSE(v.reason.empty()) << r.dump();
    if (v.equivalent == r["equivalent"].get<bool>()) continue;
    ++wrong;
    if (v.equivalent) ++false_accepts;
    ++wrong_by_kind[r["kind"].get<std::string>()];
    ADD_FAILURE() << "gold=" << r["gold"].dump() << " candidate=" << r["candidate"].dump() << " -> "
                  << (v.equivalent ? "accepted" : "rejected") << " (" << v.reason << "); expected because "
                  << r["reason"].get<std::string>();
  }
  std::printf("answer rule pairs: %zu, %d judged wrong (%d false accepts)\n", rows.size(), wrong, false_accepts);
  for (const auto& [kind, n] : wrong_by_kind) std::printf("  %s: %d wrong\n", kind.c_str(), n);
}

// The reason is for the student: it names the kinds of answer, not the checker's internals.
TEST(AnswerRules, ReasonsSpeakToTheStudent) {
  EXPECT_EQ(zp::check_answer("5", "[1, 2]").reason, "Your answer is an interval; the answer is a single number.");
  EXPECT_EQ(zp::check_answer("(1, 2)", "x + 1").reason, "Your answer is an expression; the answer is an ordered pair.");
  EXPECT_EQ(zp::check_answer("x = 3", "y = 3").reason, "Your answer gives y; the question asks for x.");
  EXPECT_EQ(zp::check_answer("C", "B").reason, "You chose B; the answer is C.");
  EXPECT_EQ(zp::check_answer("(1, 2)", "(2, 1)").reason,
            "Entry 1 of your answer is not the answer's (the order matters).");
  EXPECT_EQ(zp::check_answer("1, 2, 3", "1, 2").reason, "Your answer is missing a value of the answer.");
  EXPECT_EQ(zp::check_answer("x < 2", "x \\le 2").reason,
            "Your inequality includes the boundary; the answer's does not.");
  EXPECT_EQ(zp::check_answer("3", "").reason, "Your answer is empty.");
  EXPECT_TRUE(zp::check_answer("\\frac12", "0.5").equivalent);
}
