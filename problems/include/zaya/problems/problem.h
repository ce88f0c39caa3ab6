// One problem of the bank, as the app sees it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zaya::problems {

// One taxonomy for every source: MATH's seven subjects.
enum class Topic {
  Prealgebra,
  Algebra,
  NumberTheory,
  CountingProbability,
  Geometry,
  IntermediateAlgebra,
  Precalculus,
};
inline constexpr int kTopicCount = 7;

// "Prealgebra", "Algebra", "Number Theory", "Counting & Probability", "Geometry",
// "Intermediate Algebra", "Precalculus".
std::string_view topic_name(Topic topic);
// Accepts the names above and MATH's spellings ("Counting and Probability"); nullopt otherwise.
std::optional<Topic> topic_from_name(std::string_view name);

// Where a problem's topic came from.
enum class TopicSource {
  Dataset,  // given by the source (MATH subject)
  Tagger,   // assigned by the keyword tagger (topic_tagger.h): automatic, may be wrong
};

struct Choice {
  std::string label;  // "A".."E"
  std::string text;   // option text as the source wrote it
};

// An Asymptote figure of the statement or solution, pre-rendered to SVG.
struct Diagram {
  enum class Part { Statement, Solution };
  Part part = Part::Statement;
  int index = 1;          // 1-based position among that part's [asy] blocks
  std::string svg_path;   // absolute path of the SVG; empty when not available
  std::string error;      // why it is not available (render failure), else empty
  bool available() const { return !svg_path.empty(); }
};

struct Problem {
  std::string id;              // verbatim from the data, stable forever ("math-test-0042")
  std::string source_key;      // "math", "aime", "amc23", "sat", "aqua-rat", "gsm8k"
  std::string source;          // display name ("MATH (test split)", "AIME", ...)
  std::string contest;         // "AIME I", "AMC 12A", ... (empty when none)
  std::optional<int> year;     // contest year (AIME, AMC)
  std::optional<int> number;   // problem number in its paper
  Topic topic = Topic::Prealgebra;
  TopicSource topic_source = TopicSource::Tagger;
  int difficulty = 1;               // 1 (easiest) .. 5; see problems/FORMAT.md for the mapping
  std::string difficulty_label;     // as the source wrote it ("level-3", "aime-late (11-15)"), may be empty
  bool difficulty_estimated = true; // false only for MATH levels
  std::string statement_latex;      // text as the source wrote it
  bool dollar_is_math = true;       // false: '$' is money (GSM8K, AQuA), not a math delimiter
  std::vector<Choice> choices;      // multiple choice (SAT, AQuA); empty otherwise
  std::string answer;               // the key: letter for multiple choice
  std::vector<std::string> accepted_answers;  // all keys accepted (contains `answer`)
  std::string answer_text;          // text of the correct option (multiple choice), else empty
  std::string solution_latex;       // reference solution as the source wrote it; empty when none
  bool in_math500 = false;
  std::vector<Diagram> diagrams;    // one per [asy] block of statement and solution

  bool is_multiple_choice() const { return !choices.empty(); }
  bool has_solution() const { return !solution_latex.empty(); }
};

}  // namespace zaya::problems
