#include "storage/migrations.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QStringList>

#include "app_error.h"
#include "storage/statement.h"

namespace zaya::app::storage {

namespace {

// The step files compiled into the app (app/CMakeLists.txt), in version
// order. Their numbering is checked so that a missing or misnamed file is a
// loud failure on the first open, never a silently shorter schema.
const QStringList& stepFiles() {
  static const QStringList files = [] {
    const QString folder = QStringLiteral(":/sql");
    QStringList names = QDir(folder).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    static const QRegularExpression numbered(QStringLiteral("^(\\d{3})_[a-z0-9_]+\\.sql$"));
    QStringList out;
    for (int i = 0; i < names.size(); ++i) {
      const auto m = numbered.match(names[i]);
      if (!m.hasMatch() || m.captured(1).toInt() != i + 1)
        throw AppError(AppError::Kind::Storage,
                       QStringLiteral("The app's schema step %1 is misnumbered (expected %2): the build is broken.")
                           .arg(names[i])
                           .arg(i + 1, 3, 10, QLatin1Char('0')));
      out << folder + QLatin1Char('/') + names[i];
    }
    return out;
  }();
  return files;
}

QString readStep(const QString& file) {
  QFile f(file);
  if (!f.open(QIODevice::ReadOnly))
    throw AppError(AppError::Kind::Storage, QStringLiteral("The app's schema step %1 cannot be read.").arg(file));
  return QString::fromUtf8(f.readAll());
}

}  // namespace

int schemaVersion(Connection& db) {
  return query(db, QStringLiteral("PRAGMA user_version"), {}, "reading the schema version").firstValue().toInt();
}

int knownSchemaVersion() { return int(stepFiles().size()); }

void migrate(Connection& db, int targetVersion) {
  const int current = schemaVersion(db);
  const int known = knownSchemaVersion();
  if (current > known)
    throw AppError(AppError::Kind::Corrupt,
                   QStringLiteral("%1 was written by a newer version of ZAYA Tutor (schema %2; this version knows up "
                                  "to %3). Update the app to open it.")
                       .arg(QDir::toNativeSeparators(db.path()))
                       .arg(current)
                       .arg(known));
  for (int v = current; v < targetVersion && v < known; ++v) {
    const QString sql = readStep(stepFiles()[v]);
    db.write([&] {
      db.runScript(sql, "migrating the schema");
      // PRAGMA takes no bound values: the number is the app's own.
      query(db, QStringLiteral("PRAGMA user_version = %1").arg(v + 1), {}, "recording the schema version");
    });
  }
}

}  // namespace zaya::app::storage
