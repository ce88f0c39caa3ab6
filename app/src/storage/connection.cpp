#include "storage/connection.h"

#include <sqlite3.h>

#include <QAtomicInt>
#include <QDir>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryFile>
#include <QUrl>

#include <cerrno>

#include "app_error.h"
#include "owner_only.h"
#include "storage/statement.h"

namespace zaya::app::storage {

namespace {

QAtomicInt g_connectionCounter;

// The raw connection handle, for SQLite's extended error code and errno.
sqlite3* sqliteHandle(const QSqlDatabase& db) {
  const QVariant v = db.driver() ? db.driver()->handle() : QVariant();
  if (v.isValid() && qstrcmp(v.typeName(), "sqlite3*") == 0) return *static_cast<sqlite3* const*>(v.constData());
  return nullptr;
}

}  // namespace

Connection::~Connection() { close(); }

void Connection::addConnection(const QString& name) {
  connectionName_ = name;
  db_ = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName_);
}

void Connection::close() {
  if (connectionName_.isEmpty()) return;
  db_.close();
  db_ = QSqlDatabase();
  QSqlDatabase::removeDatabase(connectionName_);
  connectionName_.clear();
  depth_ = 0;
}

[[noreturn]] void Connection::fail(const QString& what, const QString& driverText) {
  sqlite3* h = sqliteHandle(db_);
  const int code = h ? sqlite3_extended_errcode(h) : 0;
  const int sysErr = h ? sqlite3_system_errno(h) : 0;
  const int primary = code & 0xff;
  const QString file = QDir::toNativeSeparators(path_);
  if (primary == SQLITE_FULL || sysErr == ENOSPC || sysErr == EFBIG || sysErr == EDQUOT)
    throw AppError(AppError::Kind::DiskFull,
                   QStringLiteral("Could not save (%1): the disk holding %2 is full or the file-size limit was "
                                  "reached. Nothing of this change was written; everything saved before is intact.")
                       .arg(what, file));
  if (primary == SQLITE_READONLY || primary == SQLITE_PERM || sysErr == EROFS || sysErr == EACCES ||
      sysErr == EPERM)
    throw AppError(AppError::Kind::ReadOnly,
                   QStringLiteral("Could not save (%1): %2 is read-only. Check the folder's permissions or choose "
                                  "another data folder (ZAYA_DATA_DIR).")
                       .arg(what, file));
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    throw AppError(AppError::Kind::Corrupt,
                   QStringLiteral("%1 is damaged or is not a ZAYA Tutor database (%2: %3).").arg(file, what, driverText));
  throw AppError(AppError::Kind::Storage, QStringLiteral("Database error in %1 (%2): %3").arg(file, what, driverText));
}

void Connection::openReadWrite(const QString& path) {
  close();
  path_ = path;
  readOnly_ = false;
  const QFileInfo info(path_);
  QDir dir = info.absoluteDir();
  if (!dir.exists() && !makeOwnerOnlyFolder(dir.absolutePath()))
    throw AppError(AppError::Kind::ReadOnly,
                   QStringLiteral("Cannot create the data folder %1.").arg(QDir::toNativeSeparators(dir.absolutePath())));
  {
    // A real write probe: access() says yes to root even on a read-only mount.
    QTemporaryFile probe(dir.filePath(QStringLiteral(".write-probe-XXXXXX")));
    if (!probe.open())
      throw AppError(AppError::Kind::ReadOnly,
                     QStringLiteral("The data folder %1 is read-only: the database needs to write its journal "
                                    "beside it. Check the folder's permissions or set ZAYA_DATA_DIR.")
                         .arg(QDir::toNativeSeparators(dir.absolutePath())));
  }
  if (info.exists() && !info.isWritable())
    throw AppError(AppError::Kind::ReadOnly,
                   QStringLiteral("The database file %1 is read-only.").arg(QDir::toNativeSeparators(path_)));

  // The file holds class keys and answers: owner-only from the first byte
  // (SQLite's -wal and -shm copy its mode).
  if (!info.exists()) createOwnerOnlyFile(path_);
  makeOwnerOnly(path_);

  addConnection(QStringLiteral("zaya-db-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1)));
  db_.setDatabaseName(path_);
  db_.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
  if (!db_.open()) fail(QStringLiteral("opening"), db_.lastError().text());

  // Reading the header tells a non-database file apart before we write anything.
  query(*this, QStringLiteral("SELECT count(*) FROM sqlite_schema"), {}, "reading the schema").firstValue();
  const QString mode = query(*this, QStringLiteral("PRAGMA journal_mode = WAL"), {}, "switching to WAL")
                           .firstValue()
                           .toString();
  if (mode.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
    throw AppError(AppError::Kind::Storage,
                   QStringLiteral("%1: the file system does not support SQLite's WAL mode (journal mode is %2).")
                       .arg(QDir::toNativeSeparators(path_), mode));
  query(*this, QStringLiteral("PRAGMA foreign_keys = ON"), {}, "enabling foreign keys");
  // FULL: a commit that returned survives a power cut too, not only a killed process.
  query(*this, QStringLiteral("PRAGMA synchronous = FULL"), {}, "setting synchronous");
}

void Connection::openReadOnly(const QString& path) {
  close();
  path_ = path;
  readOnly_ = true;
  const QString native = QDir::toNativeSeparators(path_);
  if (!QFileInfo::exists(path_)) throw AppError(AppError::Kind::NotFound, QStringLiteral("%1 does not exist.").arg(native));
  // mode=ro still needs the -shm beside a WAL file; in a folder that cannot
  // be written that fails, and immutable=1 (no locks, no WAL) reads the main
  // file as it is — which is what a read-only folder holds after a clean exit.
  const QString uri = QUrl::fromLocalFile(QFileInfo(path_).absoluteFilePath()).toString(QUrl::FullyEncoded);
  for (const char* mode : {"?mode=ro", "?mode=ro&immutable=1"}) {
    close();
    addConnection(QStringLiteral("zaya-db-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1)));
    db_.setDatabaseName(uri + QLatin1String(mode));
    db_.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI;QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db_.open()) continue;
    // Trying is the point here: the second mode is the fallback for the first.
    QSqlQuery check(db_);
    if (check.exec(QStringLiteral("SELECT count(*) FROM sqlite_schema")) && check.next()) return;
  }
  query(*this, QStringLiteral("SELECT count(*) FROM sqlite_schema"), {}, "opening read-only").firstValue();
}

void Connection::write(const std::function<void()>& fn) {
  if (depth_ > 0) {
    ++depth_;
    try {
      fn();
    } catch (...) {
      --depth_;
      throw;
    }
    --depth_;
    return;
  }
  if (readOnly_)
    throw AppError(AppError::Kind::ReadOnly,
                   QStringLiteral("%1 is open read-only, so nothing was written.").arg(QDir::toNativeSeparators(path_)));
  query(*this, QStringLiteral("BEGIN IMMEDIATE"), {}, "starting a transaction");
  depth_ = 1;
  try {
    fn();
    query(*this, QStringLiteral("COMMIT"), {}, "committing");
    depth_ = 0;
  } catch (...) {
    depth_ = 0;
    QSqlQuery rollback(db_);
    rollback.exec(QStringLiteral("ROLLBACK"));  // may fail when SQLite already rolled back; nothing to do then
    throw;
  }
}

void Connection::runScript(const QString& sql, const char* what) {
  sqlite3* h = sqliteHandle(db_);
  if (!h) fail(QString::fromUtf8(what), QStringLiteral("the connection is not open"));
  char* error = nullptr;
  if (sqlite3_exec(h, sql.toUtf8().constData(), nullptr, nullptr, &error) != SQLITE_OK) {
    const QString text = QString::fromUtf8(error ? error : "unknown error");
    sqlite3_free(error);
    fail(QString::fromUtf8(what), text);
  }
}

}  // namespace zaya::app::storage
