#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "test_util.h"
#include "zaya/problems/answer_checker.h"
#include "zaya/problems/bank.h"

namespace zp = zaya::problems;

namespace {

const zp::ProblemBank& bank() { return zp::testing::shipped_bank(); }

}  // namespace

TEST(Bank, LoadsEverySourceWithVerbatimIds) {
  const auto& b = bank();
  EXPECT_EQ(b.size(), 7844u);
  std::map<std::string, int> per_source;
  for (const auto& p : b.problems()) ++per_source[p.source_key];
  EXPECT_EQ(per_source["math"], 5000);
  EXPECT_EQ(per_source["aime"], 979);
  EXPECT_EQ(per_source["gsm8k"], 1319);
  EXPECT_EQ(per_source["sat"], 252);
  EXPECT_EQ(per_source["aqua-rat"], 254);
  EXPECT_EQ(per_source["amc23"], 40);
  // Ids are taken from the files as they are.
  for (const auto& j : zp::testing::read_jsonl(zp::testing::problems_dir() / "data" / "aime.normalized.jsonl")) {
    const zp::Problem* p = b.find(j["id"].get<std::string>());
    ASSERT_NE(p, nullptr) << j["id"];
    EXPECT_EQ(p->statement_latex, j["statement_latex"].get<std::string>());
  }
  const zp::Problem* p = b.find("aime-2019-II-07");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->year, 2019);
  EXPECT_EQ(p->number, 7);
  EXPECT_EQ(p->difficulty, 4);
  EXPECT_EQ(b.find("no-such-id"), nullptr);
}

TEST(Bank, LoadTimeIsPrinted) {
  auto t = std::chrono::steady_clock::now();
  auto b = zp::ProblemBank::load(zp::testing::problems_dir());
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  std::printf("bank load: %zu problems in %.0f ms (target 300 ms in Release; see docs/performance/problems.md)\n",
              b.size(), ms);
  EXPECT_EQ(b.size(), 7844u);
}

TEST(Bank, TopicsAndDifficulty) {
  for (const auto& p : bank().problems()) {
    EXPECT_GE(p.difficulty, 1);
    EXPECT_LE(p.difficulty, 5);
    if (p.source_key == "math") {
      EXPECT_EQ(p.topic_source, zp::TopicSource::Dataset) << p.id;
      EXPECT_FALSE(p.difficulty_estimated);
    } else {
      EXPECT_EQ(p.topic_source, zp::TopicSource::Tagger) << p.id;
      EXPECT_TRUE(p.difficulty_estimated);
    }
  }
  const zp::Problem* m = bank().find("math-test-0000");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->topic, zp::Topic::Algebra);
  EXPECT_EQ(m->difficulty, 3);
}

TEST(Bank, DollarSignsAndChoices) {
  const zp::Problem* g = bank().find("gsm8k-test-0000");
  ASSERT_NE(g, nullptr);
  EXPECT_FALSE(g->dollar_is_math);
  const zp::Problem* s = bank().find("sat-agieval-000");
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->dollar_is_math);
  ASSERT_EQ(s->choices.size(), 4u);
  EXPECT_EQ(s->choices[3].label, "D");
  EXPECT_EQ(s->choices[3].text, "10");
  EXPECT_EQ(s->answer, "D");
  EXPECT_TRUE(zp::check_problem_answer(*s, "D").equivalent);
  EXPECT_TRUE(zp::check_problem_answer(*s, "10").equivalent);
  EXPECT_FALSE(zp::check_problem_answer(*s, "9").equivalent);
  const zp::Problem* a = bank().find("aqua-rat-000");
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->dollar_is_math);
  EXPECT_EQ(a->choices.size(), 5u);
}

TEST(Bank, AcceptedAnswers) {
  const zp::Problem* p = nullptr;
  for (const auto& q : bank().problems())
    if (q.accepted_answers.size() > 1) p = &q;
  ASSERT_NE(p, nullptr);
  for (const auto& a : p->accepted_answers) EXPECT_TRUE(zp::check_problem_answer(*p, a).equivalent) << a;
}

TEST(Bank, Search) {
  const auto& b = bank();
  zp::SearchQuery q;
  q.source_keys = {"aime"};
  q.year_min = 2024;
  q.year_max = 2024;
  EXPECT_EQ(b.search(q).size(), 30u);
  q = {};
  q.text = "TRIANGLE";
  auto hits = b.search(q);
  EXPECT_GT(hits.size(), 100u);
  for (const auto* p : hits) {
    std::string s = p->statement_latex + p->id + p->source;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(s.find("triangle"), std::string::npos);
  }
  q = {};
  q.topics = {zp::Topic::Geometry};
  q.difficulty_min = 5;
  q.source_keys = {"math"};
  for (const auto* p : b.search(q)) {
    EXPECT_EQ(p->topic, zp::Topic::Geometry);
    EXPECT_EQ(p->difficulty, 5);
  }
  q = {};
  q.only_multiple_choice = true;
  EXPECT_EQ(b.search(q).size(), 252u + 254u);
  q.limit = 10;
  EXPECT_EQ(b.search(q).size(), 10u);
}

TEST(Bank, SearchTimeIsPrinted) {
  const auto& b = bank();
  zp::SearchQuery q;
  q.text = "probability marbles";
  auto t = std::chrono::steady_clock::now();
  auto n = b.search(q).size();
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  std::printf("text search over %zu problems: %zu hits in %.1f ms (target 50 ms)\n", b.size(), n, ms);
}

TEST(Bank, Diagrams) {
  int figures = 0, available = 0;
  for (const auto& p : bank().problems()) {
    for (const auto& d : p.diagrams) {
      ++figures;
      if (d.available()) {
        ++available;
        EXPECT_TRUE(std::filesystem::exists(d.svg_path)) << d.svg_path;
      } else {
        EXPECT_FALSE(d.error.empty()) << p.id;
      }
    }
    if (p.statement_latex.find("[asy]") != std::string::npos) {
      EXPECT_FALSE(p.diagrams.empty()) << p.id;
    }
  }
  std::printf("diagrams: %d figures, %d rendered to SVG, %d not available\n", figures, available, figures - available);
  EXPECT_EQ(figures, 1036);
  EXPECT_GT(available, figures / 2);
}

TEST(Bank, DataDirResolution) {
  std::string tried;
  auto explicit_dir = zp::find_problems_dir(zp::testing::problems_dir(), &tried);
  ASSERT_TRUE(explicit_dir);
  tried.clear();
  EXPECT_FALSE(zp::find_problems_dir("/nonexistent/zaya", &tried));
  EXPECT_NE(tried.find("/nonexistent/zaya"), std::string::npos);
  // The compiled-in source tree is the last fallback.
  auto fallback = zp::find_problems_dir();
  EXPECT_TRUE(fallback);
}

TEST(Bank, BadDataGivesClearErrors) {
  auto dir = std::filesystem::temp_directory_path() / ("zaya-bank-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "data");
  {
    std::ofstream(dir / "data" / "x.normalized.jsonl")
        << R"({"id": "x-1", "source": "X", "statement_latex": "1+1?", "answer": "2"})" << "\n"
        << R"({"id": "x-1", "source": "X", "statement_latex": "again", "answer": "2"})" << "\n";
  }
  try {
    zp::ProblemBank::load(dir);
    ADD_FAILURE() << "duplicate id accepted";
  } catch (const zp::BankError& e) {
    EXPECT_NE(std::string(e.what()).find("x.normalized.jsonl:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("duplicate"), std::string::npos) << e.what();
  }
  { std::ofstream(dir / "data" / "x.normalized.jsonl") << R"({"id": 5, "source": "X"})" << "\n"; }
  try {
    zp::ProblemBank::load(dir);
    ADD_FAILURE() << "numeric id accepted";
  } catch (const zp::BankError& e) {
    EXPECT_NE(std::string(e.what()).find("'id'"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}
