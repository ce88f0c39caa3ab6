#include <gtest/gtest.h>

#include "zaya/problems/answer_checker.h"

namespace zp = zaya::problems;

TEST(AnswerExtract, LastBoxedWithBalancedBraces) {
  EXPECT_EQ(zp::extract_final_answer("First \\boxed{1}, then \\boxed{\\frac{a}{b^{2}}}."), "\\frac{a}{b^{2}}");
  EXPECT_EQ(zp::extract_final_answer("so $\\fbox{42}$"), "42");
  EXPECT_EQ(zp::extract_final_answer("\\boxed{\\{1, 2\\}}"), "\\{1, 2\\}");
}

TEST(AnswerExtract, AnswerPhrase) {
  EXPECT_EQ(zp::extract_final_answer("We add them.\nThe answer is 3.5. Done"), "3.5");
  EXPECT_EQ(zp::extract_final_answer("Final answer: $x = 2$"), "x = 2");
  EXPECT_EQ(zp::extract_final_answer("the answer is $\\frac{1}{2}$\nmore text"), "\\frac{1}{2}");
}

TEST(AnswerExtract, ChoiceLetter) {
  EXPECT_EQ(zp::extract_final_answer("Comparing the options, it must be (B)"), "B");
  EXPECT_EQ(zp::extract_final_answer("I am not sure"), std::nullopt);
}

TEST(AnswerExtract, CheckerUsesTheBoxedPartOfALongOutput) {
  EXPECT_TRUE(zp::check_answer("\\frac{1}{2}", "Step 1: ... Step 2: so the probability is $\\boxed{0.5}$.").equivalent);
}
