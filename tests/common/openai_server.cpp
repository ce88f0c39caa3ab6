#include "openai_server.h"

#include <QTimer>

#include <memory>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace zaya::testing {

namespace {
QByteArray chunk(const QString& field, const QString& text) {
  const QJsonObject o{{"choices", QJsonArray{QJsonObject{{"index", 0}, {"delta", QJsonObject{{field, text}}}}}}};
  return "data: " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n\n";
}
}  // namespace

OpenAiServer::OpenAiServer() {
  server_.listen(QHostAddress::LocalHost);
  connect(&server_, &QTcpServer::newConnection, this, [this] {
    while (QTcpSocket* s = server_.nextPendingConnection()) {
      auto* buf = new QByteArray;
      connect(s, &QTcpSocket::readyRead, s, [this, s, buf] {
        *buf += s->readAll();
        const qsizetype head = buf->indexOf("\r\n\r\n");
        if (head < 0) return;
        const QByteArray headers = buf->left(head).toLower();
        const qsizetype cl = headers.indexOf("content-length:");
        const int length = cl < 0 ? 0 : headers.mid(cl + 15, headers.indexOf('\r', cl) - cl - 15).trimmed().toInt();
        if (buf->size() < head + 4 + length) return;
        lastRequest = *buf;
        ++requests;
        respond(s);
      });
      connect(s, &QTcpSocket::disconnected, s, [s, buf] {
        delete buf;
        s->deleteLater();
      });
    }
  });
}

QUrl OpenAiServer::url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server_.serverPort())); }

void OpenAiServer::respond(QTcpSocket* s) {
  if (mode == QLatin1String("401")) {
    // Content-Length from the body itself: a wrong length leaves the client
    // waiting for bytes that never come and it reports a closed connection instead of the 401.
    const QByteArray body = R"({"error":{"message":"bad api key"}})";
    s->write("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
             QByteArray::number(body.size()) + "\r\n\r\n" + body);
    s->disconnectFromHost();
    return;
  }
  s->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
  if (mode == QLatin1String("garbage")) {
    s->write("data: this is not json at all\n\n");
    s->disconnectFromHost();
    return;
  }
  if (mode == QLatin1String("drip")) {
    auto* timer = new QTimer(s);
    auto left = std::make_shared<QByteArray>(chunk(QStringLiteral("reasoning_content"), QString(100000, QLatin1Char('y'))));
    QObject::connect(timer, &QTimer::timeout, s, [s, left] {
      if (left->isEmpty()) return;
      s->write(left->left(1));
      left->remove(0, 1);
    });
    timer->start(200);
    return;
  }
  if (mode == QLatin1String("huge")) {
    s->write(chunk(QStringLiteral("content"), QString(20 << 20, QLatin1Char('x'))));
    s->write("data: [DONE]\n\n");
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

}  // namespace zaya::testing
