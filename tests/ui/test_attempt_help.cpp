// Attempts on the practice screen: a right answer after opening the
// reference solution is stored as helped and stays in review; pressing Check
// again on the same answer is one attempt, not two.
#include <QLineEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QtTest>

#include "app_context.h"
#include "document_view.h"
#include "main_window.h"
#include "practice_view.h"
#include "problem_panel.h"
#include "progress_service.h"

using zaya::ui::MainWindow;

class TestAttemptHelp : public QObject {
  Q_OBJECT

  MainWindow* window_ = nullptr;
  zaya::ui::ProblemPanel* panel() { return window_->practiceView()->panel(); }
  zaya::app::ProgressService& progress() { return window_->appContext()->progress(); }
  qint64 me() { return window_->appContext()->studentId(); }
  QTabWidget* tabs() {
    for (auto* t : panel()->findChildren<QTabWidget*>())
      if (t->accessibleName() == QStringLiteral("Problem tabs")) return t;
    return nullptr;
  }

  bool open(const QString& id) {
    window_->openProblem(id);
    return panel()->problem() && QString::fromStdString(panel()->problem()->id) == id;
  }
  // Types `answer` and presses Return, as the student does; waits for the verdict.
  bool answer(const QString& text) {
    panel()->answerField()->setFocus();
    panel()->answerField()->selectAll();
    QTest::keyClicks(panel()->answerField(), text);
    QTest::keyClick(panel()->answerField(), Qt::Key_Return);
    return QTest::qWaitFor([&] { return !panel()->checkRunning(); }, 10000);
  }
  QList<zaya::app::Attempt> attemptsOn(const QString& id) {
    QList<zaya::app::Attempt> out;
    for (const auto& a : progress().attempts(me()))
      if (a.problemId == id) out << a;
    return out;
  }

 private slots:
  void initTestCase() {
    window_ = new MainWindow;
    QSignalSpy loaded(window_, &MainWindow::bankLoaded);
    window_->show();
    QVERIFY(loaded.wait(60000));
    QVERIFY2(loaded.first().at(0).toBool(), qPrintable(loaded.first().at(1).toString()));
    QVERIFY(window_->appContext()->ok());
    QVERIFY(tabs());
  }
  void cleanupTestCase() { delete window_; }

  void rightAfterTheReferenceTabIsHelped() {
    const QString id = QStringLiteral("gsm8k-test-0000");
    QVERIFY(open(id));
    tabs()->setCurrentIndex(1);  // the student clicks the "Reference solution" tab
    QCOMPARE(tabs()->currentWidget(), panel()->referenceView());
    tabs()->setCurrentIndex(0);  // and back to the problem
    QVERIFY(answer(QString::fromStdString(panel()->problem()->answer)));
    QVERIFY(panel()->verdictText().startsWith(QStringLiteral("✓")));
    const auto stored = attemptsOn(id);
    QCOMPARE(stored.size(), 1);
    QVERIFY(stored[0].correct);
    QVERIFY(stored[0].referenceSolutionViewed);
    QVERIFY(stored[0].helped());
    // Not mastered: in the review queue, box 1; not marked solved.
    const auto queue = progress().reviewQueue(me());
    const auto item = std::find_if(queue.begin(), queue.end(), [&](const auto& r) { return r.problemId == id; });
    QVERIFY(item != queue.end());
    QCOMPARE(item->box, 1);
    const auto status = progress().problemStatuses(me(), QDateTime::currentMSecsSinceEpoch()).value(id);
    QVERIFY(status.standing != zaya::app::ProblemStanding::Solved);
  }

  void theShortcutsReferenceTabCountsToo() {
    const QString id = QStringLiteral("gsm8k-test-0001");
    QVERIFY(open(id));
    QVERIFY(answer(QStringLiteral("-1")));  // wrong, with no help
    panel()->showReferenceTab();
    QCOMPARE(tabs()->currentWidget(), panel()->referenceView());
    QVERIFY(answer(QString::fromStdString(panel()->problem()->answer)));
    const auto stored = attemptsOn(id);
    QCOMPARE(stored.size(), 2);
    QVERIFY(!stored[0].helped());
    QVERIFY(stored[1].helped());
  }

  void theSameAnswerCheckedTwiceIsOneAttempt() {
    const QString id = QStringLiteral("gsm8k-test-0002");
    QVERIFY(open(id));
    const QString right = QString::fromStdString(panel()->problem()->answer);
    QVERIFY(answer(right));
    QTest::keyClick(panel()->answerField(), Qt::Key_Return);  // Check again, unchanged
    QVERIFY(QTest::qWaitFor([&] { return !panel()->checkRunning(); }, 10000));
    QVERIFY(panel()->verdictText().startsWith(QStringLiteral("✓")));
    QVERIFY(panel()->verdictReasonText().contains(QStringLiteral("not counted again")));
    auto stored = attemptsOn(id);
    QCOMPARE(stored.size(), 1);
    QVERIFY(!stored[0].helped());
    // Right alone, first time: no review needed.
    const auto queue = progress().reviewQueue(me());
    QVERIFY(std::none_of(queue.begin(), queue.end(), [&](const auto& r) { return r.problemId == id; }));
    // A changed answer is a new attempt.
    QVERIFY(answer(right + QStringLiteral("1")));
    QCOMPARE(attemptsOn(id).size(), 2);
  }
};

QTEST_MAIN(TestAttemptHelp)
#include "test_attempt_help.moc"
