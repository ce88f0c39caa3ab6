// The progress dashboard on its own database: the empty state of a new
// student, then charts, calendar, streak, history and the review queue once
// attempts are recorded; "Start review" asks for the first due problem.
#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "app_context.h"
#include "progress_view.h"

using zaya::ui::AppContext;
using zaya::ui::ProgressView;

class TestProgressView : public QObject {
  Q_OBJECT
 private slots:
  void newStudentSeesAnEmptyStateThatExplains() {
    QTemporaryDir dir;
    AppContext ctx(dir.filePath(QStringLiteral("p.sqlite")));
    QVERIFY2(ctx.ok(), qPrintable(ctx.error()));
    QVERIFY(ctx.studentId() > 0);
    QVERIFY(ctx.auth().current() && ctx.auth().current()->id == ctx.studentId());
    ProgressView v(&ctx);
    v.resize(1100, 900);
    v.show();
    QVERIFY(v.isEmptyState());
    QVERIFY2(v.summaryText().contains(QStringLiteral("No streak yet")), qPrintable(v.summaryText()));
    QCOMPARE(v.historyTable()->rowCount(), 0);
    QVERIFY(!v.startReviewButton()->isEnabled());
    QCOMPARE(v.reviewList()->count(), 1);
    QVERIFY(!(v.reviewList()->item(0)->flags() & Qt::ItemIsSelectable));
    QVERIFY(v.assignmentList()->item(0)->text().contains(QStringLiteral("No assignments")));
    const QDate today = QDate::currentDate();
    QVERIFY(v.heatmap()->toolTipFor(today).contains(QStringLiteral("no practice")));
  }

  void attemptsFillChartsCalendarHistoryAndReviews() {
    QTemporaryDir dir;
    AppContext ctx(dir.filePath(QStringLiteral("p.sqlite")));
    QVERIFY2(ctx.ok(), qPrintable(ctx.error()));
    ProgressView v(&ctx);
    v.resize(1100, 900);
    v.show();
    auto record = [&](const QString& id, const QString& topic, int level, bool correct, qint64 ms) {
      zaya::app::NewAttempt a;
      a.problemId = id;
      a.topic = topic;
      a.difficulty = level;
      a.answer = QStringLiteral("42");
      a.correct = correct;
      a.millisTaken = ms;
      ctx.progress().recordAttempt(a);
    };
    record(QStringLiteral("math-test-0001"), QStringLiteral("Algebra"), 2, true, 60000);
    record(QStringLiteral("math-test-0002"), QStringLiteral("Algebra"), 3, false, 90000);
    record(QStringLiteral("math-test-0003"), QStringLiteral("Geometry"), 1, true, 30000);
    // attemptRecorded refreshes the view.
    QVERIFY(!v.isEmptyState());
    QCOMPARE(v.historyTable()->rowCount(), 3);
    // Newest first.
    QCOMPARE(v.historyTable()->item(0, 1)->text(), QStringLiteral("math-test-0003"));
    QVERIFY(v.historyTable()->item(1, 5)->text().contains(QStringLiteral("wrong")));
    QCOMPARE(v.accuracySeriesCount(), 2);
    QCOMPARE(v.masteryTopics(), (QStringList{QStringLiteral("Algebra"), QStringLiteral("Geometry")}));
    QVERIFY2(v.summaryText().contains(QStringLiteral("1-day streak")), qPrintable(v.summaryText()));
    QVERIFY2(v.summaryText().contains(QStringLiteral("3 problems answered")), qPrintable(v.summaryText()));
    QVERIFY2(v.summaryText().contains(QStringLiteral("3 min this week")), qPrintable(v.summaryText()));
    const QDate today = QDate::currentDate();
    const QString tip = v.heatmap()->toolTipFor(today);
    QVERIFY2(tip.contains(QStringLiteral("3 problems")) && tip.contains(QStringLiteral("2 correct")), qPrintable(tip));
    QCOMPARE(v.heatmap()->dayAt(v.heatmap()->cellRect(today).center()), today);
    QVERIFY(!v.heatmap()->dayAt(QPoint(1, 1)).isValid());
    // The wrong answer waits a day; nothing is due yet.
    QVERIFY(!v.startReviewButton()->isEnabled());

    // Once it is due, "Start review" asks for it.
    auto item = ctx.database().review(ctx.studentId(), QStringLiteral("math-test-0002"));
    QVERIFY(item);
    item->dueAt = QDateTime::currentMSecsSinceEpoch() - 1000;
    ctx.database().upsertReview(*item);
    v.refresh();
    QVERIFY(v.startReviewButton()->isEnabled());
    QSignalSpy asked(&v, &ProgressView::reviewRequested);
    v.startReviewButton()->click();
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.front().front().toString(), QStringLiteral("math-test-0002"));

    v.setTheme(QStringLiteral("dark"));
    QCOMPARE(v.accuracyChart()->chart()->theme(), QChart::ChartThemeDark);
    QVERIFY(!v.grab().isNull());
  }

  void unreadableDatabaseIsReportedNotCrashed() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.sqlite"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(4096, 'x'));
    f.close();
    AppContext ctx(path);
    QVERIFY(!ctx.ok());
    QVERIFY(!ctx.error().isEmpty());
    ProgressView v(&ctx);
    v.show();
    QVERIFY(!v.isEmptyState());
  }
};

QTEST_MAIN(TestProgressView)
#include "test_progress_view.moc"
