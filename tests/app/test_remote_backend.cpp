// The remote backend against a local fake OpenAI-compatible server:
// streaming with thinking, a cut stream, a 401, garbage, a refused
// connection; and the API key file's permissions.
#include <QFile>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtConcurrent>
#include <QElapsedTimer>
#include <QtTest>

#include "openai_server.h"
#include "remote_backend.h"
#include "tutoring_session.h"

using namespace zaya::app;
using zaya::testing::OpenAiServer;

namespace {

struct Outcome {
  QList<GeneratedToken> tokens;
  QString error;
  AppError::Kind kind = AppError::Kind::Storage;
};

Outcome run(RemoteBackend& backend, bool modelSampling = false, const QList<ChatTurn>& history = {}) {
  Outcome out;
  auto future = QtConcurrent::run([&] {
    try {
      GenerationRequest r;
      r.modelSampling = modelSampling;
      r.systemPrompt = QStringLiteral("You are a tutor.");
      r.history = history;
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
    OpenAiServer server;
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
    QVERIFY(server.lastRequest.contains("\"temperature\":"));
  }

  void historyIsSentAsMessagesInOrder() {
    OpenAiServer server;
    RemoteBackend backend(server.url(), QStringLiteral("Zyphra/ZAYA1-8B"), QString(), 5000);
    const QList<ChatTurn> history{{ChatTurn::Role::User, QStringLiteral("What is 1+1?")},
                                  {ChatTurn::Role::Assistant, QStringLiteral("It is $2$.")},
                                  {ChatTurn::Role::User, QStringLiteral("And \"2+2\"?")},
                                  {ChatTurn::Role::Assistant, QStringLiteral("It is $4$.")}};
    const Outcome o = run(backend, false, history);
    QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
    const QByteArray body = server.lastRequest.mid(server.lastRequest.indexOf("\r\n\r\n") + 4);
    const QJsonArray messages = QJsonDocument::fromJson(body).object().value("messages").toArray();
    QList<QPair<QString, QString>> got;
    for (const auto& m : messages) got.append({m.toObject().value("role").toString(), m.toObject().value("content").toString()});
    const QList<QPair<QString, QString>> want{{"system", "You are a tutor."},   {"user", "What is 1+1?"},
                                              {"assistant", "It is $2$."},     {"user", "And \"2+2\"?"},
                                              {"assistant", "It is $4$."},     {"user", "Solve 2x+3=11"}};
    QCOMPARE(got, want);
  }

  void aDrippingServerStalls() {
    OpenAiServer server;
    server.mode = QStringLiteral("drip");
    RemoteBackend backend(server.url(), QStringLiteral("Zyphra/ZAYA1-8B"), QString(), 1000);
    QElapsedTimer clock;
    clock.start();
    const Outcome o = run(backend);
    QVERIFY2(o.error.contains(QStringLiteral("stalled")), qPrintable(o.error));
    QVERIFY(clock.elapsed() < 5000);
  }

  void theModelsSamplingLeavesItToTheServer() {
    // Without temperature and top_p the server samples as the model's generation_config.json says.
    OpenAiServer server;
    RemoteBackend backend(server.url(), QStringLiteral("Zyphra/ZAYA1-8B"), QString(), 5000);
    const Outcome o = run(backend, /*modelSampling=*/true);
    QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
    QVERIFY(!server.lastRequest.contains("\"temperature\""));
    QVERIFY(!server.lastRequest.contains("\"top_p\""));
  }

  void sessionOverRemoteSaysNoRouting() {
    OpenAiServer server;
    auto backend = std::make_shared<RemoteBackend>(server.url(), QStringLiteral("m"), QString(), 5000);
    TutoringSession s(backend);
    QSignalSpy noRouting(&s, &TutoringSession::routingUnavailable);
    QSignalSpy done(&s, &TutoringSession::finished);
    zaya::problems::Problem problem;
    problem.answer = "4";
    problem.accepted_answers = {"4"};
    s.start({.problem = problem, .userPrompt = QStringLiteral("2x+3=11"), .thinkingBudget = -1});
    QVERIFY(done.wait(15000));
    QCOMPARE(noRouting.count(), 1);
    QCOMPARE(s.solution().steps.size(), 3);
    QCOMPARE(s.solution().thinking, QStringLiteral("Think: 2x = 8, x = 4."));
    QCOMPARE(s.solution().correct, std::optional<bool>(true));
    QVERIFY(s.solution().trace.isEmpty());
    QCOMPARE(s.solution().traceLayers, 0);
  }

  void cutStreamIsAnError() {
    OpenAiServer server;
    server.mode = QStringLiteral("cut");
    RemoteBackend backend(server.url(), QStringLiteral("m"), QStringLiteral("sk-secret-123"), 5000);
    const Outcome o = run(backend);
    QCOMPARE(o.kind, AppError::Kind::Network);
    QVERIFY2(o.error.contains(QStringLiteral("ended early")) || o.error.contains(QStringLiteral("failed")), qPrintable(o.error));
    QVERIFY(text(o, GeneratedToken::Channel::Answer).startsWith(QStringLiteral("Step 1")));  // what came is kept
    QVERIFY(!o.error.contains(QStringLiteral("sk-secret")));
  }

  void unauthorized() {
    OpenAiServer server;
    server.mode = QStringLiteral("401");
    RemoteBackend backend(server.url(), QStringLiteral("m"), QStringLiteral("sk-wrong"), 5000);
    const Outcome o = run(backend);
    QCOMPARE(o.kind, AppError::Kind::Unauthorized);
    QVERIFY(o.error.contains(QStringLiteral("refused the API key (HTTP 401)")));
    QVERIFY(!o.error.contains(QStringLiteral("sk-wrong")));
    QVERIFY(o.tokens.isEmpty());
  }

  void garbageIsMalformed() {
    OpenAiServer server;
    server.mode = QStringLiteral("garbage");
    RemoteBackend backend(server.url(), QStringLiteral("m"), {}, 5000);
    const Outcome o = run(backend);
    QCOMPARE(o.kind, AppError::Kind::Network);
    QVERIFY2(o.error.contains(QStringLiteral("malformed stream")), qPrintable(o.error));
  }

  void hugeDeltaIsStopped() {
    OpenAiServer server;
    server.mode = QStringLiteral("huge");
    RemoteBackend backend(server.url(), QStringLiteral("m"), {}, 15000);
    const Outcome o = run(backend);
    QCOMPARE(o.kind, AppError::Kind::Network);
    QVERIFY2(o.error.contains(QStringLiteral("too long")), qPrintable(o.error));
    QVERIFY(text(o, GeneratedToken::Channel::Answer).size() <= (1 << 20));
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
