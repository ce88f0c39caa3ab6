#include "storage/statement.h"

#include <QSqlError>

namespace zaya::app::storage {

QVariant nullIfEmpty(const QString& s) { return s.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(s); }

QVariant nullIfEmpty(const QByteArray& b) {
  return b.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(b);
}

std::optional<qint64> optionalInt(const QVariant& v) {
  if (v.isNull()) return std::nullopt;
  return v.toLongLong();
}

std::optional<bool> optionalBool(const QVariant& v) {
  if (v.isNull()) return std::nullopt;
  return v.toInt() != 0;
}

Statement::Statement(Connection& db, const QString& sql, const char* what)
    : db_(db), q_(db.handle()), what_(QString::fromUtf8(what)) {
  // The SQL goes into the message: a statement that does not compile is the
  // app's own mistake, and the text says which one.
  if (!q_.prepare(sql)) db_.fail(what_, q_.lastError().text() + QStringLiteral(" [") + sql + QLatin1Char(']'));
}

Statement& Statement::bind(std::initializer_list<SqlValue> values) {
  int i = 0;
  for (const SqlValue& v : values) q_.bindValue(i++, v.variant());
  return *this;
}

Statement& Statement::bind(const QString& placeholder, const SqlValue& value) {
  q_.bindValue(placeholder, value.variant());
  return *this;
}

Statement& Statement::run() {
  if (!q_.exec()) db_.fail(what_, q_.lastError().text());
  return *this;
}

QVariant Statement::firstValue() {
  if (!q_.next()) db_.fail(what_, q_.lastError().isValid() ? q_.lastError().text() : QStringLiteral("no row returned"));
  return q_.value(0);
}

Statement query(Connection& db, const QString& sql, std::initializer_list<SqlValue> binds, const char* what) {
  Statement s(db, sql, what);
  s.bind(binds).run();
  return s;
}

}  // namespace zaya::app::storage
