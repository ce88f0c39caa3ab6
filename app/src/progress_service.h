// Attempts, grades and everything the progress screen shows, behind the role
// checks of AuthService: a student reaches only their own rows, only a
// teacher changes a grade.
#pragma once

#include <QObject>
#include <QTimeZone>

#include "auth_service.h"
#include "practice_plan.h"
#include "progress_rules.h"

namespace zaya::app {

struct NewAttempt {
  QString problemId{};
  QString topic{};
  int difficulty = 1;
  QString answer{};
  bool correct = false;       // the answer checker's verdict
  qint64 millisTaken = 0;     // active time (attempt_tracker.h)
  int hintsUsed = 0;          // the help before the attempt, as in Attempt
  int explanationsUsed = 0;
  int questionsAsked = 0;
  bool modelSolutionViewed = false;
  bool referenceSolutionViewed = false;
  std::optional<qint64> setId{};
};

class ProgressService : public QObject {
  Q_OBJECT
 public:
  ProgressService(AuthService& auth, QObject* parent = nullptr);

  // Records an attempt of the signed-in profile and updates its review
  // schedule, in one transaction. Returns the stored attempt.
  Attempt recordAttempt(const NewAttempt& attempt);

  QList<Attempt> attempts(qint64 profileId, qint64 since = 0);   // self or teacher
  // Teacher only: overrides the checker's verdict (nullopt restores it).
  void setGrade(qint64 attemptId, std::optional<bool> correct);

  QList<TopicMastery> mastery(qint64 profileId, qint64 now);
  Streak streak(qint64 profileId, qint64 now);
  QList<DayActivity> activity(qint64 profileId, QDate from, QDate to);  // heatmap and time on task
  qint64 timeOnTaskMillis(qint64 profileId, qint64 since = 0);
  QList<AccuracyPoint> accuracyOverTime(qint64 profileId);

  // Spaced repetition: the items due at `now`, earliest first.
  QList<ReviewItem> dueReviews(qint64 profileId, qint64 now);
  QList<ReviewItem> reviewQueue(qint64 profileId);  // everything scheduled

  // Solved / tried / due per problem id, for the problem browser.
  QHash<QString, ProblemStatus> problemStatuses(qint64 profileId, qint64 now);
  // Today's practice (practice_plan.h): chosen on the first call of the day
  // (in this zone) and stored, so the list stays the same all day.
  QStringList dailyPractice(qint64 profileId, const problems::ProblemBank& bank, qint64 now);

  // Days are counted in this zone (default: the system's).
  void setTimeZone(const QTimeZone& zone) { zone_ = zone; }

 signals:
  void attemptRecorded(const zaya::app::Attempt& attempt);
  void gradeChanged(qint64 attemptId);

 private:
  AuthService& auth_;
  Database& db_;
  QTimeZone zone_ = QTimeZone::systemTimeZone();
};

}  // namespace zaya::app
