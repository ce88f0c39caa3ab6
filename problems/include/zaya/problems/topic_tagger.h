// Rule-based topic tagger for problems whose source gives no subject (AIME,
// AMC, SAT, AQuA, GSM8K). Transparent: weighted keywords per topic, highest
// score wins; the rules are in topic_tagger.cpp. It reads only the statement
// (and the answer key's form), never a dataset label; its accuracy is measured
// against MATH's subjects by tests/problems/test_topic_tagger.cpp.
#pragma once

#include <array>
#include <string_view>

#include "zaya/problems/problem.h"

namespace zaya::problems {

struct TopicGuess {
  Topic topic = Topic::Prealgebra;
  std::array<double, kTopicCount> scores{};  // per Topic, in enum order
};

TopicGuess tag_topic(std::string_view statement_latex, std::string_view answer = {});

}  // namespace zaya::problems
