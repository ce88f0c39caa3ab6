// The parts of Database that deal in whole files: opening read-only,
// snapshots (VACUUM INTO), checking a snapshot before it is restored and
// reopening after the file was replaced.
#include <QAtomicInt>
#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>

#include "database.h"
#include "owner_only.h"

namespace zaya::app {

namespace {

QAtomicInt g_readOnlyConnections;


}  // namespace

void Database::openReadOnly() {
  const QString native = QDir::toNativeSeparators(path_);
  if (!QFileInfo::exists(path_)) throw AppError(AppError::Kind::NotFound, QStringLiteral("%1 does not exist.").arg(native));
  // mode=ro still needs the -shm beside a WAL file; in a folder that cannot
  // be written that fails, and immutable=1 (no locks, no WAL) reads the main
  // file as it is — which is what a read-only folder holds after a clean exit.
  const QString uri = QUrl::fromLocalFile(QFileInfo(path_).absoluteFilePath()).toString(QUrl::FullyEncoded);
  for (const char* mode : {"?mode=ro", "?mode=ro&immutable=1"}) {
    if (db_.isValid()) {
      db_.close();
      db_ = QSqlDatabase();
      QSqlDatabase::removeDatabase(connectionName_);
    }
    connectionName_ = QStringLiteral("zaya-db-ro-%1").arg(g_readOnlyConnections.fetchAndAddRelaxed(1));
    db_ = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName_);
    db_.setDatabaseName(uri + QLatin1String(mode));
    db_.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI;QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db_.open()) continue;
    QSqlQuery check(db_);
    if (check.exec(QStringLiteral("SELECT count(*) FROM sqlite_schema")) && check.next()) return;
  }
  QSqlQuery check(db_);
  if (!check.exec(QStringLiteral("SELECT count(*) FROM sqlite_schema")) || !check.next())
    fail(QStringLiteral("opening read-only"), check.lastError().text());
}

void Database::snapshotTo(const QString& file) {
  const QString native = QDir::toNativeSeparators(file);
  if (QFileInfo::exists(file))
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 already exists; a snapshot needs a new file.").arg(native));
  const QString folder = QFileInfo(file).absolutePath();
  if (!QDir(folder).exists() && !makeOwnerOnlyFolder(folder))
    throw AppError(AppError::Kind::ReadOnly, QStringLiteral("Cannot create the folder %1.").arg(QDir::toNativeSeparators(folder)));
  createOwnerOnlyFile(file);  // VACUUM INTO accepts an empty file and keeps its mode
  auto q = prepare(QStringLiteral("VACUUM INTO ?"));
  q.addBindValue(file);
  try {
    exec(q, "writing a backup copy");
  } catch (...) {
    QFile::remove(file);
    throw;
  }
}

void Database::validateSnapshot(const QString& file) {
  const QString native = QDir::toNativeSeparators(file);
  if (!QFileInfo::exists(file)) throw AppError(AppError::Kind::NotFound, QStringLiteral("%1 does not exist.").arg(native));
  std::unique_ptr<Database> source;
  try {
    source = std::make_unique<Database>(file, Access::ReadOnly);
  } catch (const AppError& e) {
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 cannot be restored: %2").arg(native, e.message()));
  }
  QString check;
  int version = 0;
  bool hasAttempts = false;
  try {
    check = source->integrityCheck();
    version = source->schemaVersion();
    hasAttempts = source->schemaObjects().contains(QStringLiteral("table:attempts"));
  } catch (const AppError& e) {
    check = e.message();
  }
  if (check != QLatin1String("ok"))
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is damaged and cannot be restored: %2").arg(native, check));
  if (version < 1 || version > kSchemaVersion || !hasAttempts)
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("%1 is not a ZAYA Tutor database this version can restore (schema %2).").arg(native).arg(version));
}

void Database::reopen(Access access, const std::function<void()>& whileClosed) {
  db_.close();
  db_ = QSqlDatabase();
  QSqlDatabase::removeDatabase(connectionName_);
  depth_ = 0;
  if (whileClosed) whileClosed();
  access_ = access;
  if (access == Access::ReadOnly)
    openReadOnly();
  else
    open(kSchemaVersion);
}

}  // namespace zaya::app
