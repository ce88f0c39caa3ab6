// Profiles: who practises (or teaches) on this computer, their passwords,
// and the roster links and keys of the classroom. Schema: v1 and v8
// (resources/sql/). Lookups by id and uuid use the table's own keys;
// classMembers() uses profiles_by_class.
#include <QDateTime>
#include <QUuid>

#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::nullIfEmpty;
using storage::query;

QString roleName(Role role) { return role == Role::Teacher ? QStringLiteral("teacher") : QStringLiteral("student"); }

namespace {

const char* kProfileColumns =
    "id, uuid, name, role, class_id, password_hash IS NOT NULL, created_at, roster_id, results_key, record_mac, roster";

Profile readProfile(const QSqlQuery& q) {
  Profile p;
  p.id = q.value(0).toLongLong();
  p.uuid = q.value(1).toString();
  p.name = q.value(2).toString();
  p.role = q.value(3).toString() == QLatin1String("teacher") ? Role::Teacher : Role::Student;
  p.classId = storage::optionalInt(q.value(4));
  p.hasPassword = q.value(5).toBool();
  p.createdAt = q.value(6).toLongLong();
  p.rosterId = q.value(7).toString();
  p.resultsKey = q.value(8).toByteArray();
  p.recordMac = q.value(9).toByteArray();
  p.isRoster = q.value(10).toBool();
  return p;
}

QString profilesWhere(const char* condition) {
  return QStringLiteral("SELECT %1 FROM profiles %2").arg(QLatin1String(kProfileColumns), QLatin1String(condition));
}

}  // namespace

qint64 Database::insertProfile(const Profile& p) {
  qint64 id = 0;
  write([&] {
    id = query(db_,
               QStringLiteral("INSERT INTO profiles (uuid, name, role, class_id, created_at, roster_id, results_key, roster) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
               {p.uuid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : p.uuid, p.name,
                roleName(p.role), p.classId, p.createdAt ? p.createdAt : QDateTime::currentMSecsSinceEpoch(),
                nullIfEmpty(p.rosterId), nullIfEmpty(p.resultsKey), p.isRoster},
               "adding a profile")
             .insertedId();
  });
  return id;
}

std::optional<Profile> Database::profile(qint64 id) {
  return query(db_, profilesWhere("WHERE id = ?"), {id}, "reading a profile").row(readProfile);
}

std::optional<Profile> Database::profileByUuid(const QString& uuid) {
  return query(db_, profilesWhere("WHERE uuid = ?"), {uuid}, "reading a profile").row(readProfile);
}

QList<Profile> Database::profiles() {
  return query(db_, profilesWhere("ORDER BY name, id"), {}, "listing profiles").rows(readProfile);
}

QList<Profile> Database::classMembers(qint64 classId) {
  return query(db_, profilesWhere("WHERE class_id = ? ORDER BY name, id"), {classId}, "listing a class").rows(readProfile);
}

void Database::setProfileClass(qint64 profileId, std::optional<qint64> classId) {
  write([&] {
    query(db_, QStringLiteral("UPDATE profiles SET class_id = ? WHERE id = ?"), {classId, profileId},
          "moving a profile to a class");
  });
}

void Database::setPassword(qint64 profileId, const PasswordRecord& r) {
  write([&] {
    query(db_,
          QStringLiteral("UPDATE profiles SET password_salt = ?, password_hash = ?, password_iterations = ? WHERE id = ?"),
          {r.salt, r.hash, r.iterations, profileId}, "storing a password");
  });
}

std::optional<PasswordRecord> Database::password(qint64 profileId) {
  return query(db_,
               QStringLiteral("SELECT password_salt, password_hash, password_iterations FROM profiles "
                              "WHERE id = ? AND password_hash IS NOT NULL"),
               {profileId}, "reading a password")
      .row([](const QSqlQuery& q) {
        return PasswordRecord{q.value(0).toByteArray(), q.value(1).toByteArray(), q.value(2).toInt()};
      });
}

void Database::renameProfile(qint64 profileId, const QString& name) {
  write([&] { query(db_, QStringLiteral("UPDATE profiles SET name = ? WHERE id = ?"), {name, profileId}, "renaming a profile"); });
}

void Database::deleteProfile(qint64 profileId) {
  write([&] { query(db_, QStringLiteral("DELETE FROM profiles WHERE id = ?"), {profileId}, "deleting a profile"); });
}

void Database::linkProfileToRoster(qint64 profileId, const QString& rosterId, const QByteArray& resultsKey) {
  write([&] {
    query(db_, QStringLiteral("UPDATE profiles SET roster_id = ?, results_key = ? WHERE id = ?"),
          {nullIfEmpty(rosterId), nullIfEmpty(resultsKey), profileId}, "linking a profile to the class roster");
  });
}

void Database::setProfileResultsKey(qint64 profileId, const QByteArray& key) {
  write([&] {
    query(db_, QStringLiteral("UPDATE profiles SET results_key = ? WHERE id = ?"), {key, profileId},
          "storing a student's key");
  });
}

}  // namespace zaya::app
