// Answer checker: decides whether a candidate answer equals an answer key.
//
// Both sides are read as competition-math answers written in LaTeX or plain text:
// math delimiters and \boxed{} wrappers, units, currency, percent and degree signs,
// answer phrases ("The answer is") and a label on one side only ("x =") are dropped;
// labels on both sides must name the same unknown; numbers, fractions, surds,
// intervals, tuples, sets, matrices, equations, inequalities and algebraic
// expressions are compared by value (GiNaC, with a numeric spot check at random
// points as a fallback); multiple-choice letters compare as letters.
//
// Calls are serialised internally (GiNaC keeps global state), so any thread may call.
// Inputs are bounded (length, nesting, exponent size, and the estimated size of
// every expansion and power): nothing hangs or throws; past the size budget the
// verdict is undecided ("too complex to check here").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zaya/problems/problem.h"

namespace zaya::problems {

struct Verdict {
  bool equivalent = false;
  // One sentence for the student about their answer, why it is right or not
  // ("Your answer is an interval; the answer is a single number."). Plain text.
  std::string reason;
  // The checker could not decide: the answer is too large to compute here
  // (its expansion or its numbers are over the checker's size budget).
  // `equivalent` is false then, but the answer is not known to be wrong:
  // show it as unchecked, not as incorrect.
  bool undecided = false;
};

struct CheckOptions {
  // Options of a multiple-choice problem: a candidate that gives the text of the
  // correct option instead of its letter is accepted.
  std::vector<Choice> choices;
  // Relative tolerance between an exact value and a decimal approximation.
  double relative_tolerance = 1e-5;
};

// Is `candidate` the same answer as `gold`? `candidate` may be a whole model
// output: its final answer is extracted first when it holds a \boxed{}.
Verdict check_answer(std::string_view gold, std::string_view candidate, const CheckOptions& options = {});

// Checks against a bank problem: uses its accepted answers and choices.
Verdict check_problem_answer(const Problem& problem, std::string_view candidate);

// Final answer of a model's output: the content of the last \boxed{} / \fbox{}
// (balanced braces), else what follows the last "the answer is" / "Answer:",
// else a trailing choice letter such as "(B)". nullopt when none is found.
std::optional<std::string> extract_final_answer(std::string_view model_output);

}  // namespace zaya::problems
