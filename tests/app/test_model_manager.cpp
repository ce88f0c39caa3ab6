// The model manager's state machine on a zaya-synth tiny model: import →
// verify → Ready; a truncated safetensors fails with the loader's message;
// q8 conversion makes a pack the engine opens; cancelling a conversion leaves
// no partial pack; download (from a local server with the hub's URL layout) →
// verify → convert → Ready; a pack with flipped tensor bytes fails the
// verify stage with the damaged tensor's name; the presets offered and their
// speeds on this computer.
#include <QDirIterator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

#include "database.h"
#include "hub_server.h"
#include "model_manager.h"
#include "pack_presets.h"
#include "pack/pack_reader.h"
#include "pack/quantize.h"
#include "synth_model.h"
#include "zaya/model.h"
#include "zaya/quantize.h"

using namespace zaya::app;
using zaya::testing::HubServer;

namespace {

bool makeTiny(const QString& out) {
  return zaya::testing::writeSyntheticModel(QStringLiteral(ZAYA_SYNTH), QStringLiteral("tiny"), 3, out);
}

// Waits for Ready or Failed.
ModelManager::State settle(ModelManager& m, int ms = 60000) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < ms) {
    QTest::qWait(20);
    if (m.state() == ModelManager::State::Ready || m.state() == ModelManager::State::Failed) return m.state();
  }
  return m.state();
}

QStringList partials(const QString& dir) {
  QStringList out;
  QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString p = it.next();
    if (p.endsWith(QStringLiteral(".zpack")) || p.contains(QStringLiteral(".part"))) out << p;
  }
  return out;
}

}  // namespace

class TestModelManager : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString tiny_;

 private slots:
  void initTestCase() {
    tiny_ = dir_.filePath(QStringLiteral("tiny"));
    QVERIFY(makeTiny(tiny_));
  }

  void importVerifiesAndRemembersTheModel() {
    QTemporaryDir d;
    Database db(d.filePath(QStringLiteral("db.sqlite")));
    ModelManager m(&db, d.filePath(QStringLiteral("models")));
    QSignalSpy states(&m, &ModelManager::stateChanged);
    QSignalSpy progress(&m, &ModelManager::progress);
    m.importSnapshot(tiny_, QStringLiteral("tiny"));
    QCOMPARE(settle(m), ModelManager::State::Ready);
    QCOMPARE(states.count(), 3);  // Importing, Verifying, Ready
    QCOMPARE(states[0][0].value<ModelManager::State>(), ModelManager::State::Importing);
    QCOMPARE(states[1][0].value<ModelManager::State>(), ModelManager::State::Verifying);
    QVERIFY(progress.count() > 0);
    const QString installed = d.filePath(QStringLiteral("models/tiny"));
    QCOMPARE(m.modelPath(), installed);
    QVERIFY(QFile::exists(installed + QStringLiteral("/config.json")));
    QVERIFY(m.model() != nullptr);
    QCOMPARE(db.setting(QStringLiteral("model.active")), installed);
    QCOMPARE(m.activeModel(), installed);

    // The device advice: memory from estimate_memory, tokens/s from the bandwidth the engine
    // reaches / the bytes a token reads (the engine's own count).
    const DeviceRecommendation r = ModelManager::recommend(installed, 1024, 20e9);
    const zaya::MemoryEstimate e = zaya::estimate_memory(installed.toStdString(), 1024);
    QCOMPARE(r.cpuBytes, e.total_bytes);
    const double perToken = ModelManager::activeBytesPerToken(installed);
    QVERIFY(perToken > 0 && perToken < double(m.model()->weight_bytes()));
    QCOMPARE(perToken, double(m.model()->decode_bytes_per_token()));
    QVERIFY(qAbs(r.cpuTokensPerSecond - 20e9 * kCpuDecodeEfficiency / perToken) < 1e-6 * r.cpuTokensPerSecond);
    QVERIFY2(r.cpuText.startsWith(QStringLiteral("CPU: about ")), qPrintable(r.cpuText));
    QVERIFY(!r.gpuText.isEmpty());

    // Importing again under the same name is refused, nothing overwritten.
    m.importSnapshot(tiny_, QStringLiteral("tiny"));
    QCOMPARE(settle(m), ModelManager::State::Failed);
    QVERIFY2(m.failureReason().contains(QStringLiteral("already exists")), qPrintable(m.failureReason()));
  }

  void noFreeSpaceIsRefusedBeforeCopying() {
    QTemporaryDir d;
    ModelManager m(nullptr, d.filePath(QStringLiteral("models")));
    m.setFreeSpaceQuery([](const QString&) { return qint64(1000); });
    m.importSnapshot(tiny_, QStringLiteral("tiny"));
    QCOMPARE(settle(m), ModelManager::State::Failed);
    QVERIFY2(m.failureReason().contains(QStringLiteral("only 0 MB are free")), qPrintable(m.failureReason()));
    QVERIFY(!QFile::exists(d.filePath(QStringLiteral("models/tiny"))));
  }

  void mxfp4CheckpointIsRefused() {
    QTemporaryDir d;
    const QString src = d.filePath(QStringLiteral("mx"));
    QVERIFY(QDir().mkpath(src));
    QFile::copy(tiny_ + QStringLiteral("/model.safetensors"), src + QStringLiteral("/model.safetensors"));
    QFile in(tiny_ + QStringLiteral("/config.json"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QJsonObject cfg = QJsonDocument::fromJson(in.readAll()).object();
    cfg.insert(QStringLiteral("quantization_config"), QJsonObject{{"quant_method", "mxfp4"}});
    QFile out(src + QStringLiteral("/config.json"));
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument(cfg).toJson());
    out.close();
    ModelManager m(nullptr, d.filePath(QStringLiteral("models")));
    m.importSnapshot(src, QStringLiteral("mx"));
    QCOMPARE(settle(m), ModelManager::State::Failed);
    QVERIFY2(m.failureReason().contains(QStringLiteral("MXFP4-experts checkpoint")), qPrintable(m.failureReason()));
  }

  void truncatedWeightsFailWithTheLoadersMessage() {
    QTemporaryDir d;
    const QString src = d.filePath(QStringLiteral("cut"));
    QVERIFY(QDir().mkpath(src));
    QVERIFY(QFile::copy(tiny_ + QStringLiteral("/config.json"), src + QStringLiteral("/config.json")));
    QFile whole(tiny_ + QStringLiteral("/model.safetensors"));
    QVERIFY(whole.open(QIODevice::ReadOnly));
    const QByteArray bytes = whole.readAll();
    QFile cut(src + QStringLiteral("/model.safetensors"));
    QVERIFY(cut.open(QIODevice::WriteOnly));
    cut.write(bytes.left(bytes.size() / 2));
    cut.close();
    ModelManager m(nullptr, d.filePath(QStringLiteral("models")));
    QSignalSpy failed(&m, &ModelManager::failed);
    m.importSnapshot(src, QStringLiteral("cut"));
    QCOMPARE(settle(m), ModelManager::State::Failed);
    QCOMPARE(failed.count(), 1);
    // Exactly what the engine's loader says about the installed copy.
    QString loaderMessage;
    try {
      zaya::Model::load(d.filePath(QStringLiteral("models/cut")).toStdString());
    } catch (const std::exception& e) {
      loaderMessage = QString::fromUtf8(e.what());
    }
    QVERIFY(!loaderMessage.isEmpty());
    QCOMPARE(m.failureReason(), loaderMessage);
    QVERIFY(m.failureReason().contains(QStringLiteral("model.safetensors")));
  }

  void convertsToAQ8PackTheEngineOpens() {
    QTemporaryDir d;
    ModelManager m(nullptr, d.filePath(QStringLiteral("models")));
    m.importSnapshot(tiny_, QStringLiteral("tiny"), /*link=*/true);
    QCOMPARE(settle(m), ModelManager::State::Ready);
    QVERIFY(QFileInfo(d.filePath(QStringLiteral("models/tiny/model.safetensors"))).isSymLink());
    QSignalSpy progress(&m, &ModelManager::progress);
    m.convert(QStringLiteral("q8"));
    QCOMPARE(m.state(), ModelManager::State::Converting);
    QCOMPARE(settle(m), ModelManager::State::Ready);
    const QString pack = d.filePath(QStringLiteral("models/tiny-q8.zpack"));
    QCOMPARE(m.modelPath(), pack);
    bool sawConvert = false;
    for (const auto& p : progress) sawConvert |= p[0].value<ModelManager::Stage>() == ModelManager::Stage::Convert;
    QVERIFY(sawConvert);
    const auto model = zaya::Model::load(pack.toStdString());
    QCOMPARE(model->config().num_layers, m.model()->config().num_layers);
  }

  // The presets the model manager offers come from the engine, with its
  // bytes per token; the measured speed of a preset is the median of this
  // computer's CPU answers with an installed pack made with it (the pack's
  // own record says which), over every profile, and nothing else.
  void presetSpeedsUseTheEngineAndThisComputersAnswers() {
    const QList<PresetChoice> choices = presetChoices();
    QVERIFY(choices.size() >= 3);
    QCOMPARE(choices.first().name, QStringLiteral("default"));
    QStringList names;
    for (const auto& c : choices) names << c.name;
    QVERIFY(names.contains(QStringLiteral("q4")) && names.contains(QStringLiteral("q8")));

    QTemporaryDir d;
    ModelManager m(nullptr, d.filePath(QStringLiteral("models")));
    m.importSnapshot(tiny_, QStringLiteral("tiny"), /*link=*/true);
    QCOMPARE(settle(m), ModelManager::State::Ready);
    m.convert(QStringLiteral("q4"));
    QCOMPARE(settle(m), ModelManager::State::Ready);
    const QString pack = d.filePath(QStringLiteral("models/tiny-q4.zpack"));
    QCOMPARE(packPreset(pack), QStringLiteral("q4"));
    QCOMPARE(packPreset(d.filePath(QStringLiteral("models/tiny"))), QString());  // a checkpoint folder has none
    // A copy under another name is still a q4 pack: the record, not the name, says so.
    QVERIFY(QFile::copy(pack, d.filePath(QStringLiteral("models/renamed.zpack"))));

    Database db(d.filePath(QStringLiteral("db.sqlite")));
    const qint64 ada = db.insertProfile({.name = QStringLiteral("Ada")});
    const qint64 bob = db.insertProfile({.name = QStringLiteral("Bob")});
    auto answer = [&](qint64 who, const QString& model, double speed, int tokens, bool cancelled) {
      Solution s{.profileId = who, .problemId = QStringLiteral("p"), .mode = QStringLiteral("full"), .model = model};
      s.tokenCount = tokens;
      s.tokensPerSecond = speed;
      s.cancelled = cancelled;
      db.insertSolution(s);
    };
    answer(ada, QStringLiteral("tiny-q4 (CPU (2 threads))"), 30, 500, false);
    answer(bob, QStringLiteral("tiny-q4 (CPU (2 threads))"), 34, 800, false);
    answer(ada, QStringLiteral("tiny-q4 (CPU (2 threads))"), 31, 300, false);
    answer(ada, QStringLiteral("tiny-q4 (CPU (2 threads))"), 90, 20, false);    // too short to be decode speed
    answer(ada, QStringLiteral("tiny-q4 (CPU (2 threads))"), 5, 900, true);     // cancelled
    answer(ada, QStringLiteral("tiny-q4 (GPU: H100)"), 400, 900, false);        // not the CPU
    answer(ada, QStringLiteral("tiny-q4x (CPU (2 threads))"), 1, 900, false);   // another model's name
    QCOMPARE(db.recentSpeeds(QStringLiteral("tiny-q4 (CPU"), kMinTokensForSpeed, kSpeedSamples), (QList<double>{31, 34, 30}));

    zaya::ModelConfig config = m.model()->config();
    const auto installed = ModelStore(d.filePath(QStringLiteral("models"))).installed();
    const QList<PresetSpeed> speeds = presetSpeeds(config, 20e9, installed, &db);
    QCOMPARE(speeds.size(), choices.size());
    for (const PresetSpeed& s : speeds) {
      QCOMPARE(s.bytesPerToken, zaya::preset_bytes_per_token(s.preset.toStdString(), config));
      QCOMPARE(s.estimatedTokensPerSecond, 20e9 * kCpuDecodeEfficiency / double(s.bytesPerToken));
      if (s.preset == QStringLiteral("q4")) {
        QCOMPARE(s.measuredAnswers, 3);
        QCOMPARE(s.measuredTokensPerSecond, 31.0);
        QCOMPARE(s.measuredPack, QStringLiteral("tiny-q4"));
      } else {
        QCOMPARE(s.measuredAnswers, 0);
      }
    }
    const PresetSpeed& def = speeds[0];
    const PresetSpeed& q4 = *std::find_if(speeds.begin(), speeds.end(), [](const PresetSpeed& s) { return s.preset == QStringLiteral("q4"); });
    QVERIFY(def.bytesPerToken > q4.bytesPerToken);
    // Only q4 measured: the slowdown follows the bytes each reads per token.
    QCOMPARE(defaultSlowdownPercent(speeds),
             int(std::lround(100.0 * (1.0 - double(q4.bytesPerToken) / double(def.bytesPerToken)))));
    QList<PresetSpeed> both = speeds;
    both[0].measuredAnswers = 4;
    both[0].measuredTokensPerSecond = 23.25;  // 25 % below q4's 31
    QCOMPARE(defaultSlowdownPercent(both), 25);
  }

  void packWithFlippedTensorBytesFailsVerifyNamingTheTensor() {
    QTemporaryDir d;
    const QString pack = d.filePath(QStringLiteral("tiny-q4.zpack"));
    zaya::pack::QuantizeOptions q;
    q.preset = zaya::pack::quantize_preset("q4");
    q.threads = 1;
    zaya::pack::quantize_checkpoint(tiny_.toStdString(), pack.toStdString(), q);
    // Invert 16 bytes in the middle of the first expert tensor: header and
    // table stay valid, so only the tensor's checksum can tell.
    std::string tensor;
    qint64 at = -1;
    {
      const zaya::pack::MappedPack mapped(pack.toStdString());
      for (const auto& e : mapped.reader().entries())
        if (e.kind == zaya::pack::EntryKind::Tensor && e.name.find("experts") != std::string::npos) {
          tensor = e.name;
          at = qint64(e.offset + e.size / 2);
          break;
        }
    }
    QVERIFY(at > 0);
    QFile f(pack);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.seek(at));
    QByteArray b = f.read(16);
    for (char& c : b) c = char(~c);
    QVERIFY(f.seek(at));
    QCOMPARE(f.write(b), qint64(16));
    f.close();

    Database db(d.filePath(QStringLiteral("db.sqlite")));
    ModelManager m(&db, d.filePath(QStringLiteral("models")));
    QSignalSpy states(&m, &ModelManager::stateChanged);
    m.open(pack);
    QCOMPARE(settle(m), ModelManager::State::Failed);
    QCOMPARE(states[0][0].value<ModelManager::State>(), ModelManager::State::Verifying);
    const QString why = m.failureReason();
    QVERIFY2(why.contains(QStringLiteral("tensor '%1' is corrupted").arg(QString::fromStdString(tensor))), qPrintable(why));
    QVERIFY2(why.contains(pack), qPrintable(why));
    QVERIFY(m.model() == nullptr);
    QCOMPARE(m.activeModel(), QString());  // a damaged pack is not remembered as the model to use
  }

  void cancelledConversionLeavesNoPack() {
    QTemporaryDir d;
    ModelManager m(nullptr, d.filePath(QStringLiteral("models")));
    m.importSnapshot(tiny_, QStringLiteral("tiny"), true);
    QCOMPARE(settle(m), ModelManager::State::Ready);
    m.cancel();  // a cancel while idle is not remembered by the next job
    m.convert(QStringLiteral("q8"));
    // Raised while the worker runs: the quantiser stops at its first progress
    // report, after it has begun writing the pack.
    m.cancel();
    QCOMPARE(settle(m), ModelManager::State::Failed);
    QCOMPARE(m.failureReason(), QStringLiteral("Conversion cancelled."));
    QCOMPARE(partials(d.filePath(QStringLiteral("models"))), QStringList());
  }

  void downloadVerifyConvertReady() {
    HubServer hub;
    QVERIFY(hub.serveFolder(tiny_));
    QTemporaryDir d;
    Database db(d.filePath(QStringLiteral("db.sqlite")));
    ModelManager m(&db, d.filePath(QStringLiteral("models")));
    m.downloader().setEndpoint(hub.url());
    QSignalSpy states(&m, &ModelManager::stateChanged);
    QSignalSpy done(&m, &ModelManager::finished);
    m.download(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), QStringLiteral("ZAYA1-8B"));
    QCOMPARE(settle(m), ModelManager::State::Ready);
    m.convert(QStringLiteral("q8"));
    QCOMPARE(settle(m), ModelManager::State::Ready);
    QList<ModelManager::State> seen;
    for (const auto& s : states) seen << s[0].value<ModelManager::State>();
    using S = ModelManager::State;
    QCOMPARE(seen, (QList<S>{S::Downloading, S::Verifying, S::Ready, S::Converting, S::Verifying, S::Ready}));
    QCOMPARE(done.count(), 2);
    const QString pack = d.filePath(QStringLiteral("models/ZAYA1-8B-q8.zpack"));
    QCOMPARE(m.modelPath(), pack);
    QCOMPARE(db.setting(QStringLiteral("model.active")), pack);
    QVERIFY(zaya::Model::load(pack.toStdString()) != nullptr);
  }
};

QTEST_GUILESS_MAIN(TestModelManager)
#include "test_model_manager.moc"
