// Settings: one text value per key (schema v1; the primary key serves both).
#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

QString Database::setting(const QString& key, const QString& fallback) {
  auto q = query(db_, QStringLiteral("SELECT value FROM settings WHERE key = ?"), {key}, "reading a setting");
  return q.next() ? q.value(0).toString() : fallback;
}

void Database::setSetting(const QString& key, const QString& value) {
  write([&] {
    query(db_,
          QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
          {key, value}, "saving a setting");
  });
}

}  // namespace zaya::app
