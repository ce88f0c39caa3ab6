// storage/statement.h, which every query goes through: a failing statement throws
// AppError naming what the app was doing with SQLite's own error text (and the
// SQL when it does not compile); values bind by the app's conventions; and
// the schema steps in the resources match the version the app claims.
#include <QTemporaryDir>
#include <QtTest>

#include "database.h"
#include "storage/migrations.h"
#include "storage/statement.h"

using namespace zaya::app;
using storage::query;

class TestStatement : public QObject {
  Q_OBJECT
 private slots:
  void init() {
    QVERIFY(dir_.isValid());
    db_.openReadWrite(dir_.filePath(QStringLiteral("t.sqlite")));
    query(db_, QStringLiteral("CREATE TABLE IF NOT EXISTS t (s TEXT NOT NULL CHECK (length(s) < 5), n INTEGER)"), {},
          "creating a table");
    query(db_, QStringLiteral("DELETE FROM t"), {}, "emptying a table");
  }
  void cleanup() { db_.close(); }

  void failedRunNamesWhatWithTheSqliteError() {
    try {
      query(db_, QStringLiteral("INSERT INTO t (s) VALUES (?)"), {QStringLiteral("too long")}, "adding a row");
      QFAIL("expected an error");
    } catch (const AppError& e) {
      QCOMPARE(e.kind(), AppError::Kind::Storage);
      QVERIFY2(e.message().contains(QStringLiteral("adding a row")), qPrintable(e.message()));
      QVERIFY2(e.message().contains(QStringLiteral("CHECK constraint failed")), qPrintable(e.message()));
    }
  }

  void statementThatDoesNotCompileShowsItsSql() {
    try {
      query(db_, QStringLiteral("SELEC s FROM t"), {}, "reading rows");
      QFAIL("expected an error");
    } catch (const AppError& e) {
      QVERIFY2(e.message().contains(QStringLiteral("reading rows")), qPrintable(e.message()));
      QVERIFY2(e.message().contains(QStringLiteral("syntax error")), qPrintable(e.message()));
      QVERIFY2(e.message().contains(QStringLiteral("[SELEC s FROM t]")), qPrintable(e.message()));
    }
  }

  void valuesBindByTheAppsConventions() {
    // A null QString is '' (text columns are NOT NULL); an empty optional and
    // nullIfEmpty are NULL; a bool is 0/1.
    const QString nullText;
    query(db_, QStringLiteral("INSERT INTO t (s, n) VALUES (?, ?)"), {nullText, std::optional<qint64>{}}, "adding a row");
    query(db_, QStringLiteral("INSERT INTO t (s, n) VALUES (?, ?)"), {QStringLiteral("b"), true}, "adding a row");
    QVERIFY_THROWS_EXCEPTION(AppError, query(db_, QStringLiteral("INSERT INTO t (s) VALUES (?)"),
                                             {storage::nullIfEmpty(QString())}, "adding a row"));
    const auto rows = query(db_, QStringLiteral("SELECT s, n FROM t ORDER BY s"), {}, "reading rows")
                          .rows([](const QSqlQuery& q) { return std::pair{q.value(0), q.value(1)}; });
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].first.toString(), QString());
    QVERIFY(!rows[0].first.isNull() && rows[0].second.isNull());
    QCOMPARE(rows[1].second.toInt(), 1);
  }

  void rowIsEmptyWhenNothingMatches() {
    const auto none = query(db_, QStringLiteral("SELECT s FROM t WHERE n = ?"), {42}, "reading a row")
                          .row([](const QSqlQuery& q) { return q.value(0).toString(); });
    QVERIFY(!none);
  }

  void schemaStepsMatchTheSchemaVersion() { QCOMPARE(storage::knownSchemaVersion(), Database::kSchemaVersion); }

 private:
  QTemporaryDir dir_;
  storage::Connection db_;
};

QTEST_GUILESS_MAIN(TestStatement)
#include "test_statement.moc"
