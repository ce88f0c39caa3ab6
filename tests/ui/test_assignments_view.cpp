// The assignments screen: a teacher's class and set files joined and imported
// there; each set with its title, due date, "n of m solved", overdue marked;
// opening one walks its problems in order on the practice screen, where the
// set's rules hold; results export for any set, not only the newest.
#include <QDateTime>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "app_context.h"
#include "assignments_view.h"
#include "auth_service.h"
#include "classroom_service.h"
#include "document_view.h"
#include "main_window.h"
#include "practice_view.h"
#include "problem_panel.h"

using namespace zaya;
using ui::MainWindow;

class TestAssignmentsView : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QDir(qEnvironmentVariable("ZAYA_DATA_DIR")).removeRecursively();
  }

  void setsAreListedWalkedAndExported() {
    MainWindow w;
    QSignalSpy loaded(&w, &MainWindow::bankLoaded);
    w.show();
    QVERIFY(loaded.wait(60000));
    const auto* bank = w.bank();
    QVERIFY(bank && bank->size() > 2);

    // The teacher's computer: a class, a set with hints off due in the future,
    // and an older set that is overdue.
    const QStringList weekIds{QStringLiteral("math-test-0001"), QStringLiteral("math-test-0002")};
    const QStringList oldIds{QStringLiteral("math-test-0003")};
    const QString classFile = dir_.filePath(QStringLiteral("class.json"));
    const QString weekFile = dir_.filePath(QStringLiteral("week.json"));
    const QString oldFile = dir_.filePath(QStringLiteral("old.json"));
    const QString revisedFile = dir_.filePath(QStringLiteral("week-revised.json"));
    const QString closedFile = dir_.filePath(QStringLiteral("closed.json"));
    {
      app::Database db(dir_.filePath(QStringLiteral("teacher.sqlite")));
      app::AuthService auth(db);
      const app::Profile t = auth.createTeacher(QStringLiteral("Ms T"), QStringLiteral("correct horse battery"));
      auth.signIn(t.id, QStringLiteral("correct horse battery"));
      app::ClassroomService cs(auth, [bank](std::string_view id) { return bank->contains(id); });
      const app::ClassInfo c = cs.createClass(QStringLiteral("Class 7b"));
      const app::Profile ada = cs.addStudent(c.id, QStringLiteral("Ada"));
      cs.exportClassFile(c.id, ada.id, classFile);
      const app::ProblemSet old = cs.createSet(c.id, QStringLiteral("Warm-up"), oldIds, QDate(2020, 1, 6), true, true);
      cs.exportSet(old.id, oldFile);
      const app::ProblemSet week = cs.createSet(c.id, QStringLiteral("Week 3"), weekIds, QDate(2099, 5, 17), false, true);
      cs.exportSet(week.id, weekFile);
      cs.renameSet(week.id, QStringLiteral("Week 3 (revised)"));
      cs.exportSet(week.id, revisedFile);
      // Open, and its rules keep the reference solutions closed.
      const app::ProblemSet closed = cs.createSet(c.id, QStringLiteral("Closed book"), oldIds, QDate(2099, 1, 8), true, false, false);
      cs.exportSet(closed.id, closedFile);
    }

    ui::AssignmentsView* view = w.assignmentsView();
    QVERIFY(w.showView(QStringLiteral("assignments")));
    QCOMPARE(view->table()->rowCount(), 0);
    // "Which student are you?": the class file is Ada's; nobody here is Ada yet.
    QString askedFor;
    view->whichStudent = [&](const QString& rosterName, const QList<app::Profile>&) -> std::optional<qint64> {
      askedFor = rosterName;
      return std::nullopt;  // cancelled: nothing joined
    };
    const qint64 before = w.appContext()->studentId();
    QVERIFY(!view->joinClassFile(classFile));
    QCOMPARE(askedFor, QStringLiteral("Ada"));
    QCOMPARE(w.appContext()->studentId(), before);
    view->whichStudent = [&](const QString&, const QList<app::Profile>&) { return std::optional<qint64>(0); };
    QVERIFY2(view->joinClassFile(classFile), qPrintable(view->message()->text()));
    QCOMPARE(w.appContext()->database().profile(w.appContext()->studentId())->name, QStringLiteral("Ada"));
    QVERIFY2(view->importSetFile(oldFile), qPrintable(view->message()->text()));
    QVERIFY2(view->importSetFile(weekFile), qPrintable(view->message()->text()));
    QCOMPARE(view->message()->textFormat(), Qt::PlainText);
    QCOMPARE(view->table()->rowCount(), 2);
    // The teacher changed a set already imported: asked, and nothing changes when cancelled.
    int asked = 0;
    view->replaceChangedSet = [&](const app::ProblemSet&) -> std::optional<bool> {
      ++asked;
      return std::nullopt;
    };
    QVERIFY(!view->importSetFile(revisedFile));
    QCOMPARE(asked, 1);
    QCOMPARE(view->table()->rowCount(), 2);
    view->replaceChangedSet = [&](const app::ProblemSet&) { return std::optional<bool>(false); };  // keep both
    QVERIFY2(view->importSetFile(revisedFile), qPrintable(view->message()->text()));
    QCOMPARE(view->table()->rowCount(), 3);
    QVERIFY(!view->table()->findItems(QStringLiteral("Week 3 (earlier version)"), Qt::MatchExactly).isEmpty());
    view->replaceChangedSet = [&](const app::ProblemSet&) { return std::optional<bool>(true); };  // replace
    QVERIFY2(view->importSetFile(weekFile), qPrintable(view->message()->text()));
    QCOMPARE(view->table()->rowCount(), 3);
    QVERIFY(view->table()->findItems(QStringLiteral("Week 3 (revised)"), Qt::MatchExactly).isEmpty());
    auto rowOf = [&](const QString& title) {
      for (int r = 0; r < view->table()->rowCount(); ++r)
        if (view->table()->item(r, 0)->text() == title) return r;
      return -1;
    };
    const int oldRow = rowOf(QStringLiteral("Warm-up")), weekRow = rowOf(QStringLiteral("Week 3"));
    QVERIFY(oldRow >= 0 && weekRow >= 0);
    QCOMPARE(view->table()->item(weekRow, 2)->text(), QStringLiteral("0 of 2 solved"));
    QCOMPARE(view->table()->item(oldRow, 2)->text(), QStringLiteral("0 of 1 solved"));
    QCOMPARE(view->table()->item(oldRow, 3)->text(), QStringLiteral("Overdue"));
    QVERIFY(view->table()->item(oldRow, 3)->font().bold());
    QCOMPARE(view->table()->item(weekRow, 3)->text(), QStringLiteral("Open"));
    QVERIFY(!view->table()->item(weekRow, 1)->text().isEmpty());
    if (const QString shots = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR"); !shots.isEmpty()) {
      QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("assignments-light.png"))));
      w.setTheme(QStringLiteral("dark"));
      QTest::qWait(300);  // the palette change reaches every widget
      QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("assignments-dark.png"))));
      w.setTheme(QStringLiteral("light"));
    }

    // Opening "Week 3" walks its problems in order on the practice screen.
    auto* panel = w.practiceView()->panel();
    QSignalSpy rendered(panel->statementView(), &ui::DocumentView::rendered);
    view->table()->selectRow(weekRow);
    QVERIFY(view->openSelected());
    QCOMPARE(w.currentViewName(), QStringLiteral("practice"));
    QVERIFY(panel->problem());
    QCOMPARE(QString::fromStdString(panel->problem()->id), weekIds[0]);
    QVERIFY(w.practiceView()->walkLabel()->text().contains(QStringLiteral("Week 3 — problem 1 of 2")));
    QVERIFY(!w.practiceView()->previousButton()->isEnabled());
    // The set's rules hold on its problems.
    QVERIFY(!panel->hintButton()->isEnabled());
    QVERIFY(panel->hintButton()->toolTip().startsWith(QStringLiteral("Your teacher turned off hints for Week 3")));
    // Solved on the practice screen: the count follows, and the attempt counts for the set walked.
    QVERIFY(panel->check(QString::fromStdString(panel->problem()->answer)).equivalent);
    QVERIFY(w.practiceView()->walkNext());
    QCOMPARE(QString::fromStdString(panel->problem()->id), weekIds[1]);
    QVERIFY(w.practiceView()->walkLabel()->text().contains(QStringLiteral("problem 2 of 2")));
    if (const QString shots = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR"); !shots.isEmpty()) {
      if (rendered.isEmpty() || rendered.count() < 2) rendered.wait(10000);
      QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("assignment-walk-light.png"))));
      w.setTheme(QStringLiteral("dark"));
      QTest::qWait(300);  // the page repaints in the new theme
      QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("assignment-walk-dark.png"))));
      w.setTheme(QStringLiteral("light"));
    }
    QVERIFY(!w.practiceView()->nextButton()->isEnabled());
    QVERIFY(w.practiceView()->walkPrevious());
    QCOMPARE(QString::fromStdString(panel->problem()->id), weekIds[0]);
    view->refresh();
    QCOMPARE(view->table()->item(rowOf(QStringLiteral("Week 3")), 2)->text(), QStringLiteral("1 of 2 solved"));
    const auto attempts = w.appContext()->progress().attempts(w.appContext()->studentId());
    QCOMPARE(attempts.size(), 1);
    QVERIFY(attempts.first().setId);

    // Results of any set, the older one included.
    const QString results = dir_.filePath(QStringLiteral("warmup-results.json"));
    qint64 oldId = view->table()->item(rowOf(QStringLiteral("Warm-up")), 0)->data(Qt::UserRole).toLongLong();
    QVERIFY2(view->exportResultsTo(oldId, results), qPrintable(view->message()->text()));
    QVERIFY(QFileInfo::exists(results));
    QFile f(results);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("Warm-up"));

    // Printing: any set as a worksheet; the answer key only past the due
    // date of a set whose rules allow reference solutions.
    QVERIFY2(view->importSetFile(closedFile), qPrintable(view->message()->text()));
    QVERIFY(view->select(view->table()->item(rowOf(QStringLiteral("Closed book")), 0)->data(Qt::UserRole).toLongLong()));
    QVERIFY(view->printWorksheetButton()->isEnabled());
    QVERIFY(!view->printKeyButton()->isEnabled());
    QVERIFY2(view->printKeyButton()->toolTip().contains(QStringLiteral("do not include reference solutions")),
             qPrintable(view->printKeyButton()->toolTip()));
    const QString closedKey = dir_.filePath(QStringLiteral("closed-key.pdf"));
    QVERIFY(!view->printSelected(ui::PrintRequest::Kind::AnswerKey, closedKey));  // refused, not only the button
    QVERIFY(view->message()->text().contains(QStringLiteral("do not include reference solutions")));
    QVERIFY(!QFileInfo::exists(closedKey));
    QSignalSpy printed(view, &ui::AssignmentsView::printFinished);
    const QString closedSheet = dir_.filePath(QStringLiteral("closed-worksheet.pdf"));
    QVERIFY(view->printSelected(ui::PrintRequest::Kind::Worksheet, closedSheet));
    QVERIFY(printed.wait(30000));
    QVERIFY2(printed.takeFirst().at(0).toBool(), qPrintable(view->message()->text()));
    QVERIFY(QFileInfo(closedSheet).size() > 1000);
    // Week 3 allows them but is still open; Warm-up allows them and is past its due date.
    view->table()->selectRow(rowOf(QStringLiteral("Week 3")));
    QVERIFY(!view->printKeyButton()->isEnabled());
    QVERIFY2(view->printKeyButton()->toolTip().contains(QStringLiteral("past its due date")),
             qPrintable(view->printKeyButton()->toolTip()));
    view->table()->selectRow(rowOf(QStringLiteral("Warm-up")));
    QVERIFY(view->printKeyButton()->isEnabled());
    const QString warmupKey = dir_.filePath(QStringLiteral("warm-up-key.pdf"));
    QVERIFY(view->printSelected(ui::PrintRequest::Kind::AnswerKey, warmupKey));
    QVERIFY(printed.wait(30000));
    QVERIFY2(printed.takeFirst().at(0).toBool(), qPrintable(view->message()->text()));
    QVERIFY2(view->message()->text().startsWith(QStringLiteral("Answer key written to")), qPrintable(view->message()->text()));
    QVERIFY(QFileInfo(warmupKey).size() > 1000);
  }

  // The rule on its own: reference solutions allowed and the due date passed.
  void answerKeyRule() {
    app::ProblemSet s;
    s.title = QStringLiteral("Week 3");
    s.allowReference = true;
    const qint64 due = QDateTime(QDate(2026, 12, 10), QTime(23, 59, 59)).toMSecsSinceEpoch();
    QVERIFY(!ui::AssignmentsView::answerKeyRefusal(s, due).isEmpty());  // no due date: never
    s.dueAt = due;
    QVERIFY(!ui::AssignmentsView::answerKeyRefusal(s, due - 1).isEmpty());
    QVERIFY(ui::AssignmentsView::answerKeyRefusal(s, due).isEmpty());
    s.allowReference = false;
    QVERIFY(!ui::AssignmentsView::answerKeyRefusal(s, due + 1).isEmpty());
  }
};

QTEST_MAIN(TestAssignmentsView)
#include "test_assignments_view.moc"
