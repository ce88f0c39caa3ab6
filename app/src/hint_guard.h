// The hint-leak rule: a hint must never hand the student the final answer.
//
// Before a finished hint is shown or saved, every \boxed{...} in it and every
// final-answer statement ("the answer is X", "Answer: X", "final answer X")
// is checked against the problem with zaya::problems::check_problem_answer,
// the rule the student's own answers are graded by (key, accepted answers,
// the option's letter or value). The hint is cut at the start of the sentence
// (or line) holding the first leak; the Solution then carries answerRemoved and a note.
#pragma once

#include <QString>

#include "zaya/problems/problem.h"

namespace zaya::app {

// The offset where `hint` starts to state the problem's answer (the start of
// that sentence or line), or -1 when it does not.
qsizetype answerLeakOffset(const zaya::problems::Problem& problem, const QString& hint);

}  // namespace zaya::app
