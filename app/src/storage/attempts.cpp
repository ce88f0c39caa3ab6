// Attempts: every checked answer with the help used before it, the set it
// was made for and a teacher's grade override. Schema: v1, v3 and v7
// (resources/sql/); attempts() and attemptCount() use attempts_by_profile_time.
#include <QDateTime>

#include <algorithm>

#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

namespace {

const char* kAttemptColumns =
    "id, profile_id, problem_id, topic, difficulty, answer, correct, millis_taken, hints_used, set_id, created_at, "
    "grade_override, explanations_used, questions_asked, model_solution_viewed, reference_solution_viewed";

Attempt readAttempt(const QSqlQuery& q) {
  Attempt a;
  a.id = q.value(0).toLongLong();
  a.profileId = q.value(1).toLongLong();
  a.problemId = q.value(2).toString();
  a.topic = q.value(3).toString();
  a.difficulty = q.value(4).toInt();
  a.answer = q.value(5).toString();
  a.correct = q.value(6).toInt() != 0;
  a.millisTaken = q.value(7).toLongLong();
  a.hintsUsed = q.value(8).toInt();
  a.setId = storage::optionalInt(q.value(9));
  a.createdAt = q.value(10).toLongLong();
  a.gradeOverride = storage::optionalBool(q.value(11));
  a.explanationsUsed = q.value(12).toInt();
  a.questionsAsked = q.value(13).toInt();
  a.modelSolutionViewed = q.value(14).toInt() != 0;
  a.referenceSolutionViewed = q.value(15).toInt() != 0;
  return a;
}

}  // namespace

qint64 Database::insertAttempt(const Attempt& a) {
  qint64 id = 0;
  write([&] {
    id = query(db_,
               QStringLiteral("INSERT INTO attempts (profile_id, problem_id, topic, difficulty, answer, correct, "
                              "millis_taken, hints_used, set_id, created_at, grade_override, explanations_used, "
                              "questions_asked, model_solution_viewed, reference_solution_viewed) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
               {a.profileId, a.problemId, a.topic, a.difficulty, a.answer, a.correct, a.millisTaken, a.hintsUsed,
                a.setId, a.createdAt ? a.createdAt : QDateTime::currentMSecsSinceEpoch(), a.gradeOverride,
                std::max(0, a.explanationsUsed), std::max(0, a.questionsAsked), a.modelSolutionViewed,
                a.referenceSolutionViewed},
               "recording an attempt")
             .insertedId();
  });
  return id;
}

std::optional<Attempt> Database::attempt(qint64 id) {
  return query(db_, QStringLiteral("SELECT %1 FROM attempts WHERE id = ?").arg(QLatin1String(kAttemptColumns)), {id},
               "reading an attempt")
      .row(readAttempt);
}

QList<Attempt> Database::attempts(qint64 profileId, qint64 since) {
  return query(db_,
               QStringLiteral("SELECT %1 FROM attempts WHERE profile_id = ? AND created_at >= ? ORDER BY created_at, id")
                   .arg(QLatin1String(kAttemptColumns)),
               {profileId, since}, "reading attempts")
      .rows(readAttempt);
}

int Database::attemptCount(qint64 profileId) {
  return query(db_, QStringLiteral("SELECT count(*) FROM attempts WHERE profile_id = ?"), {profileId}, "counting attempts")
      .firstValue()
      .toInt();
}

void Database::setGradeOverride(qint64 attemptId, std::optional<bool> correct) {
  write([&] {
    const auto q = query(db_, QStringLiteral("UPDATE attempts SET grade_override = ? WHERE id = ?"), {correct, attemptId},
                         "changing a grade");
    if (q.rowsAffected() != 1)
      throw AppError(AppError::Kind::NotFound, QStringLiteral("No attempt with id %1.").arg(attemptId));
  });
}

}  // namespace zaya::app
