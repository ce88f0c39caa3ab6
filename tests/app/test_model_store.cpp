// ModelStore finds installed snapshots and packs, and ignores half-copied folders.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "device_status.h"
#include "model_store.h"

using zaya::app::ModelStore;

static void touch(const QString& path, int bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(QByteArray(bytes, 'x'));
}

class TestModelStore : public QObject {
  Q_OBJECT
 private slots:
  void emptyOrMissingRootHasNoModel() {
    QTemporaryDir dir;
    QVERIFY(!ModelStore(dir.filePath(QStringLiteral("missing"))).hasModel());
    QVERIFY(!ModelStore(dir.path()).hasModel());
    const auto s = zaya::app::currentDeviceStatus(dir.path());
    QVERIFY(!s.modelInstalled);
    QVERIFY(s.summary().startsWith(QStringLiteral("No model installed yet")));
  }

  void findsSnapshotAndPackButNotIncompleteFolders() {
    QTemporaryDir dir;
    QDir root(dir.path());
    root.mkpath(QStringLiteral("ZAYA1-8B"));
    touch(root.filePath(QStringLiteral("ZAYA1-8B/config.json")), 10);
    touch(root.filePath(QStringLiteral("ZAYA1-8B/model.safetensors")), 100);
    root.mkpath(QStringLiteral("half-copied"));
    touch(root.filePath(QStringLiteral("half-copied/config.json")), 10);
    touch(root.filePath(QStringLiteral("ZAYA1-8B-q4.zpack")), 50);
    touch(root.filePath(QStringLiteral("notes.txt")), 5);
    const auto models = ModelStore(dir.path()).installed();
    QCOMPARE(models.size(), 2);
    QCOMPARE(models[0].name, QStringLiteral("ZAYA1-8B"));
    QCOMPARE(models[0].bytes, 110);
    QCOMPARE(models[1].name, QStringLiteral("ZAYA1-8B-q4"));
    const auto s = zaya::app::currentDeviceStatus(dir.path());
    QVERIFY(s.modelInstalled);
    QVERIFY(s.summary().startsWith(QStringLiteral("Model: ZAYA1-8B")));
  }

  void deviceMemoryReadsLikeNvidiaSmi() {
    constexpr quint64 kGiB = 1ull << 30;
    QCOMPARE(zaya::app::deviceMemoryText(5 * kGiB + kGiB / 4, 80 * kGiB), QStringLiteral("5.3 of 80 GB VRAM in use"));
    QCOMPARE(zaya::app::deviceMemoryText(kGiB / 2, 8 * kGiB), QStringLiteral("0.5 of 8.0 GB VRAM in use"));
    QCOMPARE(zaya::app::deviceMemoryText(23 * kGiB, 24 * kGiB), QStringLiteral("23 of 24 GB VRAM in use"));
  }
};

QTEST_MAIN(TestModelStore)
#include "test_model_store.moc"
