// A local stand-in for an OpenAI-compatible server (vLLM serving ZAYA1):
// POST /v1/chat/completions answers with a server-sent event stream of a
// short solution, its reasoning first. `mode` makes it misbehave:
//   "stream"  the whole solution, then [DONE]
//   "cut"     the connection drops after the first answer chunk
//   "401"     the API key is refused
//   "garbage" an event that is not JSON
//   "huge"    one content delta of 20 MB
//   "drip"    a reasoning delta sent one byte every 200 ms, never finished
#pragma once

#include <QObject>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace zaya::testing {

class OpenAiServer : public QObject {
 public:
  OpenAiServer();

  QString mode = QStringLiteral("stream");
  QByteArray lastRequest;  // the last complete request, headers and body
  int requests = 0;

  QUrl url() const;

 private:
  void respond(QTcpSocket* s);
  QTcpServer server_;
};

}  // namespace zaya::testing
