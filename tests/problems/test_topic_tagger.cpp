// The keyword tagger against MATH's own subjects (the tagger never sees them).
#include <gtest/gtest.h>

#include <cstdio>

#include "test_util.h"
#include "zaya/problems/topic_tagger.h"

namespace zp = zaya::problems;

TEST(TopicTagger, AccuracyOnMath) {
  auto rows = zp::testing::read_jsonl(zp::testing::problems_dir() / "data" / "math.normalized.jsonl");
  ASSERT_EQ(rows.size(), 5000u);
  int right = 0;
  int per_total[zp::kTopicCount] = {}, per_right[zp::kTopicCount] = {};
  for (const auto& r : rows) {
    auto truth = zp::topic_from_name(r["subject"].get<std::string>());
    ASSERT_TRUE(truth.has_value());
    auto guess = zp::tag_topic(r["statement_latex"].get<std::string>(), r["answer"].get<std::string>());
    int t = static_cast<int>(*truth);
    ++per_total[t];
    if (guess.topic == *truth) {
      ++right;
      ++per_right[t];
    }
  }
  double accuracy = 100.0 * right / static_cast<double>(rows.size());
  std::printf("topic tagger on MATH: %d/%zu right (%.1f%%; always guessing the largest subject would give 23.7%%)\n",
              right, rows.size(), accuracy);
  for (int t = 0; t < zp::kTopicCount; ++t)
    std::printf("  %-24s %4d/%4d (%.1f%%)\n", std::string(zp::topic_name(static_cast<zp::Topic>(t))).c_str(),
                per_right[t], per_total[t], 100.0 * per_right[t] / per_total[t]);
  // Far better than the majority class; the exact figure is documented in FORMAT.md.
  EXPECT_GE(accuracy, 50.0);
}

TEST(TopicTagger, ObviousCases) {
  EXPECT_EQ(zp::tag_topic("What is the probability that two dice show a sum of 7?").topic,
            zp::Topic::CountingProbability);
  EXPECT_EQ(zp::tag_topic("Find the remainder when $2^{100}$ is divided by 7.").topic, zp::Topic::NumberTheory);
  EXPECT_EQ(zp::tag_topic("In triangle $ABC$, angle $A$ is $50^\\circ$. Find the area of the circle.").topic,
            zp::Topic::Geometry);
  EXPECT_EQ(zp::tag_topic("Compute $\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}^2$.").topic, zp::Topic::Precalculus);
}
