// A real tutoring session on the embedded engine, with a synthetic
// small-vocab262k model from zaya-synth (random weights: the text is
// nonsense, the plumbing is real): every generated token's routing lands in
// exactly one part of the solution, the trace is saved and reloaded
// identically, and cancelling in the middle keeps what was produced. A pack
// whose file changed after loading (grown, or only rewritten in place) is
// refused before the engine reads it, with a message naming the file.
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "engine_backend.h"
#include "synth_model.h"
#include "tutoring_session.h"
#include "zaya/quantize.h"

using namespace zaya::app;

class TestTutorEngine : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString model_;
  std::shared_ptr<EngineBackend> backend_;

  // A copy of one q8 pack of the synthetic model (quantised once), loaded on the CPU.
  std::shared_ptr<EngineBackend> loadPack(const QString& pack) {
    const QString original = dir_.filePath(QStringLiteral("synth-q8.zpack"));
    if (!QFile::exists(original)) {
      zaya::QuantizeToPackOptions q;
      q.preset = "q8";
      q.threads = 1;
      zaya::quantize_to_pack(model_.toStdString(), original.toStdString(), q);
    }
    if (!QFile::copy(original, pack)) return nullptr;
    zaya::LoadOptions opts;
    opts.device = zaya::DeviceKind::Cpu;
    return EngineBackend::load(pack, zaya::testing::referenceTokenizerPath(), opts);
  }

  // The session's failure message for one short question ("" when it ran).
  static QString askOnce(const std::shared_ptr<EngineBackend>& backend) {
    TutoringSession s(backend);
    QSignalSpy failed(&s, &TutoringSession::failed);
    QSignalSpy done(&s, &TutoringSession::finished);
    s.start({.userPrompt = QStringLiteral("What is $2+2$?"), .thinkingBudget = -1, .maxTokens = 3, .temperature = 0.0f, .modelSampling = false});
    if (!QTest::qWaitFor([&] { return failed.count() + done.count() > 0; }, 60000)) return QStringLiteral("no answer within 60 s");
    QTest::qWait(50);  // a failure is reported before finished, if at all
    return failed.isEmpty() ? QString() : failed.first().first().toString();
  }

 private slots:
  void initTestCase() {
    if (!QFile::exists(zaya::testing::referenceTokenizerPath())) QSKIP("reference tokenizer.json not installed (tools/setup.sh installs it)");
    const QString model = model_ = dir_.filePath(QStringLiteral("synth"));
    QProcess synth;
    synth.start(QStringLiteral(ZAYA_SYNTH), {QStringLiteral("--preset"), QStringLiteral("small-vocab262k"), QStringLiteral("--seed"),
                                             QStringLiteral("7"), QStringLiteral("--out"), model, QStringLiteral("--quiet")});
    QVERIFY(synth.waitForFinished(120000));
    QVERIFY2(synth.exitCode() == 0, synth.readAllStandardError().constData());
    zaya::LoadOptions opts;
    opts.device = zaya::DeviceKind::Cpu;
    backend_ = EngineBackend::load(model, zaya::testing::referenceTokenizerPath(), opts);
    QVERIFY(backend_->info().hasRouting);
    QVERIFY(backend_->info().layers > 0);
  }

  void routingOfEveryTokenIsAttributedAndSaved() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("db.sqlite")));
    const qint64 pid = db.insertProfile({.name = QStringLiteral("Ada")});
    TutoringSession s(backend_);
    s.setStore(&db, pid, QStringLiteral("synth"));
    QList<GeneratedToken> seen;
    connect(&s, &TutoringSession::tokenAdded, this, [&](int, const GeneratedToken& t) { seen << t; });
    QSignalSpy done(&s, &TutoringSession::finished);
    s.start({.problemId = QStringLiteral("p"), .userPrompt = QStringLiteral("What is $1+1$?"), .thinkingBudget = -1, .maxTokens = 24, .temperature = 0.0f, .modelSampling = false});
    QVERIFY(done.wait(120000));
    const Solution& sol = s.solution();
    const int layers = backend_->info().layers;
    QCOMPARE(sol.tokenCount, int(seen.size()));
    QVERIFY(sol.tokenCount > 0);
    QCOMPARE(sol.traceLayers, layers);
    QCOMPARE(s.trace().tokens(), sol.tokenCount);
    // Each token's routing, as the engine reported it, is in the trace.
    for (int i = 0; i < sol.tokenCount; ++i) {
      QCOMPARE(seen[i].routing.size(), layers);
      for (int l = 0; l < layers; ++l) {
        QCOMPARE(s.trace().expertAt(i, l), seen[i].routing[l].expert);
        QVERIFY(qAbs(s.trace().probAt(i, l) - seen[i].routing[l].prob) < 1e-4f);
      }
    }
    // ... and lands in exactly one part: thinking, or one step.
    int covered = sol.thinkingEndToken;
    for (const auto& st : sol.steps) {
      QCOMPARE(st.firstToken, covered);
      QVERIFY(st.endToken > st.firstToken);
      covered = st.endToken;
    }
    QCOMPARE(covered, sol.tokenCount);
    // Saved and reloaded identically.
    const auto back = db.solution(sol.id);
    QVERIFY(back);
    QCOMPARE(back->trace, sol.trace);
    QCOMPARE(back->tokenIds, sol.tokenIds);
    QCOMPARE(back->tokenEnds, sol.tokenEnds);
    QCOMPARE(back->text, sol.text);
    QCOMPARE(back->steps.size(), sol.steps.size());
    const RoutingTrace reloaded = RoutingTrace::decode(back->trace, back->traceLayers, back->traceExperts);
    QCOMPARE(reloaded.expert, s.trace().expert);
    QCOMPARE(reloaded.prob, s.trace().prob);
  }

  void cancelInTheMiddle() {
    TutoringSession s(backend_);
    QSignalSpy tokens(&s, &TutoringSession::tokenAdded);
    QSignalSpy done(&s, &TutoringSession::finished);
    s.start({.userPrompt = QStringLiteral("Count to one hundred."), .thinkingBudget = -1, .maxTokens = 400, .temperature = 0.0f, .modelSampling = false});
    QTRY_VERIFY_WITH_TIMEOUT(tokens.count() >= 4, 60000);
    s.cancel();
    QVERIFY(done.count() == 1 || done.wait(60000));
    QVERIFY(s.solution().cancelled);
    QVERIFY(s.solution().tokenCount >= 4);
    QVERIFY(s.solution().tokenCount < 400);
    QCOMPARE(s.trace().tokens(), s.solution().tokenCount);
  }

  void packThatGrewAfterLoadingIsRefused() {
    const QString pack = dir_.filePath(QStringLiteral("grows.zpack"));
    const auto backend = loadPack(pack);
    QVERIFY(backend);
    QCOMPARE(askOnce(backend), QString());
    {
      QFile f(pack);
      QVERIFY(f.open(QIODevice::Append));
      f.write("appended by another program");
    }
    const QString why = askOnce(backend);
    QVERIFY2(why.contains(QStringLiteral("The model file %1 changed after the tutor loaded it").arg(pack)), qPrintable(why));
    QVERIFY2(why.contains(QStringLiteral("its size went from")), qPrintable(why));
    QVERIFY2(why.contains(QStringLiteral("Open the model again")), qPrintable(why));
  }

  void packRewrittenInPlaceIsRefused() {
    const QString pack = dir_.filePath(QStringLiteral("rewritten.zpack"));
    const auto backend = loadPack(pack);
    QVERIFY(backend);
    QCOMPARE(askOnce(backend), QString());
    {
      // Same size, same inode, new contents and time: what an in-place copy does.
      QFile f(pack);
      QVERIFY(f.open(QIODevice::ReadWrite));
      QVERIFY(f.seek(f.size() / 2));
      const QByteArray b = f.peek(8);
      QVERIFY(f.write(QByteArray(b.size(), '\x5a')) == b.size());
      f.close();
      QVERIFY(f.open(QIODevice::ReadWrite));
      QVERIFY(f.setFileTime(QFileInfo(pack).lastModified().addSecs(5), QFileDevice::FileModificationTime));
    }
    const QString why = askOnce(backend);
    QVERIFY2(why.contains(QStringLiteral("it was written to since")), qPrintable(why));
    // The backend itself refuses too, whoever calls it.
    QVERIFY_THROWS_EXCEPTION(AppError, backend->checkModelFilesUnchanged());
  }
};

QTEST_GUILESS_MAIN(TestTutorEngine)
#include "test_tutor_engine.moc"
