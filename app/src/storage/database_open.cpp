// Opening, reopening and checking the database file, and its transactions:
// the parts of Database that are about the connection rather than a table.
#include <QDir>
#include <QSqlError>
#include <QSqlQuery>

#include "app_info.h"
#include "database.h"
#include "storage/migrations.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

QString Database::defaultPath() { return QDir(dataDirectory()).filePath(QStringLiteral("zaya-tutor.sqlite")); }

Database::Database(const QString& path) { open(path, Access::ReadWrite, kSchemaVersion); }

Database::Database(const QString& path, int version) { open(path, Access::ReadWrite, version); }

Database::Database(const QString& path, Access access) { open(path, access, kSchemaVersion); }

Database::~Database() = default;

void Database::open(const QString& path, Access access, int targetVersion) {
  if (access == Access::ReadOnly) {
    db_.openReadOnly(path);
    return;
  }
  db_.openReadWrite(path);
  storage::migrate(db_, targetVersion);
}

void Database::reopen(Access access, const std::function<void()>& whileClosed) {
  const QString file = db_.path();
  db_.close();
  if (whileClosed) whileClosed();
  open(file, access, kSchemaVersion);
}

void Database::write(const std::function<void()>& fn) { db_.write(fn); }

int Database::schemaVersion() { return storage::schemaVersion(db_); }

QString Database::journalMode() {
  return query(db_, QStringLiteral("PRAGMA journal_mode"), {}, "journal mode").firstValue().toString();
}

bool Database::foreignKeysOn() {
  return query(db_, QStringLiteral("PRAGMA foreign_keys"), {}, "foreign keys").firstValue().toInt() == 1;
}

QString Database::integrityCheck() {
  auto q = query(db_, QStringLiteral("PRAGMA integrity_check"), {}, "integrity check");
  return q.rows([](const QSqlQuery& r) { return r.value(0).toString(); }).join(QLatin1Char('\n'));
}

QString Database::quickCheck() {
  // Reports rather than throws: a file too damaged for the check to run is
  // exactly what the caller asks about.
  QSqlQuery q(db_.handle());
  if (!q.exec(QStringLiteral("PRAGMA quick_check(20)"))) return q.lastError().databaseText();
  QStringList lines;
  while (q.next()) lines << q.value(0).toString();
  if (q.lastError().isValid()) lines << q.lastError().databaseText();
  return lines.isEmpty() ? QStringLiteral("the check returned nothing") : lines.join(QLatin1Char('\n'));
}

QStringList Database::schemaObjects() {
  return query(db_, QStringLiteral("SELECT type || ':' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY 1"),
               {}, "listing the schema")
      .rows([](const QSqlQuery& r) { return r.value(0).toString(); });
}

}  // namespace zaya::app
