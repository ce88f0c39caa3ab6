// The problem panel in front of app::Tutor, offscreen against scripted
// replies: three hints in a row after a wrong answer show three different
// steps and the third request carries the first two and the wrong answer;
// "Ask about this step" on a saved solution after a restart quotes that step
// and the problem and is stored in the problem's conversation; "Check my
// working" marks the step the tutor names, and marks nothing when the reply
// does not follow the format; a reply still writing when the student opens
// another problem is neither drawn nor saved under it.
#include <QComboBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "database.h"
#include "document_view.h"
#include "problem_panel.h"
#include "bridge.h"
#include "step_question_bar.h"
#include "tutor.h"
#include "tutor_test_support.h"
#include "working_check_box.h"

using namespace zaya;
using ui::ProblemPanel;

namespace {

// A panel on its own, the size of the practice screen's.
struct PanelFixture {
  explicit PanelFixture(app::Database* db, qint64 profile) {
    panel.resize(1100, 820);
    panel.setStore(db, profile);
    panel.show();
  }
  bool open(const problems::Problem& p) {
    QSignalSpy rendered(&panel, &ProblemPanel::statementRendered);
    panel.setProblem(&p);
    return rendered.wait(60000);
  }
  ProblemPanel panel;
};

QPushButton* buttonNamed(QWidget* root, const QString& text) {
  for (auto* b : root->findChildren<QPushButton*>())
    if (b->text() == text) return b;
  return nullptr;
}

QStringList stepTexts(const QJsonObject& state) {
  QStringList out;
  for (const auto& v : state.value(QStringLiteral("stepTexts")).toArray()) out << v.toString();
  return out;
}

QJsonObject previewState(ui::DocumentView* view) {
  QSignalSpy spy(view, &ui::DocumentView::previewReported);
  view->queryPreview();
  if (!spy.wait(10000)) return {};
  return spy.last().at(0).toJsonObject();
}

QList<int> markedLines(const QJsonObject& preview) {
  QList<int> out;
  for (const auto& v : preview.value(QStringLiteral("marked")).toArray()) out << v.toInt();
  return out;
}

// Saves a PNG of `w` under /tmp for a person to look at.
void shoot(QWidget* w, const QString& name) {
  QTest::qWait(300);  // the compositor's last frame
  w->grab().save(QStringLiteral("/tmp/zaya-shots/%1.png").arg(name), "PNG");
}

const QString kSolution = QStringLiteral(
    "Step 1: From $\\frac{9}{s} + \\frac{t}{60} = 4$ and $\\frac{9}{s+2} + \\frac{t}{60} = 2.4$ we get $s = 2.5$.\n\n"
    "Step 2: Then $\\frac{9}{2.5} = 3.6$ hours of walking leaves $t = 24$ minutes in the coffee shop.\n\n"
    "Step 3: At $3$ km/h the walk takes $3$ hours, so the total is $180 + 24 = \\boxed{204}$ minutes.");

}  // namespace

class TestTutorPanel : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  problems::Problem walk_ = test::walkProblem();
  problems::Problem squares_ = test::squaresProblem();

  QString dbPath(const QString& name) const { return dir_.filePath(name + QStringLiteral(".sqlite")); }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QDir().mkpath(QStringLiteral("/tmp/zaya-shots"));
  }

  void threeHintsAfterAWrongAnswerAreThreeStepsAndCarryWhatCameBefore() {
    app::Database db(dbPath(QStringLiteral("hints")));
    const qint64 pid = db.insertProfile({.name = QStringLiteral("Ada")});
    PanelFixture f(&db, pid);
    QVERIFY(f.open(walk_));
    const QStringList hints = {
        QStringLiteral("Write one equation per walk: $\\frac{9}{s} + \\frac{t}{60} = 4$ and $\\frac{9}{s+2} + \\frac{t}{60} = 2.4$."),
        QStringLiteral("Subtract the two equations: $t$ cancels and $\\frac{9}{s} - \\frac{9}{s+2} = 1.6$ gives $s = 2.5$."),
        QStringLiteral("Put $s = 2.5$ back to find $t = 24$, then time the walk at $3$ km/h.")};
    auto backend = std::make_shared<test::ReplySequenceBackend>(hints);
    f.panel.setTutorBackend(backend);

    const problems::Verdict wrong = f.panel.check(QStringLiteral("187"));
    QVERIFY(!wrong.equivalent);
    QPushButton* hint = buttonNamed(&f.panel, QStringLiteral("Hint"));
    QVERIFY(hint);
    QStringList shown;
    for (int i = 0; i < 3; ++i) {
      QSignalSpy finished(&f.panel, &ProblemPanel::tutorFinished);
      QVERIFY(hint->isEnabled());
      hint->click();
      QVERIFY(finished.wait(30000));
      QVERIFY(test::waitDrawn(f.panel.solutionView()));
      const QStringList steps = stepTexts(test::pageState(f.panel.solutionView()));
      QCOMPARE(steps.size(), 1);  // a hint is one step
      shown << steps.first().simplified();
    }
    QCOMPARE(f.panel.hintsUsed(), 3);
    QCOMPARE(QSet<QString>(shown.begin(), shown.end()).size(), 3);
    QVERIFY2(shown[1].contains(QStringLiteral("Subtract the two equations")), qPrintable(shown[1]));
    QVERIFY2(shown[2].contains(QStringLiteral("back to find")), qPrintable(shown[2]));

    const QList<app::GenerationRequest> requests = backend->requests();
    QCOMPARE(requests.size(), 3);
    const QString third = test::promptText(requests[2]);
    QVERIFY2(third.contains(QStringLiteral("Write one equation per walk")), qPrintable(third));
    QVERIFY2(third.contains(QStringLiteral("Subtract the two equations")), qPrintable(third));
    QVERIFY2(third.contains(QStringLiteral("187")), qPrintable(third));
    QVERIFY2(!test::promptText(requests[0]).contains(QStringLiteral("Subtract the two equations")),
             "the first hint request already held the second hint");
  }

  void askAboutAStepOfASavedSolutionAfterARestart() {
    const QString path = dbPath(QStringLiteral("restart"));
    qint64 pid = 0, saved = 0;
    {
      app::Database db(path);
      pid = db.insertProfile({.name = QStringLiteral("Ada")});
      PanelFixture f(&db, pid);
      QVERIFY(f.open(walk_));
      f.panel.setTutorBackend(std::make_shared<test::ReplySequenceBackend>(QStringList{kSolution}));
      QSignalSpy finished(&f.panel, &ProblemPanel::tutorFinished);
      QVERIFY(f.panel.ask(app::TutorAction::Solution));
      QVERIFY(finished.wait(30000));
      saved = finished.last().at(0).value<app::Solution>().id;
      QVERIFY(saved > 0);
    }
    // A restart: a new store and panel on the same data, and no model to open the solution.
    app::Database db(path);
    PanelFixture f(&db, pid);
    f.panel.setTutorBackend(nullptr, QStringLiteral("No model installed yet."));
    QVERIFY(f.open(walk_));
    QVERIFY(f.panel.savedSolutions()->isVisibleTo(&f.panel));
    QVERIFY(f.panel.showSavedSolution(saved));
    QVERIFY(test::waitDrawn(f.panel.solutionView()));
    const QJsonObject st = test::pageState(f.panel.solutionView());
    QCOMPARE(st.value(QStringLiteral("steps")).toInt(), 3);
    QCOMPARE(st.value(QStringLiteral("askButtons")).toInt(), 3);  // every step has its own

    // The student presses step 2's "Ask about this step" on the page.
    f.panel.solutionView()->page()->runJavaScript(QStringLiteral("document.querySelector('#step-1 button.ask-step').click()"));
    ui::StepQuestionBar* bar = f.panel.stepQuestionBar();
    QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible(), 10000);
    QCOMPARE(bar->step(), 2);
    QCOMPARE(bar->solutionId(), saved);
    QVERIFY2(bar->label()->text().contains(QStringLiteral("step 2")), qPrintable(bar->label()->text()));
    QVERIFY(!bar->askButton()->isEnabled());  // no model yet
    shoot(&f.panel, QStringLiteral("ask-about-step-light"));
    f.panel.setTheme(QStringLiteral("dark"));
    shoot(&f.panel, QStringLiteral("ask-about-step-dark"));
    f.panel.setTheme(QStringLiteral("light"));

    auto backend = std::make_shared<test::ReplySequenceBackend>(QStringList{QStringLiteral(
        "Walking $9$ km at $2.5$ km/h takes $3.6$ hours; the $4$ hours of the trip leave $0.4$ hours, which is $24$ minutes.")});
    f.panel.setTutorBackend(backend);
    QVERIFY(bar->askButton()->isEnabled());
    QTest::keyClicks(bar->field(), QStringLiteral("Where does the 24 come from?"));
    QSignalSpy finished(&f.panel, &ProblemPanel::tutorFinished);
    bar->askButton()->click();
    QVERIFY(finished.wait(30000));
    QVERIFY(!bar->isVisible());
    const QList<app::GenerationRequest> requests = backend->requests();
    QCOMPARE(requests.size(), 1);
    const QString prompt = test::promptText(requests[0]);
    QVERIFY2(prompt.contains(QStringLiteral("leaves $t = 24$ minutes in the coffee shop")), qPrintable(prompt));
    QVERIFY2(prompt.contains(QStringLiteral("Every morning Aya goes for a")), qPrintable(prompt));
    QVERIFY2(prompt.contains(QStringLiteral("Where does the 24 come from?")), qPrintable(prompt));

    const qint64 explanation = finished.last().at(0).value<app::Solution>().id;
    QVERIFY(explanation > 0);
    // The same conversation as the solution, and still there after another restart.
    app::Database again(path);
    app::Tutor tutor(&again, pid);
    tutor.openProblem(&walk_);
    const QList<app::ConversationTurn> turns = tutor.conversation();
    QVERIFY(turns.size() >= 2);
    QCOMPARE(turns.first().solutionId, saved);
    QCOMPARE(turns.last().action, app::TutorAction::Explain);
    QCOMPARE(turns.last().step, 2);
    QCOMPARE(turns.last().solutionId, explanation);
  }

  void checkMyWorkingMarksTheNamedStep() {
    app::Database db(dbPath(QStringLiteral("working")));
    const qint64 pid = db.insertProfile({.name = QStringLiteral("Ada")});
    PanelFixture f(&db, pid);
    QVERIFY(f.open(walk_));
    ui::WorkingCheckBox* box = f.panel.workingBox();
    f.panel.showWorkingTab();
    QTRY_VERIFY_WITH_TIMEOUT(box->preview()->bridge()->isPageReady(), 30000);
    auto backend = std::make_shared<test::ReplySequenceBackend>(QStringList{kWrongStepThree, kNoFormat});
    f.panel.setTutorBackend(backend);
    const QString working = QStringLiteral(
        "\\frac{9}{s} + \\frac{t}{60} = 4\n"
        "\\frac{9}{s+2} + \\frac{t}{60} = 2.4\n"
        "\\frac{9}{s} - \\frac{9}{s+2} = 1.4\n"
        "s = 2.7 <b>?</b>\n");
    box->editor()->setPlainText(working);
    QSignalSpy finished(&f.panel, &ProblemPanel::tutorFinished);
    QVERIFY(box->checkButton()->isEnabled());
    box->checkButton()->click();
    QVERIFY(finished.wait(30000));
    QTRY_COMPARE_WITH_TIMEOUT(box->markedStep(), 3, 5000);
    QJsonObject preview = previewState(box->preview());
    QCOMPARE(preview.value(QStringLiteral("lines")).toInt(), 4);
    QCOMPARE(markedLines(preview), QList<int>{3});
    QVERIFY2(preview.value(QStringLiteral("note")).toString().contains(QStringLiteral("4 - 2.4 = 1.6")),
             qPrintable(preview.value(QStringLiteral("note")).toString()));
    // The student's "<b>" is shown as typed, not as markup.
    QVERIFY2(preview.value(QStringLiteral("text")).toString().contains(QStringLiteral("<b>?</b>")),
             qPrintable(preview.value(QStringLiteral("text")).toString()));
    QVERIFY(box->result()->text().contains(QStringLiteral("Step 3")));
    const QString prompt = test::promptText(backend->requests().first());
    QVERIFY2(prompt.contains(QStringLiteral("\\frac{9}{s} - \\frac{9}{s+2} = 1.4")), qPrintable(prompt));
    shoot(&f.panel, QStringLiteral("check-working-light"));
    f.panel.setTheme(QStringLiteral("dark"));
    shoot(&f.panel, QStringLiteral("check-working-dark"));
    f.panel.setTheme(QStringLiteral("light"));

    // A reply that does not follow the format: shown as text, nothing marked.
    QVERIFY(box->checkButton()->isEnabled());
    box->checkButton()->click();
    QVERIFY(finished.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(box->result()->text().contains(QStringLiteral("did not follow the expected format")), 5000);
    QVERIFY2(box->result()->text().contains(QStringLiteral("looks mostly fine")), qPrintable(box->result()->text()));
    QCOMPARE(box->markedStep(), 0);
    preview = previewState(box->preview());
    QCOMPARE(preview.value(QStringLiteral("lines")).toInt(), 4);
    QVERIFY(markedLines(preview).isEmpty());
    QCOMPARE(preview.value(QStringLiteral("note")).toString(), QString());
  }

  void openingAnotherProblemMidStreamDrawsAndSavesNothingThere() {
    app::Database db(dbPath(QStringLiteral("switch")));
    const qint64 pid = db.insertProfile({.name = QStringLiteral("Ada")});
    PanelFixture f(&db, pid);
    QVERIFY(f.open(walk_));
    QString longReply;
    for (int i = 1; i <= 12; ++i) longReply += QStringLiteral("Step %1: a long line of work number %1 about the walk.\n\n").arg(i);
    auto backend = std::make_shared<test::ReplySequenceBackend>(QStringList{longReply}, 25);
    f.panel.setTutorBackend(backend);
    QVERIFY(f.panel.ask(app::TutorAction::Solution));
    QTRY_VERIFY_WITH_TIMEOUT(f.panel.tutorSession() && f.panel.tutorSession()->solution().steps.size() >= 1, 10000);
    QVERIFY(f.panel.tutor()->isRunning());

    QVERIFY(f.open(squares_));
    QTRY_VERIFY_WITH_TIMEOUT(!f.panel.tutor()->isRunning(), 10000);
    QTest::qWait(500);  // late tokens or a late "finished" would be drawn by now
    QVERIFY(test::waitDrawn(f.panel.solutionView()));
    const QJsonObject st = test::pageState(f.panel.solutionView());
    QCOMPARE(st.value(QStringLiteral("steps")).toInt(), 0);
    QVERIFY2(!st.value(QStringLiteral("status")).toString().contains(QStringLiteral("Stopped")),
             qPrintable(st.value(QStringLiteral("status")).toString()));
    QVERIFY(db.solutionsFor(pid, QString::fromStdString(squares_.id)).isEmpty());
    QVERIFY(!f.panel.savedSolutions()->isVisibleTo(&f.panel));
    QVERIFY(f.panel.tutor()->conversation().isEmpty());
  }

 private:
  static inline const QString kWrongStepThree = QStringLiteral(
      "Lines 1 and 2 set the two walks up correctly. In line 3 the difference of the right sides is wrong.\n\n"
      "VERDICT: step 3 | \"\\frac{9}{s} - \\frac{9}{s+2} = 1.4\" | 4 - 2.4 = 1.6, so the right side should be 1.6.");
  static inline const QString kNoFormat = QStringLiteral(
      "Your working looks mostly fine, but I would double-check the subtraction somewhere in the middle.");
};

QTEST_MAIN(TestTutorPanel)
#include "test_tutor_panel.moc"
