// The rules of assigned sets, as the student's app obeys them
// (docs/app-core.md, "Rules of an assigned set").
//
// A problem of one or more sets assigned to the profile, whose due date has
// not passed (no due date: it never passes), follows the strictest of them —
// opened from the assignment or from the bank alike:
//   - hints allowed only if every such set allows them; Hint, Explain (ask
//     about a step), Question and Check my working follow this rule;
//   - the model's full solution only if every such set allows model solutions;
//   - the bank's reference solution (or answer key) only if every such set
//     allows reference solutions, and even then only after a first attempt.
// After the due date the rules lift; help used then is reported as help
// after the due date and does not count against the set.
//
// A problem of the profile's running timed sitting (contest_service.h) gets
// no help of any kind and no answer feedback until the sitting ends, whatever
// its sets allow.
#pragma once

#include <QList>
#include <QString>

#include "records.h"

namespace zaya::app {

class Database;

struct SetRules {
  bool hintsAllowed = true;
  bool modelSolutionsAllowed = true;
  bool referenceAllowed = true;
  // Checking an answer outside the contest screen (only a running sitting stops it).
  bool answerCheckAllowed = true;
  // Why each is refused, for the screen ("Your teacher turned off hints for Week 3"); empty when allowed.
  QString hintsReason, modelSolutionsReason, referenceReason, answerCheckReason;
  bool operator==(const SetRules&) const = default;
};

// `assigned`: the profile's assigned sets; `attempted`: whether the profile
// has answered the problem (for any set or none); `now`: ms since the epoch.
SetRules setRulesFor(const QList<ProblemSet>& assigned, const QString& problemId, bool attempted, qint64 now);

// Every help and the answer feedback refused, for a problem of the running
// sitting `title`.
SetRules contestRules(const QString& title);

// The same, read from the database for `profileId` (assigned sets and the
// running sitting).
SetRules setRulesFor(Database& db, qint64 profileId, const QString& problemId, qint64 now);

// The rule an action of the tutor follows; empty when it may go ahead.
QString refusalFor(const SetRules& rules, TutorAction action);

}  // namespace zaya::app
