// Teacher mode end to end, offscreen: the password gate (first use creates
// it, a wrong one never opens the screen, it is never stored or logged in
// clear text), a class with two students, a set built from the bank and
// exported, the set imported and answered by a student through the main
// window, the results file imported by the teacher into the class grid and
// exported as CSV; the student's dashboard shows the attempts and the set.
#include <QAction>
#include <QCheckBox>
#include <QDateEdit>
#include <QLineEdit>
#include <QListWidget>
#include <QComboBox>
#include <QPushButton>
#include <QComboBox>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QLabel>
#include <QMessageBox>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QTimer>
#include <QtTest>

#include "app_context.h"
#include "main_window.h"
#include "tutor_test_support.h"
#include "problem_panel.h"
#include "practice_view.h"
#include "progress_view.h"
#include "set_printer.h"
#include "teacher_set_builder_panel.h"
#include "teacher_view.h"
#include "theme.h"

using namespace zaya;
using zaya::ui::AppContext;
using zaya::ui::MainWindow;
using zaya::ui::TeacherView;

namespace {
const QString kPassword = QStringLiteral("Sesame-Tulip-7731");
QStringList g_log;
void captureLog(QtMsgType, const QMessageLogContext&, const QString& msg) { g_log << msg; }

// Starts a password check and waits for its outcome: true when the screen opened.
bool unlock(TeacherView& tv, const QString& password) {
  QSignalSpy done(&tv, &TeacherView::unlockFinished);
  if (!tv.startUnlock(password)) return false;
  return done.wait(60000) && done.first().at(0).toBool();
}
}  // namespace

class TestTeacherView : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::unique_ptr<problems::ProblemBank> bank_;

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    // The student's computer: the main window's default database.
    qputenv("ZAYA_DATA_DIR", dir_.filePath(QStringLiteral("student")).toUtf8());
    const auto problemsDir = problems::find_problems_dir({});
    QVERIFY(problemsDir);
    bank_ = std::make_unique<problems::ProblemBank>(problems::ProblemBank::load(*problemsDir));
    qInstallMessageHandler(captureLog);
  }

  void cleanupTestCase() { qInstallMessageHandler(nullptr); }

  void passwordGateAndWholeRoundTrip() {
    const QString teacherDb = dir_.filePath(QStringLiteral("teacher/zaya-tutor.sqlite"));
    AppContext teacher(teacherDb);
    QVERIFY2(teacher.ok(), qPrintable(teacher.error()));
    teacher.setBank(bank_.get());
    TeacherView tv(&teacher);
    tv.resize(1200, 800);
    tv.show();
    QVERIFY(!tv.isUnlocked());

    // First use: the two entries must agree, then the password is created.
    tv.passwordField()->setText(kPassword);
    QVERIFY(!unlock(tv, kPassword + QStringLiteral("x")));
    QVERIFY(!tv.isUnlocked());
    QVERIFY(!teacher.auth().hasTeacher());
    QVERIFY(!unlock(tv, QStringLiteral("short")));  // confirm field empty: differs
    const auto fields = tv.findChildren<QLineEdit*>();
    QLineEdit* confirm = nullptr;
    for (auto* f : fields)
      if (f->accessibleName() == QStringLiteral("Repeat the password")) confirm = f;
    QVERIFY(confirm);
    confirm->setText(kPassword);
    QVERIFY2(unlock(tv, kPassword), qPrintable(tv.lockMessage()));
    QVERIFY(tv.isUnlocked());
    QVERIFY(teacher.auth().isTeacher());
    QVERIFY(tv.passwordField()->text().isEmpty());

    // A wrong password never opens it.
    tv.lock();
    QVERIFY(!tv.isUnlocked());
    QVERIFY(!teacher.auth().isTeacher());
    QVERIFY(!unlock(tv, QStringLiteral("sesame-tulip-7731")));
    QVERIFY(!unlock(tv, QString()));
    QVERIFY(!tv.isUnlocked());
    QVERIFY(!teacher.auth().isTeacher());
    QVERIFY(!tv.createClass(QStringLiteral("Sneaky")));
    QVERIFY2(tv.lockMessage().contains(QStringLiteral("Wrong password")), qPrintable(tv.lockMessage()));
    QVERIFY(unlock(tv, kPassword));

    // A class with two students.
    QVERIFY2(tv.createClass(QStringLiteral("Class 7b")), qPrintable(tv.message()));
    QCOMPARE(tv.classList()->count(), 1);
    QVERIFY2(tv.addStudent(QStringLiteral("Ada")), qPrintable(tv.message()));
    QVERIFY(tv.addStudent(QStringLiteral("Ben")));
    QCOMPARE(tv.studentList()->count(), 2);
    // Every student's own class file, one per student, in one folder.
    const QString classFolder = dir_.filePath(QStringLiteral("class-files"));
    QVERIFY2(tv.exportClassFiles(classFolder), qPrintable(tv.message()));
    const QStringList classFiles = QDir(classFolder).entryList(QDir::Files);
    QCOMPARE(classFiles.size(), 2);
    const QString classFile = QDir(classFolder).filePath(classFiles.filter(QStringLiteral("Ada")).value(0));

    // A set: two Algebra problems at level 2, one picked from a search.
    QCOMPARE(tv.addOfTopic(2, QStringLiteral("Algebra"), 2), 2);
    tv.searchBank();
    QVERIFY(tv.searchResults()->count() > 0);
    const QString picked = tv.searchResults()->item(0)->data(Qt::UserRole).toString();
    QVERIFY(tv.pickProblem(picked) || tv.pickedIds().contains(picked));
    QVERIFY(!tv.pickProblem(QStringLiteral("no-such-problem")));
    const QStringList ids = tv.pickedIds();
    QVERIFY(ids.size() >= 2);
    for (const QString& id : ids.mid(0, 2)) {
      const auto* p = bank_->find(id.toStdString());
      QVERIFY(p && p->topic == problems::Topic::Algebra && p->difficulty == 2);
    }
    tv.setTitleField()->setText(QStringLiteral("Week 3"));
    tv.dueCheck()->setChecked(true);
    tv.dueEdit()->setDate(QDate(2031, 5, 17));
    tv.solutionsCheck()->setChecked(false);
    // Hints and reference solutions off: the student's app must obey.
    tv.hintsCheck()->setChecked(false);
    tv.referenceCheck()->setChecked(false);
    // The set being built prints as a worksheet before it is saved.
    auto* builder = tv.findChild<ui::TeacherSetBuilderPanel*>();
    QVERIFY(builder);
    QCOMPARE(builder->printChoice()->count(), 1);  // only "The set being built": nothing saved yet
    const QString worksheet = dir_.filePath(QStringLiteral("Week 3 — worksheet.pdf"));
    QSignalSpy printed(builder, &ui::TeacherSetBuilderPanel::printFinished);
    QVERIFY2(builder->printTo(ui::PrintRequest::Kind::Worksheet, worksheet), qPrintable(tv.message()));
    QVERIFY(printed.wait(30000));
    QVERIFY2(printed.takeFirst().at(0).toBool(), qPrintable(tv.message()));
    QVERIFY2(tv.message().startsWith(QStringLiteral("Worksheet written to")), qPrintable(tv.message()));
    QFile worksheetFile(worksheet);
    QVERIFY(worksheetFile.open(QIODevice::ReadOnly) && worksheetFile.read(5) == "%PDF-");
    // A timed test of 40 minutes with time and a half.
    QVERIFY(!builder->minutesEdit()->isEnabled());
    builder->timedCheck()->setChecked(true);
    builder->minutesEdit()->setValue(40);
    builder->multiplierBox()->setCurrentIndex(builder->multiplierBox()->findData(1.5));
    const QString setFile = dir_.filePath(QStringLiteral("set.json"));
    QVERIFY2(tv.exportSet(setFile), qPrintable(tv.message()));
    QVERIFY(tv.pickedIds().isEmpty());
    // Saved, it can be printed again, its answer key too (the teacher's own copy: always).
    QVERIFY(!builder->printTo(ui::PrintRequest::Kind::Worksheet, worksheet));  // nothing picked any more
    QVERIFY2(tv.message().contains(QStringLiteral("choose a saved set")), qPrintable(tv.message()));
    QCOMPARE(builder->printChoice()->count(), 2);
    QCOMPARE(builder->printChoice()->itemText(1), QStringLiteral("Saved: Week 3"));
    builder->printChoice()->setCurrentIndex(1);
    const QString key = dir_.filePath(QStringLiteral("Week 3 — answer key.pdf"));
    QVERIFY2(builder->printTo(ui::PrintRequest::Kind::AnswerKey, key), qPrintable(tv.message()));
    QVERIFY(printed.wait(30000));
    QVERIFY2(printed.takeFirst().at(0).toBool(), qPrintable(tv.message()));
    QVERIFY2(tv.message().startsWith(QStringLiteral("Answer key written to")), qPrintable(tv.message()));
    if (!QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty()) {
      QProcess text;
      text.start(QStringLiteral("pdftotext"), {key, QStringLiteral("-")});
      QVERIFY(text.waitForFinished(20000));
      const QString keyText = QString::fromUtf8(text.readAllStandardOutput());
      QVERIFY(keyText.contains(QStringLiteral("Answer key")) && keyText.contains(QStringLiteral("Week 3")));
    }
    QCOMPARE(tv.setCombo()->count(), 1);
    QVERIFY(tv.currentSetId() > 0);
    // No results yet: the roster, nothing answered.
    QCOMPARE(tv.gridModel()->rowCount(), 2);

    // The student's computer: Ada's profile, the main window.
    {
      app::Database db(app::Database::defaultPath());
      app::AuthService auth(db);
      auth.createStudent(QStringLiteral("Ada"));
    }
    MainWindow w;
    w.show();
    QSignalSpy loaded(&w, &MainWindow::bankLoaded);
    QVERIFY(loaded.wait(30000));
    AppContext* student = w.appContext();
    QVERIFY(student->ok());
    QCOMPARE(student->database().profile(student->studentId())->name, QStringLiteral("Ada"));
    student->classroom().joinClass(classFile);
    const app::ProblemSet set = student->classroom().importSet(setFile);
    QCOMPARE(set.problemIds, ids);
    QVERIFY(set.dueAt);
    QCOMPARE(QDateTime::fromMSecsSinceEpoch(*set.dueAt).date(), QDate(2031, 5, 17));
    QVERIFY(!set.allowSolutions && !set.allowHints && !set.allowReference);
    // The student's app reads the teacher's time limit and extended time from the file.
    QCOMPARE(student->contests().setTimeLimitMinutes(set), 40);
    QCOMPARE(student->contests().setTimeMultiplier(set), 1.5);

    // Hints and the reference solution are off for Week 3, with the reason;
    // the tutor itself refuses, not only the button.
    const auto checkRulesObeyed = [&](MainWindow& window) {
      window.openProblem(ids[1]);
      QCOMPARE(window.practiceView()->panel()->problem()->id, ids[1].toStdString());
      auto* p = window.practiceView()->panel();
      QVERIFY(!p->hintButton()->isEnabled());
      QVERIFY2(p->hintButton()->toolTip().contains(QStringLiteral("Your teacher turned off hints for Week 3")),
               qPrintable(p->hintButton()->toolTip()));
      QVERIFY(!p->referenceAvailable());
      QVERIFY2(p->rulesNote()->isVisibleTo(p) && p->rulesNote()->text().contains(QStringLiteral("reference solutions for Week 3")),
               qPrintable(p->rulesNote()->text()));
      QSignalSpy refused(p->tutor(), &app::Tutor::refused);
      QVERIFY(!p->tutor()->ask(app::TutorAction::Hint));
      QVERIFY(refused.size() == 1 && refused.first().value(0).toString().contains(QStringLiteral("Week 3")));
      QVERIFY(!p->tutor()->ask(app::TutorAction::Question, QStringLiteral("why?")));
      p->showReferenceTab();
      QVERIFY(!p->referenceAvailable());
    };
    checkRulesObeyed(w);

    // Answers on the practice screen: two different ones to the first
    // problem (wrong, then right), a wrong one to the second.
    auto* panel = w.practiceView()->panel();
    emit panel->answerChecked(ids[0], QStringLiteral("-12345"), false, QString(), 20000);
    // The first with the bank's key: the teacher re-grades what the file claims.
    const QString key0 = QString::fromStdString(bank_->find(ids[0].toStdString())->answer);
    emit panel->answerChecked(ids[0], key0, true, QString(), 42000);
    // Wrong whatever problem the seeded draw picked.
    emit panel->answerChecked(ids[1], QStringLiteral("-987654.321"), false, QString(), 65000);
    const auto attempts = student->progress().attempts(student->studentId());
    QCOMPARE(attempts.size(), 3);
    QCOMPARE(attempts[0].setId, std::optional<qint64>(set.id));
    QCOMPARE(attempts[0].topic, QStringLiteral("Algebra"));
    QCOMPARE(attempts[2].difficulty, 2);

    // After a restart, the same rules (read from the data, not from memory).
    {
      MainWindow again;
      again.show();
      QSignalSpy againLoaded(&again, &MainWindow::bankLoaded);
      QVERIFY(againLoaded.wait(30000));
      checkRulesObeyed(again);
    }

    // The screens are in the View menu (Ctrl+2, Ctrl+3) and report when drawn.
    QVERIFY(w.viewNames().contains(QStringLiteral("progress")) && w.viewNames().contains(QStringLiteral("teacher")));
    QStringList shortcuts;
    for (QAction* a : w.findChildren<QAction*>()) shortcuts << a->shortcut().toString();
    QVERIFY(shortcuts.contains(QStringLiteral("Ctrl+2")) && shortcuts.contains(QStringLiteral("Ctrl+3")));
    QSignalSpy rendered(&w, &MainWindow::viewRendered);
    QVERIFY(w.showView(QStringLiteral("teacher")));
    QVERIFY(rendered.wait(5000));
    QVERIFY(!w.teacherView()->isUnlocked());  // this computer has no teacher yet
    rendered.clear();

    // The dashboard shows them, and the assignment with its due date.
    QVERIFY(w.showView(QStringLiteral("progress")));
    QVERIFY(rendered.wait(5000));
    auto* pv = w.progressView();
    QVERIFY(!pv->isEmptyState());
    QCOMPARE(pv->historyTable()->rowCount(), 3);
    QCOMPARE(pv->historyTable()->item(0, 1)->text(), ids[1]);
    QCOMPARE(pv->assignmentList()->count(), 1);
    const QString assignment = pv->assignmentList()->item(0)->text();
    QVERIFY2(assignment.contains(QStringLiteral("Week 3")) && assignment.contains(QStringLiteral("due")),
             qPrintable(assignment));

    // After the due date the rules lift: the model solution is help after
    // the due date, not counted against the set.
    {
      app::ProblemSet past = *student->database().set(set.id);
      past.dueAt = QDateTime::currentMSecsSinceEpoch() - 60000;
      student->database().updateSet(past);
      w.openProblem(ids[0]);
      QCOMPARE(panel->problem()->id, ids[0].toStdString());
      QVERIFY(panel->referenceAvailable());
      panel->setTutorBackend(std::make_shared<test::ReplySequenceBackend>(
          QStringList{QStringLiteral("Step 1: Solve it. The answer is \\boxed{%1}.").arg(key0)}));
      QSignalSpy finished(panel, &ui::ProblemPanel::tutorFinished);
      QVERIFY2(panel->ask(app::TutorAction::Solution), qPrintable(panel->tutorNote()->text()));
      QVERIFY(finished.wait(10000));
    }

    const QString resultsFile = dir_.filePath(QStringLiteral("ada-results.json"));
    student->classroom().exportResults(set.id, resultsFile);

    // Back at the teacher's: import and see the grid.
    QVERIFY2(tv.importResults(resultsFile), qPrintable(tv.message()));
    QVERIFY2(tv.message().contains(QStringLiteral("Ada")), qPrintable(tv.message()));
    const app::ClassGrid& grid = tv.gridModel()->grid();
    QCOMPARE(grid.problemIds, ids);
    const int ada = int(grid.studentNames.indexOf(QStringLiteral("Ada")));
    const int ben = int(grid.studentNames.indexOf(QStringLiteral("Ben")));
    QVERIFY(ada >= 0 && ben >= 0);
    QCOMPARE(grid.cells[ada][0].state, app::GridCell::State::Correct);
    QCOMPARE(grid.cells[ada][1].state, app::GridCell::State::Incorrect);
    QCOMPARE(grid.cells[ben][0].state, app::GridCell::State::Missing);
    // Two attempts, the first answer kept; the model solution seen after the due date only.
    QCOMPARE(grid.cells[ada][0].attempts, 2);
    QCOMPARE(grid.cells[ada][0].firstAnswer, QStringLiteral("-12345"));
    QVERIFY(grid.cells[ada][0].helpAfterDue);
    QVERIFY(!grid.cells[ada][0].modelSolutionViewed);
    const QString cell = tv.gridModel()->data(tv.gridModel()->index(ada, 0)).toString();
    QVERIFY2(cell.contains(QStringLiteral("2 attempts")), qPrintable(cell));
    const QString cellTip = tv.gridModel()->data(tv.gridModel()->index(ada, 0), Qt::ToolTipRole).toString();
    QVERIFY2(cellTip.contains(QStringLiteral("after the due date")), qPrintable(cellTip));
    QVERIFY2(tv.integrityNote().contains(QStringLiteral("cannot stop a student forging")), qPrintable(tv.integrityNote()));
    QVERIFY(tv.gridModel()->data(tv.gridModel()->index(ada, 0)).toString().startsWith(QStringLiteral("✓ ")));
    const QString csv = dir_.filePath(QStringLiteral("grid.csv"));
    QVERIFY2(tv.exportCsv(csv), qPrintable(tv.message()));
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    const QByteArray csvBytes = csvFile.readAll();
    QVERIFY(csvBytes.contains("Ada") && csvBytes.contains("Ben"));
    QVERIFY(csvBytes.contains(" attempts,") && csvBytes.contains(" help after due date,") && csvBytes.contains("\r\n"));

    // Renaming the student keeps the row; deleting the set asks first and keeps the results.
    const qint64 adaId = tv.studentList()->item(0)->data(Qt::UserRole).toLongLong();
    QVERIFY2(tv.renameStudent(adaId, QStringLiteral("Ada Lovelace")), qPrintable(tv.message()));
    QCOMPARE(tv.gridModel()->grid().studentNames.value(ada), QStringLiteral("Ada Lovelace"));
    QCOMPARE(tv.gridModel()->grid().cells[ada][0].state, app::GridCell::State::Correct);
    const qint64 setId = tv.currentSetId();
    const QString setUuid = grid.setUuid;
    bool asked = false;
    QTimer::singleShot(200, this, [&] {
      for (QWidget* top : QApplication::topLevelWidgets())
        if (auto* box = qobject_cast<QMessageBox*>(top); box && box->objectName() == QStringLiteral("confirmDeleteSet")) {
          asked = true;
          box->button(QMessageBox::Yes)->click();
        }
    });
    tv.confirmDeleteSet();
    QVERIFY(asked);
    QVERIFY(!teacher.database().set(setId));
    QCOMPARE(teacher.database().importedResults(teacher.database().classes().front().id, setUuid).size(), 2);

    // For the documentation: the unlocked screen in both themes, when asked
    // for (ZAYA_SCREENSHOT_DIR=docs/screenshots); the CLI can only show the gate.
    if (const QString shots = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR"); !shots.isEmpty()) {
      if (auto* tabs = tv.findChild<QTabWidget*>()) tabs->setCurrentIndex(tabs->count() - 1);  // the class grid
      for (const QString& theme : {QStringLiteral("light"), QStringLiteral("dark")}) {
        ui::applyTheme(*qApp, theme);
        QTest::qWait(200);
        QVERIFY(tv.grab().save(QDir(shots).filePath(QStringLiteral("teacher-grid-%1.png").arg(theme))));
      }
      ui::applyTheme(*qApp, QStringLiteral("light"));
    }

    // Leaving the screen locks it.
    tv.hide();
    QVERIFY(!teacher.auth().isTeacher());

    // The password is nowhere in clear text: not in the database files, not in the log.
    QByteArray stored;
    for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
      QFile f(teacherDb + suffix);
      if (f.open(QIODevice::ReadOnly)) stored += f.readAll();
    }
    QVERIFY(stored.size() > 0);
    for (const QByteArray& form : {kPassword.toUtf8(), QByteArray(reinterpret_cast<const char*>(kPassword.utf16()), kPassword.size() * 2),
                                   kPassword.toUtf8().toBase64(), kPassword.toUtf8().toHex()})
      QVERIFY(!stored.contains(form));
    for (const QString& line : g_log) QVERIFY2(!line.contains(kPassword, Qt::CaseInsensitive), qPrintable(line));
  }

  // Names are shown as the teacher typed them, never as rich text, and a
  // service's error reaches the message line in red, on every panel.
  void messagesArePlainTextAndErrorsShown() {
    AppContext teacher(dir_.filePath(QStringLiteral("plain/zaya-tutor.sqlite")));
    QVERIFY2(teacher.ok(), qPrintable(teacher.error()));
    teacher.setBank(bank_.get());
    TeacherView tv(&teacher);
    tv.show();
    for (auto* f : tv.findChildren<QLineEdit*>())
      if (f->accessibleName() == QStringLiteral("Repeat the password")) f->setText(kPassword);
    QVERIFY2(unlock(tv, kPassword), qPrintable(tv.lockMessage()));
    QLabel* line = nullptr;
    const auto findLine = [&] {
      line = nullptr;
      for (auto* l : tv.findChildren<QLabel*>())
        if (l->isVisibleTo(&tv) && l->text() == tv.message()) line = l;
      return line != nullptr;
    };

    const QString marked = QStringLiteral("<b>7c</b> <img src=x>");
    QVERIFY2(tv.createClass(marked), qPrintable(tv.message()));
    QVERIFY2(tv.message().contains(marked), qPrintable(tv.message()));
    QVERIFY(findLine());
    QCOMPARE(line->textFormat(), Qt::PlainText);
    QVERIFY(!line->styleSheet().contains(QStringLiteral("#c62828")));

    // Classes panel: the service refuses an empty name.
    QVERIFY(!tv.addStudent(QStringLiteral("   ")));
    QCOMPARE(tv.message(), QStringLiteral("The student's name is empty."));
    QVERIFY(findLine() && line->styleSheet().contains(QStringLiteral("#c62828")));
    // Results panel: a file that is not there.
    const QString missing = dir_.filePath(QStringLiteral("no-such-results.json"));
    QVERIFY(!tv.importResults(missing));
    QVERIFY2(tv.message().contains(QStringLiteral("no-such-results.json")), qPrintable(tv.message()));
    // Set builder: a set file in a folder that is not there.
    QVERIFY(tv.addOfTopic(1, QStringLiteral("Algebra"), 2) == 1);
    tv.setTitleField()->setText(marked);
    QVERIFY(!tv.exportSet(dir_.filePath(QStringLiteral("no-such-folder/set.json"))));
    QVERIFY(!tv.message().isEmpty());
    QVERIFY(findLine() && line->styleSheet().contains(QStringLiteral("#c62828")) && line->textFormat() == Qt::PlainText);

    // The lock page's line too: its errors can quote what the teacher typed.
    tv.lock();
    QVERIFY(!unlock(tv, QStringLiteral("wrong password")));
    bool lockLinePlain = false;
    for (auto* l : tv.findChildren<QLabel*>())
      if (l->text() == tv.lockMessage()) lockLinePlain = l->textFormat() == Qt::PlainText;
    QVERIFY2(lockLinePlain, qPrintable(tv.lockMessage()));
  }

  // "N of topic T at level L" is drawn at random, the same for the same
  // seed, from the chosen source only, never repeating a picked problem.
  void seededDrawFromOneSource() {
    app::Database db(dir_.filePath(QStringLiteral("draw.sqlite")));
    app::AuthService auth(db);
    app::ClassroomService classroom(auth, [](std::string_view) { return true; });
    classroom.setBank(bank_.get());
    const QStringList first = classroom.pickProblems(5, QStringLiteral("Algebra"), 2, QString(), 1234, {});
    QCOMPARE(first.size(), 5);
    QCOMPARE(classroom.pickProblems(5, QStringLiteral("Algebra"), 2, QString(), 1234, {}), first);
    QVERIFY(classroom.pickProblems(5, QStringLiteral("Algebra"), 2, QString(), 4321, {}) != first);
    // Not simply the bank's first five.
    problems::SearchQuery q;
    q.topics = {problems::Topic::Algebra};
    q.difficulty_min = q.difficulty_max = 2;
    QStringList inOrder;
    for (const auto* p : bank_->search(q)) inOrder << QString::fromStdString(p->id);
    QVERIFY(first != inOrder.mid(0, 5));
    const QStringList more = classroom.pickProblems(5, QStringLiteral("Algebra"), 2, QString(), 1234, first);
    for (const QString& id : more) QVERIFY(!first.contains(id));
    for (const QString& id : classroom.pickProblems(50, QStringLiteral("Algebra"), 2, QStringLiteral("math"), 7, {})) {
      const auto* p = bank_->find(id.toStdString());
      QVERIFY(p && p->source_key == "math" && p->topic == problems::Topic::Algebra && p->difficulty == 2);
    }
  }

  // A stored iteration count of 2^31 - 1 (about an hour of PBKDF2, and not
  // the documented 600,000) is refused at once with the reason. With a valid
  // hash, pressing "Open teacher mode" says "Checking the password…" and
  // returns at once; the user can leave the screen, and leaving (or Cancel)
  // stops the derivation and signs nobody in.
  void hugeIterationCountNeitherFreezesNorOpens() {
    qputenv("ZAYA_DATA_DIR", dir_.filePath(QStringLiteral("huge-count")).toUtf8());
    {
      app::Database db(app::Database::defaultPath());
      app::AuthService auth(db);
      const app::Profile t = auth.createTeacher(QStringLiteral("Teacher"), kPassword);
      app::PasswordRecord record = *db.password(t.id);
      record.iterations = 2147483647;
      db.setPassword(t.id, record);
    }
    MainWindow w;
    w.resize(1200, 800);
    w.show();
    QSignalSpy loaded(&w, &MainWindow::bankLoaded);
    QVERIFY(loaded.wait(30000));
    QSignalSpy rendered(&w, &MainWindow::viewRendered);
    QVERIFY(w.showView(QStringLiteral("teacher")));
    QVERIFY(rendered.wait(5000));
    TeacherView* tv = w.teacherView();
    QPushButton* open = nullptr;
    for (auto* b : tv->findChildren<QPushButton*>())
      if (b->text() == QStringLiteral("Open teacher mode")) open = b;
    QVERIFY(open);

    // A count other than the documented 600,000 is refused at once, with the reason.
    tv->passwordField()->setText(kPassword);
    QElapsedTimer clock;
    clock.start();
    QTest::mouseClick(open, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!tv->isCheckingPassword(), 2000);
    QVERIFY2(clock.elapsed() < 1500, qPrintable(QStringLiteral("the refusal took %1 ms").arg(clock.elapsed())));
    QVERIFY2(tv->lockMessage().contains(QStringLiteral("600000")), qPrintable(tv->lockMessage()));
    QVERIFY(!tv->isUnlocked() && !w.appContext()->auth().isTeacher());
    if (const QString shots = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR"); !shots.isEmpty())
      QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("teacher-refused-hash.png"))));

    // With the documented count, the check runs on a worker thread: the
    // window keeps running while it does.
    {
      app::Database& db = w.appContext()->database();
      db.setPassword(db.profiles().front().id, app::AuthService::hashPassword(kPassword));
    }
    tv->passwordField()->setText(kPassword);
    clock.restart();
    QTest::mouseClick(open, Qt::LeftButton);
    QVERIFY2(clock.elapsed() < 300, qPrintable(QStringLiteral("the click took %1 ms").arg(clock.elapsed())));
    QVERIFY(tv->isCheckingPassword());
    QCOMPARE(tv->lockMessage(), QStringLiteral("Checking the password…"));
    QVERIFY(!open->isEnabled());

    // Leaving the screen works at once and abandons the check.
    rendered.clear();
    QVERIFY(w.showView(QStringLiteral("progress")));
    QVERIFY(rendered.wait(5000));
    QVERIFY(!tv->isCheckingPassword());
    QVERIFY(!w.appContext()->auth().isTeacher());
    QVERIFY2(tv->lockMessage().contains(QStringLiteral("stopped")), qPrintable(tv->lockMessage()));
    QVERIFY2(QThreadPool::globalInstance()->waitForDone(5000), "the key derivation kept running after the screen was left");
    QVERIFY(!w.appContext()->auth().isTeacher());

    // Back on the screen, Cancel stops a check the same way.
    QVERIFY(w.showView(QStringLiteral("teacher")));
    QTRY_VERIFY_WITH_TIMEOUT(open->isEnabled(), 5000);
    tv->passwordField()->setText(kPassword);
    QTest::mouseClick(open, Qt::LeftButton);
    QVERIFY(tv->isCheckingPassword());
    QPushButton* cancel = nullptr;
    for (auto* b : tv->findChildren<QPushButton*>())
      if (b->text() == QStringLiteral("Cancel")) cancel = b;
    QVERIFY(cancel && cancel->isVisible());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(!tv->isCheckingPassword());
    QVERIFY(open->isEnabled() && !cancel->isVisible());
    QVERIFY2(tv->lockMessage().contains(QStringLiteral("cancelled")), qPrintable(tv->lockMessage()));
    QVERIFY2(QThreadPool::globalInstance()->waitForDone(5000), "the key derivation kept running after Cancel");
    QVERIFY(!tv->isUnlocked() && !w.appContext()->auth().isTeacher());
  }
};

QTEST_MAIN(TestTeacherView)
#include "test_teacher_view.moc"
