// The one shape every query has: prepare, bind, run, read the rows. A
// failure at any step throws AppError (Connection::fail) naming what the app
// was doing and carrying SQLite's error text, so no caller checks a result.
//
//   auto p = query(db, "SELECT … FROM profiles WHERE id = ?", {id}, "reading a profile").row(readProfile);
//
// SqlValue carries the app's conventions for binding: text columns are NOT
// NULL, so a null QString binds as ''; an empty optional binds as NULL;
// bools bind as 0/1. nullIfEmpty() makes an empty string or key NULL where a
// column means "none" by NULL.
#pragma once

#include <QByteArray>
#include <QList>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <initializer_list>
#include <optional>
#include <type_traits>

#include "storage/connection.h"

namespace zaya::app::storage {

class SqlValue {
 public:
  SqlValue(const QVariant& v) : value_(v) {}
  SqlValue(const QString& s) : value_(s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s)) {}
  SqlValue(const char* s) : SqlValue(QString::fromUtf8(s)) {}
  SqlValue(const QByteArray& b) : value_(b) {}  // a null array binds as NULL, an empty one as an empty blob
  SqlValue(int v) : value_(v) {}
  SqlValue(qint64 v) : value_(v) {}
  SqlValue(double v) : value_(v) {}
  SqlValue(bool v) : value_(int(v)) {}
  SqlValue(const std::optional<qint64>& v) : value_(v ? QVariant(*v) : QVariant(QMetaType(QMetaType::LongLong))) {}
  SqlValue(const std::optional<bool>& v) : value_(v ? QVariant(int(*v)) : QVariant(QMetaType(QMetaType::Int))) {}

  const QVariant& variant() const { return value_; }

 private:
  QVariant value_;
};

QVariant nullIfEmpty(const QString& s);
QVariant nullIfEmpty(const QByteArray& b);

// Reading back what SqlValue wrote as NULL.
std::optional<qint64> optionalInt(const QVariant& v);
std::optional<bool> optionalBool(const QVariant& v);

class Statement {
 public:
  // Prepares `sql`; `what` ("reading a profile") names this statement in
  // every error it throws.
  Statement(Connection& db, const QString& sql, const char* what);

  // Binds the positional placeholders in order (again before each run of a
  // reused statement).
  Statement& bind(std::initializer_list<SqlValue> values);
  Statement& bind(const QString& placeholder, const SqlValue& value);
  Statement& run();

  bool next() { return q_.next(); }
  QVariant value(int column) const { return q_.value(column); }
  // The first column of the first row; a statement that returns no row fails.
  QVariant firstValue();
  qint64 insertedId() const { return q_.lastInsertId().toLongLong(); }
  int rowsAffected() const { return q_.numRowsAffected(); }

  // Every remaining row through read(const QSqlQuery&).
  template <class Read>
  auto rows(Read read) -> QList<std::invoke_result_t<Read, const QSqlQuery&>> {
    QList<std::invoke_result_t<Read, const QSqlQuery&>> out;
    while (q_.next()) out << read(q_);
    return out;
  }
  // The next row through read, or nothing when there is none.
  template <class Read>
  auto row(Read read) -> std::optional<std::invoke_result_t<Read, const QSqlQuery&>> {
    if (!q_.next()) return std::nullopt;
    return read(q_);
  }

 private:
  Connection& db_;
  QSqlQuery q_;
  QString what_;
};

// Prepares, binds and runs in one call; the result is ready to be read.
Statement query(Connection& db, const QString& sql, std::initializer_list<SqlValue> binds, const char* what);

}  // namespace zaya::app::storage
