// Every word the tutor says to the model: the system prompt and the user
// message of each action (hint, solution, explain, question, check-working).
//
// The problem goes into the system prompt, once: every turn of a
// conversation then starts with the same text (the engine reuses that
// prefix), and a turn asked after a restart still carries the problem.
// The user messages only say what the student wants now; the earlier
// turns travel as chat history (GenerationRequest::history).
#pragma once

#include <QString>
#include <QStringList>

#include "zaya/problems/problem.h"

namespace zaya::app::tutor_prompts {

// The problem as the model reads it: the statement, then "(A) text" per
// option of a multiple-choice problem. Never the key.
QString problemText(const zaya::problems::Problem& problem);

QString system(const QString& problemText);

QString solution();

// Hint number `number` (1-based). wrongAnswers: the student's wrong answers
// since the previous turn; working: what the student has written (may be
// empty). The earlier hints are in the history.
QString hint(int number, const QStringList& wrongAnswers, const QString& working);

// Explains step `step` of an earlier solution (quoted), with an optional
// extra question of the student's.
QString explain(int step, const QString& stepText, const QString& extraQuestion);

// A free follow-up question; about step `step` (quoted) when step > 0.
QString question(const QString& question, int step, const QString& stepText);

// The student's working, one step per line, numbered in the message. The
// reply ends with a VERDICT line (working_review.h parses it):
//   VERDICT: correct
//   VERDICT: step <n> | "<the step, quoted>" | <why it is wrong>
QString checkWorking(const QString& working);

// The working's non-empty lines, as checkWorking() numbers them.
QStringList workingLines(const QString& working);

}  // namespace zaya::app::tutor_prompts
