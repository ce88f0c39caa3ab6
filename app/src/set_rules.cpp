#include "set_rules.h"

#include <QCoreApplication>

#include "database.h"

namespace zaya::app {

SetRules setRulesFor(const QList<ProblemSet>& assigned, const QString& problemId, bool attempted, qint64 now) {
  SetRules r;
  bool inOpenSet = false;
  for (const auto& s : assigned) {
    if (!s.problemIds.contains(problemId)) continue;
    if (s.dueAt && *s.dueAt < now) continue;  // past its due date: its rules are lifted
    inOpenSet = true;
    if (!s.allowHints && r.hintsAllowed) {
      r.hintsAllowed = false;
      r.hintsReason = QCoreApplication::translate("SetRules", "Your teacher turned off hints for %1.").arg(s.title);
    }
    if (!s.allowSolutions && r.modelSolutionsAllowed) {
      r.modelSolutionsAllowed = false;
      r.modelSolutionsReason =
          QCoreApplication::translate("SetRules", "Your teacher turned off model solutions for %1.").arg(s.title);
    }
    if (!s.allowReference && r.referenceAllowed) {
      r.referenceAllowed = false;
      r.referenceReason =
          QCoreApplication::translate("SetRules", "Your teacher turned off reference solutions for %1.").arg(s.title);
    }
  }
  // The key of an assigned problem opens only after a first attempt.
  if (inOpenSet && r.referenceAllowed && !attempted) {
    r.referenceAllowed = false;
    r.referenceReason = QCoreApplication::translate(
        "SetRules", "This problem is assigned: the reference solution opens after your first answer.");
  }
  return r;
}

SetRules contestRules(const QString& title) {
  SetRules r;
  r.hintsAllowed = r.modelSolutionsAllowed = r.referenceAllowed = r.answerCheckAllowed = false;
  const QString why = QCoreApplication::translate(
                          "SetRules", "This problem is in your timed sitting %1: help and answer checking open when it ends.")
                          .arg(title);
  r.hintsReason = r.modelSolutionsReason = r.referenceReason = r.answerCheckReason = why;
  return r;
}

SetRules setRulesFor(Database& db, qint64 profileId, const QString& problemId, qint64 now) {
  if (const auto sitting = db.openSitting(profileId))
    for (const auto& a : sitting->answers)
      if (a.problemId == problemId) return contestRules(sitting->title);
  bool attempted = false;
  for (const auto& a : db.attempts(profileId))
    if (a.problemId == problemId) attempted = true;
  return setRulesFor(db.assignedSets(profileId), problemId, attempted, now);
}

QString refusalFor(const SetRules& rules, TutorAction action) {
  switch (action) {
    case TutorAction::Hint:
    case TutorAction::Explain:
    case TutorAction::Question:
    case TutorAction::CheckWorking: return rules.hintsAllowed ? QString() : rules.hintsReason;
    case TutorAction::Solution: return rules.modelSolutionsAllowed ? QString() : rules.modelSolutionsReason;
  }
  return {};
}

}  // namespace zaya::app
