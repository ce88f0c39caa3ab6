// The teacher's classroom records: classes, the results imported from the
// students' files, and the MAC on each teacher record. Schema: v1, v3 and v8
// (resources/sql/). Lookups by id and uuid use the tables' own keys; the
// imported results use imported_results_by_set.
#include <QDateTime>
#include <QUuid>

#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

namespace {

const char* kClassColumns = "id, uuid, name, hmac_key, created_at, record_mac";

ClassInfo readClass(const QSqlQuery& q) {
  ClassInfo c;
  c.id = q.value(0).toLongLong();
  c.uuid = q.value(1).toString();
  c.name = q.value(2).toString();
  c.hmacKey = q.value(3).toByteArray();
  c.createdAt = q.value(4).toLongLong();
  c.recordMac = q.value(5).toByteArray();
  return c;
}

QString classesWhere(const char* condition) {
  return QStringLiteral("SELECT %1 FROM classes %2").arg(QLatin1String(kClassColumns), QLatin1String(condition));
}

const char* kImportedResultColumns =
    "id, class_id, set_uuid, student_uuid, student_name, problem_id, answer, correct, millis_taken, hints_used, "
    "attempted_at, imported_at, first_answer, claimed_correct, attempts, explanations_used, questions_asked, "
    "model_solution_viewed, reference_solution_viewed, help_after_due, record_mac";

ImportedResult readImportedResult(const QSqlQuery& q) {
  ImportedResult r;
  r.id = q.value(0).toLongLong();
  r.classId = q.value(1).toLongLong();
  r.setUuid = q.value(2).toString();
  r.studentUuid = q.value(3).toString();
  r.studentName = q.value(4).toString();
  r.problemId = q.value(5).toString();
  r.answer = q.value(6).toString();
  r.correct = q.value(7).toBool();
  r.millisTaken = q.value(8).toLongLong();
  r.hintsUsed = q.value(9).toInt();
  r.attemptedAt = q.value(10).toLongLong();
  r.importedAt = q.value(11).toLongLong();
  r.firstAnswer = q.value(12).toString();
  r.claimedCorrect = q.value(13).toBool();
  r.attempts = q.value(14).toInt();
  r.explanationsUsed = q.value(15).toInt();
  r.questionsAsked = q.value(16).toInt();
  r.modelSolutionViewed = q.value(17).toBool();
  r.referenceSolutionViewed = q.value(18).toBool();
  r.helpAfterDue = q.value(19).toBool();
  r.recordMac = q.value(20).toByteArray();
  return r;
}

const char* recordTableName(Database::RecordTable table) {
  switch (table) {
    case Database::RecordTable::Profiles: return "profiles";
    case Database::RecordTable::Classes: return "classes";
    case Database::RecordTable::ProblemSets: return "problem_sets";
    case Database::RecordTable::ImportedResults: return "imported_results";
  }
  return "profiles";
}

}  // namespace

// --- classes ------------------------------------------------------------------

qint64 Database::insertClass(const ClassInfo& c) {
  qint64 id = 0;
  write([&] {
    id = query(db_, QStringLiteral("INSERT INTO classes (uuid, name, hmac_key, created_at) VALUES (?, ?, ?, ?)"),
               {c.uuid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : c.uuid, c.name, c.hmacKey,
                c.createdAt ? c.createdAt : QDateTime::currentMSecsSinceEpoch()},
               "adding a class")
             .insertedId();
  });
  return id;
}

std::optional<ClassInfo> Database::classById(qint64 id) {
  return query(db_, classesWhere("WHERE id = ?"), {id}, "reading a class").row(readClass);
}

std::optional<ClassInfo> Database::classByUuid(const QString& uuid) {
  return query(db_, classesWhere("WHERE uuid = ?"), {uuid}, "reading a class").row(readClass);
}

QList<ClassInfo> Database::classes() {
  return query(db_, classesWhere("ORDER BY name, id"), {}, "listing classes").rows(readClass);
}

void Database::renameClass(qint64 classId, const QString& name) {
  write([&] { query(db_, QStringLiteral("UPDATE classes SET name = ? WHERE id = ?"), {name, classId}, "renaming a class"); });
}

void Database::deleteClass(qint64 classId) {
  write([&] { query(db_, QStringLiteral("DELETE FROM classes WHERE id = ?"), {classId}, "deleting a class"); });
}

bool Database::hasClasses() {
  return query(db_, QStringLiteral("SELECT 1 FROM classes LIMIT 1"), {}, "looking for classes").next();
}

// --- imported results -------------------------------------------------------------

void Database::replaceImportedResults(qint64 classId, const QString& setUuid, const QString& studentUuid,
                                      const QList<ImportedResult>& rows) {
  write([&] {
    query(db_, QStringLiteral("DELETE FROM imported_results WHERE class_id = ? AND set_uuid = ? AND student_uuid = ?"),
          {classId, setUuid, studentUuid}, "replacing imported results");
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    storage::Statement insert(
        db_,
        QStringLiteral("INSERT INTO imported_results (class_id, set_uuid, student_uuid, student_name, problem_id, "
                       "answer, correct, millis_taken, hints_used, attempted_at, imported_at, first_answer, "
                       "claimed_correct, attempts, explanations_used, questions_asked, model_solution_viewed, "
                       "reference_solution_viewed, help_after_due) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        "storing imported results");
    for (const auto& r : rows)
      insert
          .bind({classId, setUuid, studentUuid, r.studentName, r.problemId, r.answer, r.correct, r.millisTaken,
                 r.hintsUsed, r.attemptedAt, now, r.firstAnswer, r.claimedCorrect, r.attempts, r.explanationsUsed,
                 r.questionsAsked, r.modelSolutionViewed, r.referenceSolutionViewed, r.helpAfterDue})
          .run();
  });
}

QList<ImportedResult> Database::importedResults(qint64 classId, const QString& setUuid) {
  return query(db_,
               QStringLiteral("SELECT %1 FROM imported_results WHERE class_id = ? AND set_uuid = ? "
                              "ORDER BY student_name, student_uuid, attempted_at, id")
                   .arg(QLatin1String(kImportedResultColumns)),
               {classId, setUuid}, "reading imported results")
      .rows(readImportedResult);
}

QList<ImportedResult> Database::allImportedResults() {
  return query(db_, QStringLiteral("SELECT %1 FROM imported_results ORDER BY id").arg(QLatin1String(kImportedResultColumns)),
               {}, "reading imported results")
      .rows(readImportedResult);
}

void Database::deleteImportedResults(qint64 classId, const QString& setUuid) {
  write([&] {
    // Index: imported_results_by_set (class_id, set_uuid, …).
    query(db_, QStringLiteral("DELETE FROM imported_results WHERE class_id = ? AND set_uuid = ?"), {classId, setUuid},
          "deleting imported results");
  });
}

// --- record MACs ----------------------------------------------------------------------

void Database::setRecordMac(RecordTable table, qint64 id, const QByteArray& mac) {
  write([&] {
    // By primary key, in whichever table the record lives.
    query(db_, QStringLiteral("UPDATE %1 SET record_mac = ? WHERE id = ?").arg(QLatin1String(recordTableName(table))),
          {mac, id}, "signing a teacher record");
  });
}

}  // namespace zaya::app
