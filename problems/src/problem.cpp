#include "zaya/problems/problem.h"

#include <array>

namespace zaya::problems {

namespace {
constexpr std::array<std::string_view, kTopicCount> kNames = {
    "Prealgebra", "Algebra", "Number Theory", "Counting & Probability", "Geometry", "Intermediate Algebra",
    "Precalculus"};
}

std::string_view topic_name(Topic topic) { return kNames[static_cast<std::size_t>(topic)]; }

std::optional<Topic> topic_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<Topic>(i);
  if (name == "Counting and Probability") return Topic::CountingProbability;
  return std::nullopt;
}

}  // namespace zaya::problems
