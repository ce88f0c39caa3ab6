// A local stand-in for the Hugging Face hub, for the download tests: it
// speaks the hub's URL layout for one repo at one revision
//   GET  /api/models/{repo}/revision/{rev}   the listing (siblings, lfs size and sha256)
//   HEAD /{repo}/resolve/{rev}/{path}        size of a file the listing gives none for
//   GET  /{repo}/resolve/{rev}/{path}        the file, honouring "Range: bytes=N-"
// and can misbehave on purpose: cut a response short, hold it open
// half-sent (so a test can watch the progress and cancel mid-file), drip
// it a byte at a time, or redirect file requests to another server.
#pragma once

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace zaya::testing {

class HubServer : public QObject {
 public:
  explicit HubServer(QString repo = QStringLiteral("Zyphra/ZAYA1-8B"), QString revision = QStringLiteral("main"),
                     const QHostAddress& address = QHostAddress::LocalHost);

  QHash<QString, QByteArray> files;   // path -> content served
  QHash<QString, QByteArray> listed;  // path -> content the listing describes (sha256/size for *.safetensors only, like the hub)
  qint64 bodyBytesSent = 0;           // body bytes of /resolve/ responses
  qint64 cutAfter = -1;               // close the next file response after this many body bytes
  qint64 holdAfter = -1;              // send this many body bytes of the next file response, then stall
  int resolveRequests = 0;
  QList<QByteArray> ranges;           // the Range specs asked for, "N-"
  bool listBlobIds = false;           // list size and git blob id ("blobId") of small files, as the hub's ?blobs=true does
  int dripEveryMs = -1;               // send file bodies one byte per this many ms
  QUrl redirectFilesTo;               // answer /resolve/ requests with a 302 to this server, same path
  QList<QByteArray> authorizations;   // the Authorization header of every request ("" when none)

  // Serves and lists every file of `dir` (a checkpoint folder); false when one cannot be read.
  bool serveFolder(const QString& dir);
  QUrl url() const;

 private:
  void handle(QTcpSocket* s, const QByteArray& request);
  void reply(QTcpSocket* s, const QByteArray& status, const QByteArray& body);

  QString repo_, revision_;
  QTcpServer server_;
};

}  // namespace zaya::testing
