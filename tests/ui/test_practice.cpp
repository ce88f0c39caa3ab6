// The practice screen on the real bank: statements typeset with KaTeX,
// prices left as text, diagrams shown, answers and choices checked; the
// browser's progress marks and filters and today's practice follow the
// answers given.
#include <QDateTime>
#include <QLineEdit>
#include <QListView>
#include <QSignalSpy>
#include <QtTest>

#include "app_context.h"
#include "document_view.h"
#include "main_window.h"
#include "practice_view.h"
#include "problem_browser.h"
#include "problem_panel.h"

using zaya::ui::DocumentView;
using zaya::ui::MainWindow;

class TestPractice : public QObject {
  Q_OBJECT

  MainWindow* window_ = nullptr;
  zaya::ui::ProblemPanel* panel() { return window_->practiceView()->panel(); }

  // Opens a problem and waits for its statement to be typeset; returns (katex, errors).
  std::pair<int, int> open(const QString& id) {
    QSignalSpy spy(panel()->statementView(), &DocumentView::rendered);
    window_->openProblem(id);
    if (!spy.wait(60000)) return {-1, -1};
    while (panel()->problem() == nullptr || QString::fromStdString(panel()->problem()->id) != id) {
      if (!spy.wait(30000)) return {-1, -1};
    }
    return {spy.last().at(0).toInt(), spy.last().at(1).toInt()};
  }

 private slots:
  void initTestCase() {
    // A fresh profile every run: the marks below count this run's answers only.
    QDir(qEnvironmentVariable("ZAYA_DATA_DIR")).removeRecursively();
    window_ = new MainWindow;
    QSignalSpy loaded(window_, &MainWindow::bankLoaded);
    window_->show();
    QVERIFY(loaded.wait(60000));
    QVERIFY2(loaded.first().at(0).toBool(), qPrintable(loaded.first().at(1).toString()));
    QVERIFY(window_->bank()->size() > 7000);
    QVERIFY(window_->practiceView()->browser()->visibleCount() > 7000);
  }
  void cleanupTestCase() { delete window_; }

  void aimeStatementIsTypeset() {
    const auto [katex, errors] = open(QStringLiteral("aime-2024-I-01"));
    QVERIFY2(katex > 0, qPrintable(QString::number(katex)));
    QCOMPARE(errors, 0);
  }

  void mathProblemWithDisplayMathAndDiagram() {
    const QString id = QStringLiteral("math-test-1936");
    const auto* p = window_->bank()->find(id.toStdString());
    QVERIFY(p);
    QVERIFY(!p->diagrams.empty());
    const auto [katex, errors] = open(id);
    QVERIFY(katex > 0);
    QCOMPARE(errors, 0);
  }

  void gsm8kPricesStayText() {
    // gsm8k-test-0000 sells eggs "for $2": no formula may appear.
    const auto [katex, errors] = open(QStringLiteral("gsm8k-test-0000"));
    QCOMPARE(katex, 0);
    QCOMPARE(errors, 0);
  }

  void typedAnswersAreChecked() {
    open(QStringLiteral("aime-2024-I-01"));
    const std::string key = panel()->problem()->answer;
    auto right = panel()->check(QString::fromStdString(key));
    QVERIFY2(right.equivalent, right.reason.c_str());
    QVERIFY(panel()->verdictText().startsWith(QStringLiteral("✓")));
    auto wrong = panel()->check(QStringLiteral("%1").arg(std::stoi(key) + 1));
    QVERIFY(!wrong.equivalent);
    QVERIFY(panel()->verdictText().startsWith(QStringLiteral("✗")));
    // The reason, in the checker's words for the student, under the verdict.
    QCOMPARE(panel()->verdictReasonText(), QString::fromStdString(wrong.reason));
    QVERIFY(panel()->verdictReasonText().startsWith(QStringLiteral("Your answer")));
    auto interval = panel()->check(QStringLiteral("[1, 2]"));
    QVERIFY(!interval.equivalent);
    QCOMPARE(panel()->verdictReasonText(), QStringLiteral("Your answer is an interval; the answer is a single number."));
    // Through the answer box, as a student would.
    panel()->answerField()->setText(QString::fromStdString(key));
    QTest::keyClick(panel()->answerField(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(panel()->verdictText().startsWith(QStringLiteral("✓")), 5000);  // checked on a worker thread
  }

  void multipleChoiceIsPickedAndChecked() {
    const auto* sat = window_->bank()->find("sat-agieval-000");
    QVERIFY(sat && sat->is_multiple_choice());
    open(QStringLiteral("sat-agieval-000"));
    QVERIFY(panel()->pickChoice(QString::fromStdString(sat->answer)));
    QVERIFY(panel()->check().equivalent);
    for (const auto& c : sat->choices)
      if (c.label != sat->answer) {
        QVERIFY(panel()->pickChoice(QString::fromStdString(c.label)));
        QVERIFY(!panel()->check().equivalent);
        break;
      }
  }

  void searchFiltersTheList() {
    auto* browser = window_->practiceView()->browser();
    browser->searchField()->setText(QStringLiteral("aime-2024-I-01"));
    QTRY_COMPARE_WITH_TIMEOUT(browser->visibleCount(), 1, 5000);
    browser->searchField()->clear();
    QTRY_VERIFY_WITH_TIMEOUT(browser->visibleCount() > 7000, 5000);
  }

  void progressFiltersFollowTheAnswers() {
    using Filter = zaya::ui::ProblemBrowser::ProgressFilter;
    auto* browser = window_->practiceView()->browser();
    auto* list = browser->findChild<QListView*>();
    const auto markOf = [&](const QString& id) {
      for (int row = 0; row < list->model()->rowCount(); ++row) {
        const QModelIndex index = list->model()->index(row, 0);
        if (index.data(Qt::UserRole + 1).toString() == id) return index.data(Qt::AccessibleTextRole).toString();
      }
      return QStringLiteral("<not listed>");
    };
    const QString id = QStringLiteral("aime-2024-I-02");
    QCOMPARE(open(id).second, 0);
    const std::string key = panel()->problem()->answer;
    QVERIFY(!panel()->check(QStringLiteral("%1").arg(std::stoi(key) + 7)).equivalent);
    QVERIFY2(markOf(id).endsWith(QStringLiteral("tried, not solved yet")) || markOf(id).endsWith(QStringLiteral("due for review")),
             qPrintable(markOf(id)));
    browser->setProgressFilter(Filter::Unsolved);
    QVERIFY(browser->visibleIds().contains(id));
    QVERIFY(browser->visibleCount() > 7000);
    browser->setProgressFilter(Filter::Solved);
    QVERIFY(!browser->visibleIds().contains(id));
    // The due filter lists exactly the review queue's due problems.
    auto& progress = window_->appContext()->progress();
    const qint64 me = window_->appContext()->studentId();
    QSet<QString> due;
    for (const auto& r : progress.dueReviews(me, QDateTime::currentMSecsSinceEpoch())) due.insert(r.problemId);
    browser->setProgressFilter(Filter::DueForReview);
    const QStringList shownDue = browser->visibleIds();
    QCOMPARE(QSet<QString>(shownDue.begin(), shownDue.end()), due);

    browser->setProgressFilter(Filter::All);
    QVERIFY(panel()->check(QString::fromStdString(key)).equivalent);
    QVERIFY2(markOf(id).endsWith(QStringLiteral("solved")), qPrintable(markOf(id)));
    browser->setProgressFilter(Filter::Solved);
    QVERIFY(browser->visibleIds().contains(id));
    browser->setProgressFilter(Filter::Unsolved);
    QVERIFY(!browser->visibleIds().contains(id));
    browser->setProgressFilter(Filter::All);
  }

  void todaysPracticeIsTheStoredListInOrder() {
    auto* browser = window_->practiceView()->browser();
    auto& progress = window_->appContext()->progress();
    const qint64 me = window_->appContext()->studentId();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QStringList today = progress.dailyPractice(me, *window_->bank(), now);
    QCOMPARE(today.size(), zaya::app::kDailyPracticeSize);
    // Earlier tests may have answered one of today's problems already.
    const auto statuses = progress.problemStatuses(me, now);
    QStringList unsolved;
    for (const QString& id : today)
      if (statuses.value(id).standing != zaya::app::ProblemStanding::Solved) unsolved << id;
    QVERIFY(unsolved.size() >= 2);
    const int solvedBefore = int(today.size() - unsolved.size());

    QSignalSpy rendered(panel()->statementView(), &DocumentView::rendered);
    browser->showTodaysPractice();
    QCOMPARE(browser->progressFilter(), zaya::ui::ProblemBrowser::ProgressFilter::TodaysPractice);
    QCOMPARE(browser->visibleIds(), today);
    QCOMPARE(QString::fromStdString(panel()->problem()->id), unsolved.front());
    QVERIFY2(browser->countText().contains(QStringLiteral("%1 of 5 solved").arg(solvedBefore)), qPrintable(browser->countText()));
    QVERIFY(rendered.wait(60000));
    // Solving one keeps the list and counts it.
    QVERIFY(panel()->check(QString::fromStdString(panel()->problem()->answer)).equivalent);
    QCOMPARE(browser->visibleIds(), today);
    QVERIFY2(browser->countText().contains(QStringLiteral("%1 of 5 solved").arg(solvedBefore + 1)), qPrintable(browser->countText()));
    browser->showTodaysPractice();  // reopens at the first problem not solved yet
    QCOMPARE(QString::fromStdString(panel()->problem()->id), unsolved.at(1));
    browser->setProgressFilter(zaya::ui::ProblemBrowser::ProgressFilter::All);
  }
};

QTEST_MAIN(TestPractice)
#include "test_practice.moc"
