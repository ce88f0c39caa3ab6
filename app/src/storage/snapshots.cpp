// Whole-file snapshots: a consistent copy of the database (VACUUM INTO) and
// the checks a snapshot passes before it replaces the live file.
#include <QDir>
#include <QFileInfo>

#include <memory>

#include "database.h"
#include "owner_only.h"
#include "storage/statement.h"

namespace zaya::app {

void Database::snapshotTo(const QString& file) {
  const QString native = QDir::toNativeSeparators(file);
  if (QFileInfo::exists(file))
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 already exists; a snapshot needs a new file.").arg(native));
  const QString folder = QFileInfo(file).absolutePath();
  if (!QDir(folder).exists() && !makeOwnerOnlyFolder(folder))
    throw AppError(AppError::Kind::ReadOnly, QStringLiteral("Cannot create the folder %1.").arg(QDir::toNativeSeparators(folder)));
  createOwnerOnlyFile(file);  // VACUUM INTO accepts an empty file and keeps its mode
  try {
    storage::query(db_, QStringLiteral("VACUUM INTO ?"), {file}, "writing a backup copy");
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

}  // namespace zaya::app
