// The practice screen checks an answer on a worker thread: while the checker
// works on an answer whose exact form is astronomically large, a 50 ms timer on
// the GUI thread keeps firing, "Checking…" is shown until the verdict comes, and
// a verdict for a problem the student has left is not drawn on the next one.
// The runner's own time budget reports a check that does not answer in time.
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTimer>
#include <QtTest>

#include <chrono>
#include <thread>

#include "answer_check_runner.h"
#include "problem_panel.h"

namespace {

zaya::problems::Problem problemWithKey(const std::string& id, const std::string& key) {
  zaya::problems::Problem p;
  p.id = id;
  p.source_key = "math";
  p.source = "Test";
  p.statement_latex = "Compute $x$.";
  p.answer = key;
  p.accepted_answers = {key};
  return p;
}

// Longest gap between ticks of a 50 ms GUI timer until `done` holds or
// `limitMs` passes.
template <typename Done>
qint64 longestTimerGap(Done done, int limitMs) {
  QElapsedTimer clock, sinceTick;
  clock.start();
  sinceTick.start();
  qint64 longest = 0;
  QTimer ticker;
  ticker.setInterval(50);
  QObject::connect(&ticker, &QTimer::timeout, [&] {
    longest = std::max(longest, sinceTick.restart());
  });
  ticker.start();
  while (!done() && clock.elapsed() < limitMs) QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  longest = std::max(longest, sinceTick.elapsed());
  return longest;
}

}  // namespace

class TestCheckOffGuiThread : public QObject {
  Q_OBJECT

 private slots:
  void checkButtonKeepsTheWindowResponsive() {
    zaya::ui::ProblemPanel panel;
    panel.show();
    const auto problem = problemWithKey("t-1", "1");
    panel.setProblem(&problem);
    for (const char* answer : {"(a+b+c+d+e+f+g+h)^{40}", "((9^{2000})^{2000})^{2000}"}) {
      panel.answerField()->setText(QString::fromUtf8(answer));
      QTest::keyClick(panel.answerField(), Qt::Key_Return);
      QCOMPARE(panel.verdictText(), QStringLiteral("Checking…"));
      const qint64 gap = longestTimerGap([&] { return !panel.checkRunning(); }, 10000);
      QVERIFY2(!panel.checkRunning(), answer);
      QVERIFY2(gap < 300, qPrintable(QStringLiteral("%1: the GUI timer stalled %2 ms").arg(answer).arg(gap)));
      QVERIFY2(panel.verdictText() != QStringLiteral("Checking…"), answer);
    }
    // The tower is neither right nor wrong.
    QCOMPARE(panel.verdictText(), QStringLiteral("? Not checked"));
  }

  void aVerdictForALeftProblemIsNotDrawn() {
    zaya::ui::ProblemPanel panel;
    const auto first = problemWithKey("t-1", "2");
    const auto second = problemWithKey("t-2", "3");
    panel.setProblem(&first);
    QSignalSpy checked(&panel, &zaya::ui::ProblemPanel::answerChecked);
    panel.answerField()->setText(QStringLiteral("2"));
    panel.startCheck();
    panel.setProblem(&second);  // before the worker can have answered
    QTest::qWait(2500);          // past the result and the runner's budget
    QCOMPARE(checked.count(), 0);
    QCOMPARE(panel.verdictText(), QString());
    // The new problem's own check still works.
    panel.answerField()->setText(QStringLiteral("3"));
    panel.startCheck();
    QTRY_VERIFY_WITH_TIMEOUT(!panel.checkRunning(), 5000);
    QCOMPARE(checked.count(), 1);
    QCOMPARE(checked.first().at(0).toString(), QStringLiteral("t-2"));
    QVERIFY(checked.first().at(2).toBool());
  }

  void aCheckPastTheBudgetIsUndecidedAndItsLateResultDropped() {
    zaya::app::AnswerCheckRunner runner(nullptr, 300);
    QSignalSpy finished(&runner, &zaya::app::AnswerCheckRunner::finished);
    QElapsedTimer clock;
    clock.start();
    runner.start([] {
      std::this_thread::sleep_for(std::chrono::milliseconds(1200));
      return zaya::problems::Verdict{true, "late"};
    });
    const qint64 gap = longestTimerGap([&] { return finished.count() > 0; }, 5000);
    QCOMPARE(finished.count(), 1);
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(gap < 300);
    const auto v = finished.first().at(1).value<zaya::problems::Verdict>();
    QVERIFY(v.undecided);
    QVERIFY(!v.equivalent);
    QTest::qWait(1500);  // the worker's late "right" must not arrive
    QCOMPARE(finished.count(), 1);
  }
};

QTEST_MAIN(TestCheckOffGuiThread)
#include "test_check_off_gui_thread.moc"
