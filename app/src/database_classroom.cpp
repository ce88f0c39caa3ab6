// Renaming and deleting the classroom's rows, roster links and keys, and the
// MACs of the teacher's records (schema v8 in database.cpp). Every statement
// is by primary key, so no index beyond the tables' own is needed.
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QVariant>

#include "database.h"

namespace zaya::app {

namespace {
QVariant text(const QString& s) { return s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s); }
QVariant optionalId(const std::optional<qint64>& v) { return v ? QVariant(*v) : QVariant(QMetaType(QMetaType::LongLong)); }
}  // namespace

void Database::renameProfile(qint64 profileId, const QString& name) {
  write([&] {
    auto q = prepare(QStringLiteral("UPDATE profiles SET name = ? WHERE id = ?"));
    q.addBindValue(text(name));
    q.addBindValue(profileId);
    exec(q, "renaming a profile");
  });
}

void Database::deleteProfile(qint64 profileId) {
  write([&] {
    auto q = prepare(QStringLiteral("DELETE FROM profiles WHERE id = ?"));
    q.addBindValue(profileId);
    exec(q, "deleting a profile");
  });
}

void Database::linkProfileToRoster(qint64 profileId, const QString& rosterId, const QByteArray& resultsKey) {
  write([&] {
    auto q = prepare(QStringLiteral("UPDATE profiles SET roster_id = ?, results_key = ? WHERE id = ?"));
    q.addBindValue(rosterId.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(rosterId));
    q.addBindValue(resultsKey.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(resultsKey));
    q.addBindValue(profileId);
    exec(q, "linking a profile to the class roster");
  });
}

void Database::setProfileResultsKey(qint64 profileId, const QByteArray& key) {
  write([&] {
    auto q = prepare(QStringLiteral("UPDATE profiles SET results_key = ? WHERE id = ?"));
    q.addBindValue(key);
    q.addBindValue(profileId);
    exec(q, "storing a student's key");
  });
}

void Database::renameClass(qint64 classId, const QString& name) {
  write([&] {
    auto q = prepare(QStringLiteral("UPDATE classes SET name = ? WHERE id = ?"));
    q.addBindValue(text(name));
    q.addBindValue(classId);
    exec(q, "renaming a class");
  });
}

void Database::deleteClass(qint64 classId) {
  write([&] {
    auto q = prepare(QStringLiteral("DELETE FROM classes WHERE id = ?"));
    q.addBindValue(classId);
    exec(q, "deleting a class");
  });
}

bool Database::hasClasses() {
  auto q = prepare(QStringLiteral("SELECT 1 FROM classes LIMIT 1"));
  exec(q, "looking for classes");
  return q.next();
}

void Database::renameSet(qint64 setId, const QString& title) {
  write([&] {
    auto q = prepare(QStringLiteral("UPDATE problem_sets SET title = ? WHERE id = ?"));
    q.addBindValue(text(title));
    q.addBindValue(setId);
    exec(q, "renaming a problem set");
  });
}

void Database::setSetUuid(qint64 setId, const QString& uuid) {
  write([&] {
    auto q = prepare(QStringLiteral("UPDATE problem_sets SET uuid = ? WHERE id = ?"));
    q.addBindValue(text(uuid));
    q.addBindValue(setId);
    exec(q, "renaming a problem set's id");
  });
}

void Database::updateSet(const ProblemSet& s) {
  write([&] {
    auto q = prepare(QStringLiteral(
        "UPDATE problem_sets SET class_id = ?, class_uuid = ?, title = ?, problem_ids = ?, due_at = ?, allow_hints = ?, "
        "allow_solutions = ?, allow_reference = ?, file_json = ? WHERE id = ?"));
    const QByteArray ids = QJsonDocument(QJsonArray::fromStringList(s.problemIds)).toJson(QJsonDocument::Compact);
    q.addBindValue(optionalId(s.classId));
    q.addBindValue(text(s.classUuid));
    q.addBindValue(text(s.title));
    q.addBindValue(ids);
    q.addBindValue(optionalId(s.dueAt));
    q.addBindValue(int(s.allowHints));
    q.addBindValue(int(s.allowSolutions));
    q.addBindValue(int(s.allowReference));
    q.addBindValue(text(QString::fromUtf8(s.fileJson)));
    q.addBindValue(s.id);
    exec(q, "updating a problem set");
  });
}

void Database::deleteSet(qint64 setId) {
  write([&] {
    auto q = prepare(QStringLiteral("DELETE FROM problem_sets WHERE id = ?"));
    q.addBindValue(setId);
    exec(q, "deleting a problem set");
  });
}

void Database::deleteImportedResults(qint64 classId, const QString& setUuid) {
  write([&] {
    // Index: imported_results_by_set (class_id, set_uuid, …).
    auto q = prepare(QStringLiteral("DELETE FROM imported_results WHERE class_id = ? AND set_uuid = ?"));
    q.addBindValue(classId);
    q.addBindValue(text(setUuid));
    exec(q, "deleting imported results");
  });
}

void Database::setRecordMac(RecordTable table, qint64 id, const QByteArray& mac) {
  const char* name = "profiles";
  switch (table) {
    case RecordTable::Profiles: name = "profiles"; break;
    case RecordTable::Classes: name = "classes"; break;
    case RecordTable::ProblemSets: name = "problem_sets"; break;
    case RecordTable::ImportedResults: name = "imported_results"; break;
  }
  write([&] {
    auto q = prepare(QStringLiteral("UPDATE %1 SET record_mac = ? WHERE id = ?").arg(QLatin1String(name)));
    q.addBindValue(mac);
    q.addBindValue(id);
    exec(q, "signing a teacher record");
  });
}

}  // namespace zaya::app
