// Model downloads against a local server that speaks the hub's URL layout
// and honours Range requests: resume after a cut fetches fewer bytes than
// the file's size (counted by the server), a corrupted file is rejected, a
// full disk is refused before the download starts.
#include <QRandomGenerator>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "hub_server.h"
#include "model_downloader.h"

using namespace zaya::app;
using zaya::testing::HubServer;

namespace {

QByteArray randomBytes(int n) {
  QByteArray b(n, Qt::Uninitialized);
  QRandomGenerator gen(42);
  for (char& c : b) c = char(gen.bounded(256));
  return b;
}

bool waitDone(ModelDownloader& d) {
  QSignalSpy ok(&d, &ModelDownloader::finished);
  QSignalSpy bad(&d, &ModelDownloader::failed);
  for (int i = 0; i < 400 && ok.count() + bad.count() == 0; ++i) QTest::qWait(50);
  return ok.count() > 0;
}

QByteArray readFile(const QString& p) {
  QFile f(p);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestModelDownloader : public QObject {
  Q_OBJECT
 private slots:
  void resumesAfterACut() {
    HubServer hub;
    const QByteArray weights = randomBytes(3 << 20);
    const QByteArray config = "{\"model_type\": \"zaya\"}";
    hub.files = hub.listed = {{QStringLiteral("config.json"), config}, {QStringLiteral("model.safetensors"), weights}};
    hub.cutAfter = 1 << 20;
    QTemporaryDir dir;
    ModelDownloader d;
    d.setEndpoint(hub.url());
    d.setTimeoutMs(5000);
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), dir.path());
    QVERIFY(!waitDone(d));  // the cut interrupts it
    QCOMPARE(d.state(), ModelDownloader::State::Failed);
    QVERIFY2(d.errorMessage().contains(QStringLiteral("interrupted")), qPrintable(d.errorMessage()));
    const qint64 partSize = QFileInfo(dir.filePath(QStringLiteral("model.safetensors.part"))).size();
    QVERIFY(partSize > 0);
    const qint64 before = hub.bodyBytesSent;
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), dir.path());
    QVERIFY2(waitDone(d), qPrintable(d.errorMessage()));
    const qint64 second = hub.bodyBytesSent - before;
    QVERIFY2(second < weights.size(), qPrintable(QStringLiteral("resumed download sent %1 of %2 bytes").arg(second).arg(weights.size())));
    QVERIFY2(hub.ranges.contains(QByteArray::number(partSize) + '-'), hub.ranges.join(' ').constData());
    QCOMPARE(readFile(dir.filePath(QStringLiteral("model.safetensors"))), weights);
    QCOMPARE(readFile(dir.filePath(QStringLiteral("config.json"))), config);
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("model.safetensors.part"))));
    QCOMPARE(d.state(), ModelDownloader::State::Done);
    // Starting again fetches nothing.
    const qint64 requests = hub.resolveRequests;
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), dir.path());
    QVERIFY(waitDone(d));
    QCOMPARE(hub.resolveRequests, requests);
  }

  void corruptedFileIsRejected() {
    HubServer hub;
    const QByteArray weights = randomBytes(200000);
    QByteArray bad = weights;
    bad[1234] = char(bad[1234] ^ 0x55);
    hub.listed = {{QStringLiteral("model.safetensors"), weights}};
    hub.files = {{QStringLiteral("model.safetensors"), bad}};
    QTemporaryDir dir;
    ModelDownloader d;
    d.setEndpoint(hub.url());
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), dir.path());
    QVERIFY(!waitDone(d));
    QCOMPARE(d.errorKind(), AppError::Kind::InvalidInput);
    QVERIFY2(d.errorMessage().contains(QStringLiteral("corrupted")), qPrintable(d.errorMessage()));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("model.safetensors"))));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("model.safetensors.part"))));
  }

  void longerThanListedIsStopped() {
    HubServer hub;
    const QByteArray listed = randomBytes(64 << 10);
    hub.listed = {{QStringLiteral("model.safetensors"), listed}};
    hub.files = {{QStringLiteral("model.safetensors"), listed.repeated(20)}};
    QTemporaryDir dir;
    ModelDownloader d;
    d.setEndpoint(hub.url());
    qint64 mostWritten = 0;
    connect(&d, &ModelDownloader::progress, this, [&](qint64 done, qint64, const QString&) { mostWritten = std::max(mostWritten, done); });
    int ticks = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, this, [&] { ++ticks; });
    tick.start(20);
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), dir.path());
    QVERIFY(!waitDone(d));
    QCOMPARE(d.errorKind(), AppError::Kind::InvalidInput);
    QVERIFY2(d.errorMessage().contains(QStringLiteral("more of model.safetensors than")), qPrintable(d.errorMessage()));
    QVERIFY2(mostWritten <= listed.size(), qPrintable(QString::number(mostWritten)));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("model.safetensors.part"))));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("model.safetensors"))));
    QVERIFY(ticks > 0);  // the event loop kept running
  }

  void theTokenNeverFollowsARedirectToAnotherHost() {
    // The hub sends file requests to a second host (as huggingface.co does to its CDN).
    HubServer cdn(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), QHostAddress(QStringLiteral("127.0.0.2")));
    if (!cdn.url().port()) QSKIP("cannot listen on 127.0.0.2");
    HubServer hub;
    const QByteArray weights = randomBytes(100000);
    hub.files = cdn.files = {{QStringLiteral("model.safetensors"), weights}, {QStringLiteral("config.json"), QByteArray("{}")}};
    hub.listed = cdn.listed = hub.files;
    hub.redirectFilesTo = cdn.url();
    QTemporaryDir dir;
    ModelDownloader d;
    d.setEndpoint(hub.url());
    d.setToken(QStringLiteral("hf_secret"));
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), dir.path());
    QVERIFY2(waitDone(d), qPrintable(d.errorMessage()));
    QCOMPARE(readFile(dir.filePath(QStringLiteral("model.safetensors"))), weights);
    QVERIFY(!hub.authorizations.isEmpty());
    for (const QByteArray& a : hub.authorizations) QCOMPARE(a, QByteArray("Bearer hf_secret"));  // the hub itself gets it
    QVERIFY(!cdn.authorizations.isEmpty());
    for (const QByteArray& a : cdn.authorizations) QVERIFY2(a.isEmpty(), a.constData());  // the other host never does
  }

  void aDrippingServerStalls() {
    HubServer hub;
    hub.files = {{QStringLiteral("model.safetensors"), randomBytes(4096)}};
    hub.listed = hub.files;
    hub.dripEveryMs = 200;
    QTemporaryDir dir;
    ModelDownloader d;
    d.setEndpoint(hub.url());
    d.setStallRule(1000, 64);  // the test's scale of "16 KiB in 30 s"
    int ticks = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, this, [&] { ++ticks; });
    tick.start(20);
    QElapsedTimer clock;
    clock.start();
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), dir.path());
    QVERIFY(!waitDone(d));
    QVERIFY2(d.errorMessage().contains(QStringLiteral("stalled")), qPrintable(d.errorMessage()));
    QVERIFY(clock.elapsed() < 5000);
    QVERIFY(ticks > 20);  // the event loop kept running
    QVERIFY(hub.bodyBytesSent < 4096);
  }

  void smallFilesAreCheckedAgainstTheListedBlobId() {
    HubServer hub;
    hub.listBlobIds = true;
    const QByteArray weights = randomBytes(5000);
    hub.listed = {{QStringLiteral("model.safetensors"), weights}, {QStringLiteral("config.json"), QByteArray(R"({"a": 1})")}};
    hub.files = {{QStringLiteral("model.safetensors"), weights}, {QStringLiteral("config.json"), QByteArray(R"({"a": 2})")}};
    QTemporaryDir dir;
    ModelDownloader d;
    d.setEndpoint(hub.url());
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), dir.path());
    QVERIFY(!waitDone(d));  // same size, other content
    QVERIFY2(d.errorMessage().contains(QStringLiteral("config.json does not match the hub's listing")), qPrintable(d.errorMessage()));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("config.json"))));
    // The right content passes; without a blob id in the listing a file is named as unchecked.
    hub.files = hub.listed;
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), dir.path());
    QVERIFY2(waitDone(d), qPrintable(d.errorMessage()));
    QVERIFY(d.uncheckedFiles().isEmpty());
    QTemporaryDir other;
    hub.listBlobIds = false;
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), other.path());
    QVERIFY2(waitDone(d), qPrintable(d.errorMessage()));
    QCOMPARE(d.uncheckedFiles(), QStringList{QStringLiteral("config.json")});
  }

  void fullDiskIsRefusedBeforeDownloading() {
    HubServer hub;
    hub.files = hub.listed = {{QStringLiteral("model.safetensors"), randomBytes(100000)}};
    QTemporaryDir dir;
    ModelDownloader d;
    d.setEndpoint(hub.url());
    d.setFreeSpaceQuery([](const QString&) { return qint64(5000); });
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("main"), dir.path());
    QVERIFY(!waitDone(d));
    QCOMPARE(d.errorKind(), AppError::Kind::DiskFull);
    QVERIFY(d.errorMessage().contains(QStringLiteral("Not enough disk space")));
    QCOMPARE(hub.resolveRequests, 0);
    QCOMPARE(hub.bodyBytesSent, 0);
  }

  void badRepoAndMissingRevision() {
    HubServer hub;
    ModelDownloader d;
    d.setEndpoint(hub.url());
    QTemporaryDir dir;
    d.start(QStringLiteral("not a repo"), QStringLiteral("main"), dir.path());
    QCOMPARE(d.errorKind(), AppError::Kind::InvalidInput);
    d.start(QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("v9"), dir.path());
    QVERIFY(!waitDone(d));
    QCOMPARE(d.errorKind(), AppError::Kind::NotFound);
  }
};

QTEST_GUILESS_MAIN(TestModelDownloader)
#include "test_model_downloader.moc"
