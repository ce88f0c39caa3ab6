// Problem sets and who they are assigned to. Schema: v3 and v8
// (resources/sql/). Lookups by id and uuid use the table's own keys;
// setsOfClass() uses problem_sets_by_class, assignedSets()
// assignments_by_profile.
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

namespace {

const char* kSetColumns =
    "s.id, s.uuid, s.class_id, s.class_uuid, s.title, s.problem_ids, s.due_at, s.allow_hints, s.allow_solutions, "
    "s.created_at, s.file_json, s.allow_reference, s.record_mac";

ProblemSet readSet(const QSqlQuery& q) {
  ProblemSet s;
  s.id = q.value(0).toLongLong();
  s.uuid = q.value(1).toString();
  s.classId = storage::optionalInt(q.value(2));
  s.classUuid = q.value(3).toString();
  s.title = q.value(4).toString();
  for (const auto& v : QJsonDocument::fromJson(q.value(5).toByteArray()).array()) s.problemIds << v.toString();
  s.dueAt = storage::optionalInt(q.value(6));
  s.allowHints = q.value(7).toBool();
  s.allowSolutions = q.value(8).toBool();
  s.createdAt = q.value(9).toLongLong();
  s.fileJson = q.value(10).toByteArray();
  s.allowReference = q.value(11).toBool();
  s.recordMac = q.value(12).toByteArray();
  return s;
}

// `s` is the alias of problem_sets in every select.
QString setsWhere(const char* rest) {
  return QStringLiteral("SELECT %1 FROM problem_sets s %2").arg(QLatin1String(kSetColumns), QLatin1String(rest));
}

// Stored as a JSON array (bound as bytes, as it always was).
QByteArray problemIdsJson(const QStringList& ids) {
  return QJsonDocument(QJsonArray::fromStringList(ids)).toJson(QJsonDocument::Compact);
}

}  // namespace

qint64 Database::insertSet(const ProblemSet& s) {
  qint64 id = 0;
  write([&] {
    id = query(db_,
               QStringLiteral("INSERT INTO problem_sets (uuid, class_id, class_uuid, title, problem_ids, due_at, "
                              "allow_hints, allow_solutions, created_at, file_json, allow_reference) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
               {s.uuid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : s.uuid, s.classId,
                s.classUuid, s.title, problemIdsJson(s.problemIds), s.dueAt, s.allowHints, s.allowSolutions,
                s.createdAt ? s.createdAt : QDateTime::currentMSecsSinceEpoch(), QString::fromUtf8(s.fileJson),
                s.allowReference},
               "saving a problem set")
             .insertedId();
  });
  return id;
}

std::optional<ProblemSet> Database::set(qint64 id) {
  return query(db_, setsWhere("WHERE s.id = ?"), {id}, "reading a problem set").row(readSet);
}

std::optional<ProblemSet> Database::setByUuid(const QString& uuid) {
  return query(db_, setsWhere("WHERE s.uuid = ?"), {uuid}, "reading a problem set").row(readSet);
}

QList<ProblemSet> Database::setsOfClass(qint64 classId) {
  return query(db_, setsWhere("WHERE s.class_id = ? ORDER BY s.created_at, s.id"), {classId}, "listing problem sets")
      .rows(readSet);
}

QList<ProblemSet> Database::allSets() {
  return query(db_, setsWhere("ORDER BY s.created_at, s.id"), {}, "listing problem sets").rows(readSet);
}

void Database::renameSet(qint64 setId, const QString& title) {
  write([&] {
    query(db_, QStringLiteral("UPDATE problem_sets SET title = ? WHERE id = ?"), {title, setId}, "renaming a problem set");
  });
}

void Database::setSetUuid(qint64 setId, const QString& uuid) {
  write([&] {
    query(db_, QStringLiteral("UPDATE problem_sets SET uuid = ? WHERE id = ?"), {uuid, setId},
          "renaming a problem set's id");
  });
}

void Database::updateSet(const ProblemSet& s) {
  write([&] {
    query(db_,
          QStringLiteral("UPDATE problem_sets SET class_id = ?, class_uuid = ?, title = ?, problem_ids = ?, due_at = ?, "
                         "allow_hints = ?, allow_solutions = ?, allow_reference = ?, file_json = ? WHERE id = ?"),
          {s.classId, s.classUuid, s.title, problemIdsJson(s.problemIds), s.dueAt, s.allowHints, s.allowSolutions,
           s.allowReference, QString::fromUtf8(s.fileJson), s.id},
          "updating a problem set");
  });
}

void Database::deleteSet(qint64 setId) {
  write([&] { query(db_, QStringLiteral("DELETE FROM problem_sets WHERE id = ?"), {setId}, "deleting a problem set"); });
}

void Database::assign(qint64 setId, qint64 profileId) {
  write([&] {
    query(db_,
          QStringLiteral("INSERT INTO assignments (set_id, profile_id, assigned_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
          {setId, profileId, QDateTime::currentMSecsSinceEpoch()}, "assigning a problem set");
  });
}

QList<ProblemSet> Database::assignedSets(qint64 profileId) {
  return query(db_, setsWhere("JOIN assignments a ON a.set_id = s.id WHERE a.profile_id = ? ORDER BY s.created_at, s.id"),
               {profileId}, "listing assigned sets")
      .rows(readSet);
}

}  // namespace zaya::app
