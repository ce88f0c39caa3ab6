// The mock-contest screen on the real bank with a test clock: a past AIME
// paper started from the list, the clock in view, the answer box that takes
// only 000–999 (and says why), flags and the navigator, saved answers, the
// practice screen refusing help and checking for the sitting's problems, the
// end at 3:00:00 with the score report, and review on the practice screen.
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "app_context.h"
#include "contest_report_page.h"
#include "contest_service.h"
#include "contest_sitting_page.h"
#include "contest_view.h"
#include "main_window.h"
#include "practice_view.h"
#include "problem_panel.h"
#include "progress_view.h"
#include "set_printer.h"
#include "zaya/problems/answer_checker.h"

using namespace zaya;
using ui::MainWindow;

namespace {
constexpr qint64 kHour = 3600 * 1000;
}

class TestContestView : public QObject {
  Q_OBJECT
 signals:
  void printReported(const QString& text, bool isError);

 private slots:
  void initTestCase() { QDir(qEnvironmentVariable("ZAYA_DATA_DIR")).removeRecursively(); }

  void anAimeSittingFromStartToReview() {
    MainWindow w;
    QSignalSpy loaded(&w, &MainWindow::bankLoaded);
    w.resize(1280, 860);
    w.show();
    QVERIFY(loaded.wait(60000));
    auto& contests = w.appContext()->contests();
    qint64 now = 0;
    contests.setTicking(false);
    contests.setClock([&now] { return now; });
    const auto* bank = w.bank();

    QVERIFY(w.showView(QStringLiteral("contests")));
    auto* view = w.contestView();
    QCOMPARE(view->currentPage(), view->startPage());
    // Complete papers first; an incomplete one says it is scored out of what is there.
    QVERIFY(view->papers()->count() >= 69);
    QVERIFY(view->papers()->item(0)->text().contains(QStringLiteral("15 problems, 3 h 00 min")));
    QVERIFY(!view->papers()->item(view->papers()->count() - 1)->text().contains(QStringLiteral("15 problems,")));
    int row = -1;
    for (int i = 0; i < view->papers()->count(); ++i)
      if (view->papers()->item(i)->data(Qt::UserRole).toString() == QLatin1String("aime-2024-I")) row = i;
    QVERIFY(row >= 0);
    view->papers()->setCurrentRow(row);
    QVERIFY(view->startSelectedPaper());
    auto* page = view->sittingPage();
    QCOMPARE(view->currentPage(), static_cast<QWidget*>(page));
    QCOMPARE(page->clock()->text(), QStringLiteral("3:00:00 left"));
    QVERIFY(page->clock()->isVisible());

    // The box takes digits only: "7" is kept and saved, "." is refused with the reason.
    const app::Sitting* s = contests.current();
    QVERIFY(s);
    QLineEdit* box = page->answerBox();
    QTest::keyClicks(box, QStringLiteral("7"));
    QCOMPARE(w.appContext()->database().sitting(s->id)->answers[0].answer, QStringLiteral("7"));
    QTest::keyClicks(box, QStringLiteral("."));
    QCOMPARE(box->text(), QStringLiteral("7"));
    QVERIFY2(page->answerNote()->text().contains(QStringLiteral("000 to 999")), qPrintable(page->answerNote()->text()));
    // A pasted "7.5" is refused the same way.
    box->selectAll();
    box->insert(QStringLiteral("7.5"));
    QCOMPARE(box->text(), QStringLiteral("7"));
    QVERIFY(page->answerNote()->text().contains(QStringLiteral("no decimals")));
    // "007" is saved as 7.
    box->clear();
    QTest::keyClicks(box, QStringLiteral("007"));
    QCOMPARE(w.appContext()->database().sitting(s->id)->answers[0].answer, QStringLiteral("7"));

    // Problem 2: the right answer, flagged; the navigator shows both.
    page->navigatorButton(1)->click();
    QCOMPARE(page->position(), 1);
    const problems::Problem* second = bank->find(contests.current()->answers[1].problemId.toStdString());
    QTest::keyClicks(page->answerBox(), QString::fromStdString(second->answer));
    page->flag()->setChecked(true);
    QVERIFY(page->navigatorButton(1)->text().contains(QStringLiteral("⚑")));
    QVERIFY(page->navigatorButton(1)->font().bold());
    QVERIFY(!page->navigatorButton(2)->font().bold());
    QVERIFY(w.appContext()->database().sitting(s->id)->answers[1].flagged);

    // The practice screen gives no help and no verdict on the sitting's problems.
    w.practiceView()->openProblem(contests.current()->answers[1].problemId);
    auto* panel = w.practiceView()->panel();
    QVERIFY(!panel->hintButton()->isEnabled());
    QVERIFY(panel->hintButton()->toolTip().contains(QStringLiteral("timed sitting")));
    QVERIFY(!panel->check(QString::fromStdString(second->answer)).equivalent);
    QCOMPARE(w.appContext()->progress().attempts(w.appContext()->studentId()).size(), 0);
    QVERIFY(w.showView(QStringLiteral("contests")));
    QCOMPARE(view->currentPage(), static_cast<QWidget*>(page));

    now += kHour;
    contests.tick();
    QCOMPARE(page->clock()->text(), QStringLiteral("2:00:00 left"));
    if (const QString shots = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR"); !shots.isEmpty()) {
      QSignalSpy rendered(page, &ui::ContestSittingPage::rendered);
      page->showProblem(1);
      rendered.wait(10000);
      QTest::qWait(300);  // the page paints what it typeset
      QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("contest-light.png"))));
      w.setTheme(QStringLiteral("dark"));
      QTest::qWait(400);
      QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("contest-dark.png"))));
      w.setTheme(QStringLiteral("light"));
    }

    // At 3:00:00 the sitting ends and the report shows the checker's score.
    now += 2 * kHour;
    contests.tick();
    QVERIFY(!contests.current());
    QCOMPARE(view->currentPage(), static_cast<QWidget*>(view->reportPage()));
    const app::Sitting done = *w.appContext()->database().sitting(s->id);
    int right = 0;
    for (const auto& a : done.answers)
      right += !a.answer.isEmpty() &&
               problems::check_problem_answer(*bank->find(a.problemId.toStdString()), a.answer.toStdString()).equivalent;
    QVERIFY(right >= 1);
    QCOMPARE(done.score, right);
    auto* report = view->reportPage();
    QCOMPARE(report->score()->text(), QStringLiteral("Score: %1 of 15").arg(right));
    QCOMPARE(report->problems()->rowCount(), 15);
    QVERIFY(report->problems()->item(1, 4)->text().contains(QStringLiteral("right")));
    QCOMPARE(report->problems()->item(2, 4)->text(), QStringLiteral("not answered"));
    QVERIFY(report->comparison()->text().contains(QStringLiteral("first sitting")));
    int topicTotal = 0;
    for (int r = 0; r < report->topics()->rowCount(); ++r)
      topicTotal += report->topics()->item(r, 1)->text().section(QStringLiteral(" of "), 1).toInt();
    QCOMPARE(topicTotal, 15);
    if (const QString shots = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR"); !shots.isEmpty()) {
      QTest::qWait(200);
      QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("contest-report-light.png"))));
      w.setTheme(QStringLiteral("dark"));
      QTest::qWait(400);
      QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("contest-report-dark.png"))));
      w.setTheme(QStringLiteral("light"));
    }

    // The paper prints as a worksheet from the report (the printer itself: test_set_printer).
    QString why;
    const auto request = view->printRequest(false, &why);
    QVERIFY2(request, qPrintable(why));
    QCOMPARE(request->problems.size(), 15);
    QCOMPARE(request->title, QStringLiteral("2024 AIME I"));
    QVERIFY(request->subtitle.contains(QStringLiteral("3 h 00 min")));
    QTemporaryDir out;
    QSignalSpy said(this, &TestContestView::printReported);
    QVERIFY(ui::printSetTo(this, *request, out.filePath(QStringLiteral("paper.pdf")),
                           [this](const QString& text, bool isError) { emit printReported(text, isError); }));
    QVERIFY(said.wait(60000));
    QVERIFY2(!said.first().at(1).toBool(), qPrintable(said.first().at(0).toString()));
    QVERIFY(QFileInfo(out.filePath(QStringLiteral("paper.pdf"))).size() > 1000);

    // Review: problem 1 on the practice screen with the student's own answer, help open again.
    report->problems()->selectRow(0);
    QVERIFY(report->reviewSelected());
    QCOMPARE(w.currentViewName(), QStringLiteral("practice"));
    QCOMPARE(QString::fromStdString(panel->problem()->id), done.answers[0].problemId);
    QCOMPARE(panel->answerField()->text(), QStringLiteral("7"));
    QVERIFY(panel->hintButton()->toolTip().isEmpty() || !panel->hintButton()->toolTip().contains(QStringLiteral("timed sitting")));
    // The sitting is in the progress screen.
    QVERIFY(w.showView(QStringLiteral("progress")));
    auto* sittings = w.progressView()->sittingList();
    QVERIFY(sittings->count() >= 1);
    QVERIFY(sittings->item(0)->text().contains(QStringLiteral("2024 AIME I — %1 of 15").arg(right)));
  }
};

QTEST_MAIN(TestContestView)
#include "test_contest_view.moc"
