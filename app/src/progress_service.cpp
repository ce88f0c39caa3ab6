#include "progress_service.h"

#include <QDateTime>

namespace zaya::app {

ProgressService::ProgressService(AuthService& auth, QObject* parent)
    : QObject(parent), auth_(auth), db_(auth.database()) {}

Attempt ProgressService::recordAttempt(const NewAttempt& n) {
  const Profile& me = auth_.requireSignedIn();
  if (n.problemId.isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The attempt has no problem id."));
  if (n.difficulty < 1 || n.difficulty > 5)
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("Difficulty %1 is outside 1..5.").arg(n.difficulty));
  Attempt a;
  a.profileId = me.id;
  a.problemId = n.problemId;
  a.topic = n.topic;
  a.difficulty = n.difficulty;
  a.answer = n.answer;
  a.correct = n.correct;
  a.millisTaken = std::max<qint64>(0, n.millisTaken);
  a.hintsUsed = std::max(0, n.hintsUsed);
  a.explanationsUsed = std::max(0, n.explanationsUsed);
  a.questionsAsked = std::max(0, n.questionsAsked);
  a.modelSolutionViewed = n.modelSolutionViewed;
  a.referenceSolutionViewed = n.referenceSolutionViewed;
  a.setId = n.setId;
  a.createdAt = QDateTime::currentMSecsSinceEpoch();
  db_.write([&] {
    a.id = db_.insertAttempt(a);
    const auto next = scheduleAfterAnswer(db_.review(me.id, a.problemId), a);
    if (next)
      db_.upsertReview(*next);
    else
      db_.removeReview(me.id, a.problemId);
  });
  emit attemptRecorded(a);
  return a;
}

QList<Attempt> ProgressService::attempts(qint64 profileId, qint64 since) {
  auth_.requireSelfOrTeacher(profileId);
  return db_.attempts(profileId, since);
}

void ProgressService::setGrade(qint64 attemptId, std::optional<bool> correct) {
  auth_.requireTeacher();
  db_.setGradeOverride(attemptId, correct);
  emit gradeChanged(attemptId);
}

QList<TopicMastery> ProgressService::mastery(qint64 profileId, qint64 now) {
  return computeMastery(attempts(profileId), now, zone_);
}

Streak ProgressService::streak(qint64 profileId, qint64 now) { return computeStreak(attempts(profileId), now, zone_); }

QList<DayActivity> ProgressService::activity(qint64 profileId, QDate from, QDate to) {
  return dailyActivity(attempts(profileId), from, to, zone_);
}

qint64 ProgressService::timeOnTaskMillis(qint64 profileId, qint64 since) {
  qint64 total = 0;
  for (const auto& a : attempts(profileId, since)) total += a.millisTaken;
  return total;
}

QList<AccuracyPoint> ProgressService::accuracyOverTime(qint64 profileId) { return weeklyAccuracy(attempts(profileId), zone_); }

QList<ReviewItem> ProgressService::dueReviews(qint64 profileId, qint64 now) {
  auth_.requireSelfOrTeacher(profileId);
  return db_.dueReviews(profileId, now);
}

QList<ReviewItem> ProgressService::reviewQueue(qint64 profileId) {
  auth_.requireSelfOrTeacher(profileId);
  return db_.reviews(profileId);
}

QHash<QString, ProblemStatus> ProgressService::problemStatuses(qint64 profileId, qint64 now) {
  return zaya::app::problemStatuses(attempts(profileId), dueReviews(profileId, now));
}

QStringList ProgressService::dailyPractice(qint64 profileId, const problems::ProblemBank& bank, qint64 now) {
  auth_.requireSelfOrTeacher(profileId);
  const QDate today = QDateTime::fromMSecsSinceEpoch(now, zone_).date();
  // Stored as "2026-11-22 id1 id2 …" (ids never contain spaces).
  const QString key = QStringLiteral("daily_practice/%1").arg(profileId);
  const QStringList stored = db_.setting(key).split(QLatin1Char(' '), Qt::SkipEmptyParts);
  if (!stored.isEmpty() && stored.front() == today.toString(Qt::ISODate)) return stored.mid(1);
  const QList<ReviewItem> due = dueReviews(profileId, now);
  const QList<Attempt> all = attempts(profileId);
  const QStringList chosen = chooseDailyPractice(bank, zaya::app::problemStatuses(all, due), due,
                                                 computeMastery(all, now, zone_), today, profileId);
  // A read-only file (damaged, or a read-only folder) still gets today's list, only not kept.
  if (!db_.isReadOnly()) db_.setSetting(key, (QStringList{today.toString(Qt::ISODate)} + chosen).join(QLatin1Char(' ')));
  return chosen;
}

}  // namespace zaya::app
