#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "test_util.h"
#include "zaya/problems/contest.h"

namespace zp = zaya::problems;

namespace {

const zp::ProblemBank& bank() { return zp::testing::shipped_bank(); }

}  // namespace

TEST(AimePapers, EveryPaperOfTheBankCompleteOnesFirst) {
  const auto papers = zp::aime_papers(bank());
  // The bank's AIME problems, grouped by hand from the problems themselves.
  std::map<std::pair<int, std::string>, std::set<int>> expected;
  std::size_t aime = 0;
  for (const auto& p : bank().problems()) {
    if (p.source_key != "aime") continue;
    ++aime;
    expected[{*p.year, p.contest}].insert(*p.number);
  }
  ASSERT_EQ(papers.size(), expected.size());
  std::size_t ids = 0, complete = 0;
  bool seenIncomplete = false;
  for (const auto& paper : papers) {
    ids += paper.problem_ids.size();
    EXPECT_EQ(paper.problem_ids.size() + paper.missing_numbers.size(), 15u) << paper.key;
    if (paper.complete()) {
      ++complete;
      EXPECT_FALSE(seenIncomplete) << paper.key << " is complete but listed after an incomplete paper";
      EXPECT_EQ(paper.time_limit_seconds(), 3 * 3600) << paper.key;
    } else {
      seenIncomplete = true;
      // The same 12 minutes a problem.
      EXPECT_EQ(paper.time_limit_seconds(), static_cast<int>(paper.problem_ids.size()) * 12 * 60) << paper.key;
    }
    // In problem-number order.
    int last = 0;
    for (const auto& id : paper.problem_ids) {
      const auto* p = bank().find(id);
      ASSERT_NE(p, nullptr);
      EXPECT_GT(*p->number, last) << id;
      last = *p->number;
      EXPECT_EQ(paper.year, *p->year);
    }
  }
  EXPECT_EQ(ids, aime);
  EXPECT_EQ(complete, 39u);
  EXPECT_EQ(papers.size() - complete, 30u);

  const auto p1989 = zp::aime_paper(bank(), "aime-1989");
  ASSERT_TRUE(p1989);
  EXPECT_EQ(p1989->title, "1989 AIME");
  EXPECT_EQ(p1989->problem_ids.size(), 9u);
  EXPECT_EQ(p1989->time_limit_seconds(), 108 * 60);
  const auto p2024 = zp::aime_paper(bank(), "aime-2024-II");
  ASSERT_TRUE(p2024);
  EXPECT_TRUE(p2024->complete());
  EXPECT_EQ(p2024->title, "2024 AIME II");
  EXPECT_FALSE(zp::aime_paper(bank(), "aime-1700"));
}

TEST(AimeAnswer, WholeNumbersFrom000To999) {
  EXPECT_EQ(zp::read_aime_answer("7").value, 7);
  EXPECT_EQ(zp::read_aime_answer("007").value, 7);
  EXPECT_EQ(zp::read_aime_answer(" 07 ").value, 7);
  EXPECT_EQ(zp::read_aime_answer("000").value, 0);
  EXPECT_EQ(zp::read_aime_answer("999").value, 999);
  const auto blank = zp::read_aime_answer("  ");
  EXPECT_FALSE(blank.value);
  EXPECT_TRUE(blank.error.empty());
  for (const char* bad : {"7.5", "-3", "1000", "0007", "1/2", "x", "7 5", "\xd9\xa7"}) {
    const auto a = zp::read_aime_answer(bad);
    EXPECT_FALSE(a.value) << bad;
    EXPECT_NE(a.error.find("000 to 999"), std::string::npos) << bad << ": " << a.error;
  }
  EXPECT_NE(zp::read_aime_answer("7.5").error.find("no decimals"), std::string::npos);
  EXPECT_TRUE(zp::is_aime_answer_prefix(""));
  EXPECT_TRUE(zp::is_aime_answer_prefix("00"));
  EXPECT_FALSE(zp::is_aime_answer_prefix("7."));
  EXPECT_FALSE(zp::is_aime_answer_prefix("1234"));
}

TEST(SatModule, TwentyTwoFromThePoolSpreadOverTopicsAndFixedBySeed) {
  const auto a = zp::sat_module(bank(), 20261203);
  ASSERT_EQ(a.size(), 22u);
  EXPECT_EQ(zp::sat_module(bank(), 20261203), a);  // deterministic
  EXPECT_NE(zp::sat_module(bank(), 20261204), a);
  // The draw is pinned by the module's own generator: the same on every machine.
  // (It changes when the draw rule, the SAT pool or the topic tagger changes:
  // a seed a teacher shared then names another module.)
  const auto pinned = zp::sat_module(bank(), 1);
  ASSERT_EQ(pinned.size(), 22u);
  EXPECT_EQ(std::vector<std::string>(pinned.begin(), pinned.begin() + 4),
            (std::vector<std::string>{"sat-meh-24", "sat-agieval-125", "sat-agieval-007", "sat-agieval-146"}));
  std::set<std::string> unique(a.begin(), a.end());
  EXPECT_EQ(unique.size(), a.size());
  std::map<zp::Topic, int> pool, drawn;
  for (const auto& p : bank().problems())
    if (p.source_key == "sat") ++pool[p.topic];
  for (const auto& id : a) {
    const auto* p = bank().find(id);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->source_key, "sat");
    ++drawn[p->topic];
  }
  // Spread: a topic with problems left never gives two more than another topic.
  int lo = 1 << 30, hi = 0;
  for (const auto& [topic, n] : pool) {
    const int d = drawn[topic];
    hi = std::max(hi, d);
    if (n > d) lo = std::min(lo, d);
  }
  EXPECT_LE(hi - std::min(lo, hi), 1);
  EXPECT_GE(drawn.size(), std::min<std::size_t>(pool.size(), 4));
}
