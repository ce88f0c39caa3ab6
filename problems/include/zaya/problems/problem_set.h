// Problem-set files (teacher -> student) and results files (student -> teacher).
// Both are versioned JSON; the layout is documented in problems/FORMAT.md.
//
// Import validates the whole file before returning anything: on any error the
// result holds no value and a message naming the field (JSON path) at fault.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zaya/problems/problem.h"

namespace zaya::problems {

inline constexpr int kProblemSetFormatVersion = 1;
inline constexpr int kResultsFormatVersion = 2;  // 1 is still read
inline constexpr std::size_t kMaxImportBytes = 8u << 20;  // larger files are refused unread
inline constexpr std::size_t kMaxSetProblems = 500;
inline constexpr int kMaxTimeLimitMinutes = 24 * 60;
inline constexpr double kMaxTimeMultiplier = 4.0;

// A problem written by the teacher, not in the bank.
struct CustomProblem {
  std::string statement_latex;
  std::string answer;                 // key for the answer checker
  std::vector<Choice> choices;        // empty unless multiple choice; then `answer` is a label
  std::string solution_latex;         // optional
  std::optional<Topic> topic;
  std::optional<int> difficulty;      // 1..5
};

struct SetItem {
  std::string id;                      // bank id, or the custom problem's id ("custom-...")
  std::optional<CustomProblem> custom; // set for custom problems
  double points = 1.0;
};

struct ProblemSet {
  std::string set_id;        // chosen by the teacher's app; ties results to the set
  std::string title;
  std::string instructions;  // may be empty
  std::string created_at;    // ISO 8601 ("2026-11-22T15:00:00Z"), may be empty
  std::string due;           // ISO 8601 date or date-time; empty = no due date
  bool allow_hints = true;
  bool allow_model_solutions = false;
  bool allow_reference_solutions = false;
  // A timed test (optional, both absent in untimed sets): the time allowed in
  // minutes, and a multiplier for extended time (1.5 = time and a half). A
  // multiplier without a time limit stretches a contest run from the set's
  // problems at its standard time.
  std::optional<int> time_limit_minutes;  // 1..1440
  double time_multiplier = 1.0;           // 1.0..4.0
  std::vector<SetItem> items;
};

enum class Verdict3 { Correct, Incorrect, Unanswered };

// Help a student used on one problem (results version 2).
struct HelpUsed {
  int hints = 0;
  int explanations = 0;  // "ask about this step"
  int questions = 0;     // free follow-up questions
  bool model_solution_viewed = false;
  bool reference_solution_viewed = false;
  bool any() const { return hints || explanations || questions || model_solution_viewed || reference_solution_viewed; }
};

struct ResultEntry {
  std::string problem_id;
  std::string answer;        // the last answer, as the student typed it
  Verdict3 verdict = Verdict3::Unanswered;
  double time_seconds = 0;   // active time spent on the problem
  int hints_used = 0;
  bool model_solution_viewed = false;
  int attempts = 0;
  // Version 2: the first answer, the rest of the help before the due date
  // (hints_used and model_solution_viewed above count too), and the help used
  // after the due date, which does not count against the set.
  std::string first_answer;
  int explanations_used = 0;
  int questions_asked = 0;
  bool reference_solution_viewed = false;
  HelpUsed help_after_due;
};

// A timed sitting of the set (version 2, optional): the set sat as a timed
// test under contest rules.
struct TimedSitting {
  std::string started_at;       // ISO 8601
  int time_limit_seconds = 0;   // with extended time
  double time_multiplier = 1.0;
  int elapsed_seconds = 0;      // time used
  std::string ended;            // "submitted" | "time"
  int score = 0;                // right answers by the student's app
  int out_of = 0;               // problems of the sitting
  bool operator==(const TimedSitting&) const = default;
};

struct Results {
  int version = kResultsFormatVersion;  // as read; export writes this layout
  std::string set_id;
  std::string set_title;
  std::string student_id;
  std::string student_name;
  std::string exported_at;   // ISO 8601
  std::vector<ResultEntry> entries;
  std::vector<TimedSitting> sittings;  // version 2; empty when the set was not sat timed
  // Integrity tag: lower-case hex HMAC-SHA256 (64 hex digits) over
  // results_canonical_bytes(), computed and checked by the app with the class
  // key. Empty when unsigned. Only its shape is checked here.
  std::string integrity_tag;
};

template <class T>
struct Imported {
  std::optional<T> value;
  std::string error;  // "problems[3].id: unknown bank id 'math-test-9999'"
  explicit operator bool() const { return value.has_value(); }
};

// `is_bank_id` answers whether an id is in the bank (e.g. ProblemBank::contains).
Imported<ProblemSet> import_problem_set(std::string_view file_bytes,
                                        const std::function<bool(std::string_view)>& is_bank_id);
std::string export_problem_set(const ProblemSet& set);  // pretty JSON, UTF-8

// `set`, when given, is the set the results answer: set id and problem ids must match it.
Imported<Results> import_results(std::string_view file_bytes, const ProblemSet* set = nullptr);
std::string export_results(const Results& results);

// The exact bytes the integrity tag is computed over: the results as compact JSON
// with keys sorted and without the "integrity" member. Equal for a results value
// before export and after import.
std::string results_canonical_bytes(const Results& results);

std::string_view verdict_name(Verdict3 v);  // "correct", "incorrect", "unanswered"

}  // namespace zaya::problems
