// BackendLoader: the backend the settings ask for, or none and why. No model
// installed says so; a remote server without an address says so, and with
// one gives a remote backend at once; an installed zaya-synth model loads
// off the GUI thread on the chosen device with a calibration source of its
// shape; of two loads in a row only the newer one reports; a model that
// cannot be read says which and why.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include "backend_loader.h"
#include "calibration_source.h"
#include "database.h"
#include "engine_backend.h"
#include "model_manager.h"
#include "synth_model.h"
#include "tutor_settings.h"

using zaya::app::BackendLoader;
using zaya::app::CalibrationSource;
using zaya::app::Database;
using zaya::app::GenerationBackend;
using zaya::app::TutorSettings;

class TestBackendLoader : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString models_;  // holds ZAYA1-tiny: a zaya-synth checkpoint with a tokenizer beside it

 private slots:
  void initTestCase() {
    QVERIFY2(QFile::exists(zaya::testing::referenceTokenizerPath()), "reference tokenizer.json missing: run tools/setup.sh");
    models_ = dir_.filePath(QStringLiteral("models"));
    const QString model = models_ + QStringLiteral("/ZAYA1-tiny");
    QString error;
    QVERIFY2(zaya::testing::writeSyntheticModel(QStringLiteral(ZAYA_SYNTH), QStringLiteral("tiny"), 3, model, &error),
             qPrintable(error));
    QVERIFY(QFile::copy(zaya::testing::referenceTokenizerPath(), model + QStringLiteral("/tokenizer.json")));
  }

  void noModelInstalledSaysSo() {
    QTemporaryDir empty;
    BackendLoader loader(empty.path());
    QSignalSpy loaded(&loader, &BackendLoader::loaded);
    QSignalSpy calibration(&loader, &BackendLoader::calibrationChanged);
    loader.load(nullptr);
    QCOMPARE(loaded.size(), 1);
    QVERIFY(!loaded.first().at(0).value<std::shared_ptr<GenerationBackend>>());
    QVERIFY2(loaded.first().at(1).toString().startsWith(QStringLiteral("No model installed yet")),
             qPrintable(loaded.first().at(1).toString()));
    QCOMPARE(calibration.size(), 1);
    QVERIFY(!calibration.first().at(0).value<std::shared_ptr<const CalibrationSource>>());
    QVERIFY(!calibration.first().at(2).toString().isEmpty());
    QVERIFY(!loader.engine());
  }

  void remoteServerIsChosenWithoutLoadingAModel() {
    Database db(dir_.filePath(QStringLiteral("remote.sqlite")));
    TutorSettings s;
    s.remote = true;
    s.save(db);
    BackendLoader loader(models_);
    QSignalSpy started(&loader, &BackendLoader::started);
    QSignalSpy loaded(&loader, &BackendLoader::loaded);
    QSignalSpy loading(&loader, &BackendLoader::loading);
    loader.load(&db);
    QCOMPARE(started.size(), 1);
    QCOMPARE(started.first().at(0).toBool(), true);
    QCOMPARE(loaded.size(), 1);
    QVERIFY(!loaded.first().at(0).value<std::shared_ptr<GenerationBackend>>());
    QCOMPARE(loaded.first().at(1).toString(), QStringLiteral("A remote server is chosen in Settings, but its address is missing."));

    s.remoteUrl = QStringLiteral("http://127.0.0.1:9/v1");
    s.save(db);
    loader.load(&db);
    QCOMPARE(loaded.size(), 2);
    const auto backend = loaded.last().at(0).value<std::shared_ptr<GenerationBackend>>();
    QVERIFY(backend);
    QVERIFY(!backend->info().hasRouting);  // a remote server reports no routing
    QVERIFY(!loader.engine());
    QCOMPARE(loading.size(), 0);  // nothing local was read
  }

  void installedModelLoadsOffTheGuiThreadOnTheChosenDevice() {
    Database db(dir_.filePath(QStringLiteral("local.sqlite")));
    TutorSettings s;
    s.device = QStringLiteral("cpu");
    s.save(db);
    BackendLoader loader(models_);
    QSignalSpy loading(&loader, &BackendLoader::loading);
    QSignalSpy loaded(&loader, &BackendLoader::loaded);
    QSignalSpy calibration(&loader, &BackendLoader::calibrationChanged);
    loader.load(&db);
    // Off the GUI thread: load() returns before the model is read.
    QCOMPARE(loading.size(), 1);
    QCOMPARE(loading.first().at(0).toString(), QStringLiteral("ZAYA1-tiny"));
    QCOMPARE(loaded.size(), 0);
    QVERIFY(loader.isLoading());
    QVERIFY(loaded.wait(60000));
    const auto backend = loaded.first().at(0).value<std::shared_ptr<GenerationBackend>>();
    QVERIFY2(backend, qPrintable(loaded.first().at(1).toString()));
    QVERIFY(loader.engine());
    QCOMPARE(std::static_pointer_cast<GenerationBackend>(loader.engine()), backend);
    QVERIFY2(loader.engine()->deviceDescription().startsWith(QStringLiteral("CPU")),
             qPrintable(loader.engine()->deviceDescription()));
    QCOMPARE(calibration.size(), 1);
    const auto source = calibration.first().at(0).value<std::shared_ptr<const CalibrationSource>>();
    QVERIFY(source);
    QCOMPARE(calibration.first().at(1).toString(), QStringLiteral("ZAYA1-tiny"));
    QCOMPARE(source->layers(), int(loader.engine()->model().config().num_layers));
    QCOMPARE(source->experts(), int(loader.engine()->model().config().num_experts));
    QVERIFY(!source->tokenize()(QStringLiteral("A triangle has three sides.")).empty());
  }

  void aNewerLoadSupersedesAnOlderOne() {
    Database db(dir_.filePath(QStringLiteral("twice.sqlite")));
    TutorSettings s;
    s.device = QStringLiteral("cpu");
    s.save(db);
    BackendLoader loader(models_);
    QSignalSpy loaded(&loader, &BackendLoader::loaded);
    loader.load(&db);
    // The student switches to a remote server while the model is still being read.
    s.remote = true;
    s.remoteUrl = QStringLiteral("http://127.0.0.1:9/v1");
    s.save(db);
    loader.load(&db);
    QCOMPARE(loaded.size(), 1);
    QVERIFY(loaded.first().at(0).value<std::shared_ptr<GenerationBackend>>());
    // The local model's result arrives later and is dropped.
    QTest::qWait(3000);
    QThreadPool::globalInstance()->waitForDone(60000);
    QCoreApplication::processEvents();
    QCOMPARE(loaded.size(), 1);
    QVERIFY(!loader.engine());
  }

  void unreadableActiveModelSaysWhichAndWhy() {
    Database db(dir_.filePath(QStringLiteral("broken.sqlite")));
    const QString broken = dir_.filePath(QStringLiteral("broken.zpack"));
    QFile f(broken);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not a pack");
    f.close();
    db.setSetting(QString::fromLatin1(zaya::app::ModelManager::kActiveModelSetting), broken);
    BackendLoader loader(models_);
    QSignalSpy loaded(&loader, &BackendLoader::loaded);
    QSignalSpy calibration(&loader, &BackendLoader::calibrationChanged);
    loader.load(&db);
    QVERIFY(loaded.wait(60000));
    QVERIFY(!loaded.first().at(0).value<std::shared_ptr<GenerationBackend>>());
    const QString why = loaded.first().at(1).toString();
    QVERIFY2(why.startsWith(QStringLiteral("The model broken could not be loaded: ")), qPrintable(why));
    QCOMPARE(calibration.size(), 1);
    QCOMPARE(calibration.first().at(2).toString(), why);
  }
};

QTEST_MAIN(TestBackendLoader)
#include "test_backend_loader.moc"
