// The remote backend against a local fake OpenAI-compatible server:
// streaming with thinking, a cut stream, a 401, garbage, a refused
// connection; and the API key file's permissions.
#include <QFile>
#include <QFutureWatcher>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtConcurrent>
#include <QtTest>

#include "remote_backend.h"
#include "tutoring_session.h"

using namespace zaya::app;

namespace {

class FakeServer : public QObject {
 public:
  QString mode = QStringLiteral("stream");
  QByteArray lastRequest;
  QTcpServer server;
  FakeServer() {
    server.listen(QHostAddress::LocalHost);
    QObject::connect(&server, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket* s = server.nextPendingConnection()) {
        auto* buf = new QByteArray;
        QObject::connect(s, &QTcpSocket::readyRead, s, [this, s, buf] {
          *buf += s->readAll();
          const qsizetype head = buf->indexOf("\r\n\r\n");
          if (head < 0) return;
          const QByteArray headers = buf->left(head).toLower();
          const qsizetype cl = headers.indexOf("content-length:");
          const int length = cl < 0 ? 0 : headers.mid(cl + 15, headers.indexOf('\r', cl) - cl - 15).trimmed().toInt();
          if (buf->size() < head + 4 + length) return;
          lastRequest = *buf;
          respond(s);
        });
        QObject::connect(s, &QTcpSocket::disconnected, s, [s, buf] {
          delete buf;
          s->deleteLater();
        });
      }
    });
  }
  QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort())); }

 private:
  static QByteArray chunk(const QString& field, const QString& text) {
    const QJsonObject o{{"choices", QJsonArray{QJsonObject{{"index", 0}, {"delta", QJsonObject{{field, text}}}}}}};
    return "data: " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n\n";
  }
  void respond(QTcpSocket* s) {
    if (mode == QLatin1String("401")) {
      s->write("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 37\r\n\r\n"
               "{\"error\":{\"message\":\"bad api key\"}} ");
      s->disconnectFromHost();
      return;
    }
    s->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
    if (mode == QLatin1String("garbage")) {
      s->write("data: this is not json at all\n\n");
      s->disconnectFromHost();
      return;
    }
    s->write(": keep-alive comment\n\n");
    s->write(chunk(QStringLiteral("reasoning_content"), QStringLiteral("Think: 2x = 8")));
    s->write(chunk(QStringLiteral("reasoning_content"), QStringLiteral(", x = 4.")));
    s->write(chunk(QStringLiteral("content"), QStringLiteral("Step 1: Subtract 3: $2x = 8$.\n\n")));
    if (mode == QLatin1String("cut")) {
      s->flush();
      s->abort();
      return;
    }
    s->write(chunk(QStringLiteral("content"), QStringLiteral("Step 2: Divide: $x = 4$.\n\n")));
    s->write(chunk(QStringLiteral("content"), QStringLiteral("Step 3: So $\\boxed{4}$.")));
    s->write("data: [DONE]\n\n");
    s->disconnectFromHost();
  }
};

struct Outcome {
  QList<GeneratedToken> tokens;
  QString error;
  AppError::Kind kind = AppError::Kind::Storage;
};

Outcome run(RemoteBackend& backend) {
  Outcome out;
  auto future = QtConcurrent::run([&] {
    try {
      GenerationRequest r;
      r.userPrompt = QStringLiteral("Solve 2x+3=11");
      backend.generate(r, [&](const GeneratedToken& t) {
        out.tokens.push_back(t);
        return true;
      });
    } catch (const AppError& e) {
      out.error = e.message();
      out.kind = e.kind();
    }
  });
  QFutureWatcher<void> watcher;
  QSignalSpy done(&watcher, &QFutureWatcher<void>::finished);
  watcher.setFuture(future);
  if (!future.isFinished()) done.wait(15000);
  future.waitForFinished();
  return out;
}

QString text(const Outcome& o, GeneratedToken::Channel c) {
  QString s;
  for (const auto& t : o.tokens)
    if (t.channel == c) s += t.text;
  return s;
}

}  // namespace

class TestRemoteBackend : public QObject {
  Q_OBJECT
 private slots:
  void streamsThinkingAndAnswer() {
    FakeServer server;
    RemoteBackend backend(server.url(), QStringLiteral("Zyphra/ZAYA1-8B"), QStringLiteral("sk-secret-123"), 5000);
    QVERIFY(!backend.info().hasRouting);
    QVERIFY(backend.info().routingNote.contains(QStringLiteral("unavailable")));
    const Outcome o = run(backend);
    QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
    QCOMPARE(text(o, GeneratedToken::Channel::Thinking), QStringLiteral("Think: 2x = 8, x = 4."));
    QVERIFY(text(o, GeneratedToken::Channel::Answer).endsWith(QStringLiteral("So $\\boxed{4}$.")));
    QVERIFY(o.tokens.back().stop);
    QVERIFY(server.lastRequest.contains("Authorization: Bearer sk-secret-123"));
    QVERIFY(server.lastRequest.contains("\"stream\":true"));
    QVERIFY(server.lastRequest.startsWith("POST /v1/chat/completions"));
  }

  void sessionOverRemoteSaysNoRouting() {
    FakeServer server;
    auto backend = std::make_shared<RemoteBackend>(server.url(), QStringLiteral("m"), QString(), 5000);
    TutoringSession s(backend);
    QSignalSpy noRouting(&s, &TutoringSession::routingUnavailable);
    QSignalSpy done(&s, &TutoringSession::finished);
    s.start({.statement = QStringLiteral("2x+3=11"), .answerKey = QStringLiteral("4"), .thinkingBudget = -1});
    QVERIFY(done.wait(15000));
    QCOMPARE(noRouting.count(), 1);
    QCOMPARE(s.solution().steps.size(), 3);
    QCOMPARE(s.solution().thinking, QStringLiteral("Think: 2x = 8, x = 4."));
    QCOMPARE(s.solution().correct, std::optional<bool>(true));
    QVERIFY(s.solution().trace.isEmpty());
    QCOMPARE(s.solution().traceLayers, 0);
  }

  void cutStreamIsAnError() {
    FakeServer server;
    server.mode = QStringLiteral("cut");
    RemoteBackend backend(server.url(), QStringLiteral("m"), QStringLiteral("sk-secret-123"), 5000);
    const Outcome o = run(backend);
    QCOMPARE(o.kind, AppError::Kind::Network);
    QVERIFY2(o.error.contains(QStringLiteral("ended early")) || o.error.contains(QStringLiteral("failed")), qPrintable(o.error));
    QVERIFY(text(o, GeneratedToken::Channel::Answer).startsWith(QStringLiteral("Step 1")));  // what came is kept
    QVERIFY(!o.error.contains(QStringLiteral("sk-secret")));
  }

  void unauthorized() {
    FakeServer server;
    server.mode = QStringLiteral("401");
    RemoteBackend backend(server.url(), QStringLiteral("m"), QStringLiteral("sk-wrong"), 5000);
    const Outcome o = run(backend);
    QCOMPARE(o.kind, AppError::Kind::Unauthorized);
    QVERIFY(o.error.contains(QStringLiteral("refused the API key (HTTP 401)")));
    QVERIFY(!o.error.contains(QStringLiteral("sk-wrong")));
    QVERIFY(o.tokens.isEmpty());
  }

  void garbageIsMalformed() {
    FakeServer server;
    server.mode = QStringLiteral("garbage");
    RemoteBackend backend(server.url(), QStringLiteral("m"), {}, 5000);
    const Outcome o = run(backend);
    QCOMPARE(o.kind, AppError::Kind::Network);
    QVERIFY2(o.error.contains(QStringLiteral("malformed stream")), qPrintable(o.error));
  }

  void refusedConnection() {
    quint16 port = 0;
    {
      QTcpServer probe;
      QVERIFY(probe.listen(QHostAddress::LocalHost));
      port = probe.serverPort();
    }
    RemoteBackend backend(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), QStringLiteral("m"), {}, 5000);
    const Outcome o = run(backend);
    QCOMPARE(o.kind, AppError::Kind::Network);
    QVERIFY2(o.error.contains(QStringLiteral("connection refused")), qPrintable(o.error));
  }

  void apiKeyFileIsPrivate() {
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("api-key"));
    api_key::save(file, QStringLiteral("sk-abc\n"));
    QCOMPARE(QFile::permissions(file) & ~(QFile::ReadUser | QFile::WriteUser),
             QFile::ReadOwner | QFile::WriteOwner);
    QCOMPARE(api_key::load(file), QStringLiteral("sk-abc"));
    QVERIFY(api_key::load(dir.filePath(QStringLiteral("none"))).isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestRemoteBackend)
#include "test_remote_backend.moc"
