#include "hub_server.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace zaya::testing {

HubServer::HubServer(QString repo, QString revision, const QHostAddress& address)
    : repo_(std::move(repo)), revision_(std::move(revision)) {
  server_.listen(address);
  connect(&server_, &QTcpServer::newConnection, this, [this] {
    while (QTcpSocket* s = server_.nextPendingConnection()) {
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

QUrl HubServer::url() const {
  return QUrl(QStringLiteral("http://%1:%2").arg(server_.serverAddress().toString()).arg(server_.serverPort()));
}

bool HubServer::serveFolder(const QString& dir) {
  for (const QString& name : QDir(dir).entryList(QDir::Files)) {
    QFile in(QDir(dir).filePath(name));
    if (!in.open(QIODevice::ReadOnly)) return false;
    files.insert(name, in.readAll());
  }
  listed = files;
  return !files.isEmpty();
}

void HubServer::handle(QTcpSocket* s, const QByteArray& req) {
  const QList<QByteArray> first = req.left(req.indexOf("\r\n")).split(' ');
  const QByteArray method = first.value(0);
  const QString path = QString::fromUtf8(QByteArray::fromPercentEncoding(first.value(1).split('?').first()));
  const qsizetype auth = req.toLower().indexOf("\r\nauthorization: ");
  authorizations << (auth < 0 ? QByteArray() : req.mid(auth + 17, req.indexOf("\r\n", auth + 2) - auth - 17));
  if (path == QStringLiteral("/api/models/%1/revision/%2").arg(repo_, revision_)) {
    QJsonArray siblings;
    for (auto it = listed.cbegin(); it != listed.cend(); ++it) {
      QJsonObject o{{"rfilename", it.key()}};
      if (it.key().endsWith(QLatin1String(".safetensors")))
        o.insert("lfs", QJsonObject{{"size", it.value().size()},
                                    {"sha256", QString::fromLatin1(QCryptographicHash::hash(it.value(), QCryptographicHash::Sha256).toHex())}});
      else if (listBlobIds)  // git's blob id: sha1 of "blob <size>\0" + content
        o = QJsonObject{{"rfilename", it.key()},
                        {"size", it.value().size()},
                        {"blobId", QString::fromLatin1(QCryptographicHash::hash(
                                       "blob " + QByteArray::number(it.value().size()) + '\0' + it.value(),
                                       QCryptographicHash::Sha1).toHex())}};
      siblings.append(o);  // small files: without listBlobIds no size here, a HEAD tells it
    }
    reply(s, "200 OK", QJsonDocument(QJsonObject{{"siblings", siblings}}).toJson());
    return;
  }
  const QString prefix = QStringLiteral("/%1/resolve/%2/").arg(repo_, revision_);
  if (redirectFilesTo.isValid() && path.startsWith(prefix)) {
    QUrl to = redirectFilesTo;
    to.setPath(path);
    s->write("HTTP/1.1 302 Found\r\nLocation: " + to.toEncoded() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    s->disconnectFromHost();
    return;
  }
  if (!path.startsWith(prefix) || !files.contains(path.mid(prefix.size()))) {
    reply(s, "404 Not Found", "no");
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
  if (holdAfter >= 0 && holdAfter < part.size()) {
    // The rest never comes: the connection stays open until the client gives up.
    part.truncate(holdAfter);
    holdAfter = -1;
    bodyBytesSent += part.size();
    s->write(part);
    s->flush();
    return;
  }
  if (dripEveryMs > 0) {  // one byte at a time, for as long as the client listens
    auto* timer = new QTimer(s);
    auto left = std::make_shared<QByteArray>(part);
    connect(timer, &QTimer::timeout, s, [this, s, left] {
      if (left->isEmpty()) return s->disconnectFromHost();
      s->write(left->left(1));
      left->remove(0, 1);
      ++bodyBytesSent;
    });
    timer->start(dripEveryMs);
    return;
  }
  bodyBytesSent += part.size();
  s->write(part);
  s->disconnectFromHost();
}

void HubServer::reply(QTcpSocket* s, const QByteArray& status, const QByteArray& body) {
  s->write("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body);
  s->disconnectFromHost();
}

}  // namespace zaya::testing
