// Model downloads against a local server that speaks the hub's URL layout
// and honours Range requests: resume after a cut fetches fewer bytes than
// the file's size (counted by the server), a corrupted file is rejected, a
// full disk is refused before the download starts.
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include "model_downloader.h"

using namespace zaya::app;

namespace {

class FakeHub : public QObject {
 public:
  QHash<QString, QByteArray> files;   // path -> content served
  QHash<QString, QByteArray> listed;  // path -> content whose sha256/size the API lists
  qint64 bodyBytesSent = 0;           // of /resolve/ responses
  qint64 cutAfter = -1;               // close the next file response after this many body bytes
  int resolveRequests = 0;
  QList<QByteArray> ranges;
  QTcpServer server;

  FakeHub() {
    server.listen(QHostAddress::LocalHost);
    connect(&server, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket* s = server.nextPendingConnection()) {
        connect(s, &QTcpSocket::readyRead, s, [this, s] {
          const QByteArray req = s->peek(1 << 16);
          if (!req.contains("\r\n\r\n")) return;
          s->readAll();
          handle(s, req);
        });
        connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
      }
    });
  }
  QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort())); }

 private:
  void handle(QTcpSocket* s, const QByteArray& req) {
    const QList<QByteArray> first = req.left(req.indexOf("\r\n")).split(' ');
    const QByteArray method = first.value(0);
    const QString path = QString::fromUtf8(QByteArray::fromPercentEncoding(first.value(1).split('?').first()));
    if (path == QLatin1String("/api/models/Zyphra/ZAYA1-8B/revision/main")) {
      QJsonArray siblings;
      for (auto it = listed.cbegin(); it != listed.cend(); ++it) {
        QJsonObject o{{"rfilename", it.key()}};
        if (it.key().endsWith(QLatin1String(".safetensors")))
          o.insert("lfs", QJsonObject{{"size", it.value().size()}, {"sha256", QString::fromLatin1(QCryptographicHash::hash(it.value(), QCryptographicHash::Sha256).toHex())}});
        siblings.append(o);  // small files: no size here, a HEAD tells it
      }
      reply(s, "200 OK", QJsonDocument(QJsonObject{{"siblings", siblings}}).toJson(), {});
      return;
    }
    const QString prefix = QStringLiteral("/Zyphra/ZAYA1-8B/resolve/main/");
    if (!path.startsWith(prefix) || !files.contains(path.mid(prefix.size()))) {
      reply(s, "404 Not Found", "no", {});
      return;
    }
    const QByteArray body = files.value(path.mid(prefix.size()));
    if (method == "HEAD") {
      s->write("HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\nX-Linked-Size: " +
               QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n");
      s->disconnectFromHost();
      return;
    }
    ++resolveRequests;
    qint64 from = 0;
    const qsizetype r = req.toLower().indexOf("range: bytes=");
    if (r >= 0) {
      const QByteArray spec = req.mid(r + 13, req.indexOf("\r\n", r) - r - 13);
      ranges << spec;
      from = spec.split('-').first().toLongLong();
    }
    QByteArray part = body.mid(from);
    QByteArray head = from > 0 ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + QByteArray::number(from) + '-' +
                                     QByteArray::number(body.size() - 1) + '/' + QByteArray::number(body.size()) + "\r\n"
                               : QByteArray("HTTP/1.1 200 OK\r\n");
    head += "Content-Length: " + QByteArray::number(part.size()) + "\r\nConnection: close\r\n\r\n";
    s->write(head);
    if (cutAfter >= 0 && cutAfter < part.size()) {
      part.truncate(cutAfter);
      cutAfter = -1;
      bodyBytesSent += part.size();
      s->write(part);
      s->flush();
      s->waitForBytesWritten(2000);
      s->abort();
      return;
    }
    bodyBytesSent += part.size();
    s->write(part);
    s->disconnectFromHost();
  }
  void reply(QTcpSocket* s, const QByteArray& status, const QByteArray& body, const QByteArray&) {
    s->write("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
             "\r\nConnection: close\r\n\r\n" + body);
    s->disconnectFromHost();
  }
};

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
    FakeHub hub;
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
    FakeHub hub;
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

  void fullDiskIsRefusedBeforeDownloading() {
    FakeHub hub;
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
    FakeHub hub;
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
