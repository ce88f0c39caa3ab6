#include "remote_backend.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTimer>

#include "app_error.h"

namespace zaya::app {

namespace {
// Far above any real delta or solution, far below what a web view can hold.
constexpr qsizetype kMaxEventBytes = qsizetype(1) << 20;
constexpr qint64 kMinBytesPerWindow = 256;  // a few events' worth: any working server sends more per timeout
constexpr qint64 kMaxReplyBytes = qint64(8) << 20;
}  // namespace

RemoteBackend::RemoteBackend(QUrl baseUrl, QString model, QString apiKey, int timeoutMs)
    : base_(std::move(baseUrl)), model_(std::move(model)), apiKey_(std::move(apiKey)), timeoutMs_(timeoutMs) {}

BackendInfo RemoteBackend::info() const {
  BackendInfo i;
  i.name = QStringLiteral("remote: %1").arg(base_.toString(QUrl::RemoveUserInfo));
  i.hasRouting = false;
  i.routingNote = QStringLiteral("Expert views are unavailable: the remote server does not report which experts ran.");
  return i;
}

void RemoteBackend::generate(const GenerationRequest& r, const std::function<bool(const GeneratedToken&)>& onToken) {
  cancelled_ = false;
  forceEnd_ = false;
  done_ = false;
  // The conversation so far, oldest first, then the question: the server
  // renders it with the model's chat template (assistant turns carry no
  // thinking, as that template expects).
  QJsonArray messages{QJsonObject{{"role", "system"}, {"content", r.systemPrompt}}};
  for (const ChatTurn& turn : r.history)
    messages.append(QJsonObject{{"role", turn.role == ChatTurn::Role::User ? "user" : "assistant"}, {"content", turn.text}});
  messages.append(QJsonObject{{"role", "user"}, {"content", r.userPrompt}});
  QJsonObject body{{"model", model_}, {"messages", messages}, {"stream", true}, {"max_tokens", r.maxTokens}};
  // Left out, the server samples as the model's generation_config.json says (vLLM's default).
  if (!r.modelSampling) {
    body.insert("temperature", r.temperature);
    body.insert("top_p", r.topP);
  }
  if (r.seed) body.insert("seed", qint64(r.seed));
  if (!r.enableThinking) body.insert("chat_template_kwargs", QJsonObject{{"enable_thinking", false}});
  QString thinking, answer;
  bool inThinking = false;
  int produced = 0;
  if (stream(QJsonDocument(body).toJson(QJsonDocument::Compact), onToken, thinking, answer, inThinking, produced, r.maxTokens))
    return;
  // Forced end of thinking: the closing token, then a continuation of the
  // assistant message with the thinking closed.
  GeneratedToken end;
  end.channel = GeneratedToken::Channel::Control;
  end.forced = true;
  end.text = QStringLiteral("</think>");
  if (!onToken(end)) return;
  inThinking = false;
  messages.append(QJsonObject{{"role", "assistant"}, {"content", QStringLiteral("<think>%1</think>\n\n").arg(thinking)}});
  body.insert("messages", messages);
  body.insert("continue_final_message", true);
  body.insert("add_generation_prompt", false);
  body.insert("max_tokens", std::max(1, r.maxTokens - produced));
  forceEnd_ = false;
  stream(QJsonDocument(body).toJson(QJsonDocument::Compact), onToken, thinking, answer, inThinking, produced, r.maxTokens);
}

bool RemoteBackend::stream(const QByteArray& body, const std::function<bool(const GeneratedToken&)>& onToken, QString& thinking,
                           QString& answer, bool& inThinking, int& produced, int maxTokens) {
  const QString where = base_.toString(QUrl::RemoveUserInfo);
  QNetworkAccessManager nam;
  QUrl url = base_;
  url.setPath(url.path().replace(QRegularExpression(QStringLiteral("/+$")), QString()) + QStringLiteral("/v1/chat/completions"));
  QNetworkRequest req(url);
  req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
  req.setRawHeader("Accept", "text/event-stream");
  if (!apiKey_.isEmpty()) req.setRawHeader("Authorization", "Bearer " + apiKey_.toUtf8());
  req.setTransferTimeout(timeoutMs_);
  QNetworkReply* reply = nam.post(req, body);
  QEventLoop loop;
  QByteArray buffer;
  qint64 received = 0;
  QString error;
  AppError::Kind errorKind = AppError::Kind::Network;
  bool sawDone = false, forcedStop = false, stopped = false;

  auto emitToken = [&](GeneratedToken t) {
    if (stopped) return;
    if (t.channel != GeneratedToken::Channel::Control) ++produced;
    if (!onToken(t)) stopped = true;
    if (forceEnd_ && inThinking) {
      forcedStop = true;
      stopped = true;
    }
    if (produced >= maxTokens) stopped = true;
    if (stopped) reply->abort();
  };
  auto control = [&](const QString& text, bool stop = false) {
    GeneratedToken t;
    t.channel = GeneratedToken::Channel::Control;
    t.text = text;
    t.stop = stop;
    emitToken(t);
  };
  auto piece = [&](QString text, bool reasoning) {
    // Inline tags in content are turned into channel switches.
    while (!text.isEmpty() && !stopped) {
      if (reasoning || inThinking) {
        const int close = reasoning ? -1 : int(text.indexOf(QStringLiteral("</think>")));
        if (!inThinking) {
          control(QStringLiteral("<think>"));
          inThinking = true;
        }
        const QString part = close < 0 ? text : text.left(close);
        if (!part.isEmpty()) {
          thinking += part;
          emitToken({-1, part, GeneratedToken::Channel::Thinking, 0, false, false, {}});
        }
        if (close < 0) return;
        control(QStringLiteral("</think>"));
        inThinking = false;
        text = text.mid(close + 8);
      } else {
        const int open = answer.isEmpty() ? int(text.indexOf(QStringLiteral("<think>"))) : -1;
        const QString part = open < 0 ? text : text.left(open);
        if (!part.isEmpty()) {
          answer += part;
          emitToken({-1, part, GeneratedToken::Channel::Answer, 0, false, false, {}});
        }
        if (open < 0) return;
        control(QStringLiteral("<think>"));
        inThinking = true;
        text = text.mid(open + 7);
      }
    }
  };
  auto handleLine = [&](const QByteArray& raw) {
    const QByteArray line = raw.trimmed();
    if (line.isEmpty() || line.startsWith(':') || stopped) return;
    if (!line.startsWith("data:")) return;  // event:, id:, retry: carry nothing we need
    const QByteArray data = line.mid(5).trimmed();
    if (data == "[DONE]") {
      sawDone = true;
      if (inThinking) {
        control(QStringLiteral("</think>"));
        inThinking = false;
      }
      control(QString(), true);
      return;
    }
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(data, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
      error = QStringLiteral("The server at %1 sent a malformed stream (not JSON: %2).").arg(where, QString::fromUtf8(data.left(80)));
      stopped = true;
      reply->abort();
      return;
    }
    const QJsonObject o = doc.object();
    if (o.contains("error")) {
      error = QStringLiteral("The server at %1 reported an error: %2").arg(where, o.value("error").toObject().value("message").toString());
      stopped = true;
      reply->abort();
      return;
    }
    const QJsonArray choices = o.value("choices").toArray();
    if (!o.contains("choices") || (!choices.isEmpty() && !choices.first().isObject())) {
      error = QStringLiteral("The server at %1 sent a malformed stream (no \"choices\").").arg(where);
      stopped = true;
      reply->abort();
      return;
    }
    for (const auto& c : choices) {
      const QJsonObject delta = c.toObject().value("delta").toObject();
      const QString reasoning = delta.value("reasoning_content").toString(delta.value("reasoning").toString());
      if (!reasoning.isEmpty()) piece(reasoning, true);
      const QString content = delta.value("content").toString();
      if (!content.isEmpty()) {
        if (inThinking && reasoning.isEmpty() && !content.contains(QStringLiteral("</think>"))) {
          // reasoning_content ended: the answer starts.
          control(QStringLiteral("</think>"));
          inThinking = false;
        }
        piece(content, false);
      }
    }
  };

  qint64 windowBytes = 0;  // received since the stall check last ran
  QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] {
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400) return;  // the body is read on finished
    const QByteArray chunk = reply->readAll();
    buffer += chunk;
    received += chunk.size();
    windowBytes += chunk.size();
    if (!stopped && (buffer.size() - std::max<qsizetype>(0, buffer.lastIndexOf('\n')) > kMaxEventBytes || received > kMaxReplyBytes)) {
      // One event or the whole reply beyond any real solution: stop before it fills memory.
      error = QStringLiteral("The server at %1 sent a reply too long to show (over %2 MB); it was stopped.")
                  .arg(where)
                  .arg((received > kMaxReplyBytes ? kMaxReplyBytes : kMaxEventBytes) >> 20);
      stopped = true;
      buffer.clear();
      reply->abort();
      return;
    }
    qsizetype nl;
    while ((nl = buffer.indexOf('\n')) >= 0 && !stopped) {
      handleLine(buffer.left(nl));
      buffer.remove(0, nl + 1);
    }
  });
  QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  QTimer poll;
  QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
    if (cancelled_ && !stopped) {
      stopped = true;
      reply->abort();
    }
  });
  poll.start(30);
  // A server that keeps the connection alive with a trickle (a byte every
  // few seconds) never trips the inactivity timeout: within each timeout
  // window it must send at least kMinBytesPerWindow, more than one event.
  QTimer stall;
  QObject::connect(&stall, &QTimer::timeout, &loop, [&] {
    if (!stopped && received > 0 && windowBytes < kMinBytesPerWindow) {
      error = QStringLiteral("The server at %1 stalled: %2 bytes in %3 s; the reply was stopped.")
                  .arg(where)
                  .arg(windowBytes)
                  .arg(timeoutMs_ / 1000.0, 0, 'f', 1);
      stopped = true;
      reply->abort();
    }
    windowBytes = 0;
  });
  stall.start(timeoutMs_);
  loop.exec();

  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  const auto netError = reply->error();
  if (!stopped && !buffer.isEmpty() && status < 400) handleLine(buffer);
  if (error.isEmpty() && !stopped && !cancelled_) {
    if (status == 401 || status == 403) {
      errorKind = AppError::Kind::Unauthorized;
      error = QStringLiteral("The server at %1 refused the API key (HTTP %2). Check the key in Settings.").arg(where).arg(status);
    } else if (status >= 400) {
      error = QStringLiteral("The server at %1 answered HTTP %2: %3").arg(where).arg(status).arg(QString::fromUtf8(reply->readAll().left(200)));
    } else if (netError == QNetworkReply::ConnectionRefusedError) {
      error = QStringLiteral("Cannot connect to %1: connection refused. Is the server running, and is the address right?").arg(where);
    } else if (netError == QNetworkReply::HostNotFoundError) {
      error = QStringLiteral("Cannot connect to %1: host not found.").arg(where);
    } else if (netError == QNetworkReply::OperationCanceledError || netError == QNetworkReply::TimeoutError) {
      error = QStringLiteral("No answer from %1 within %2 s.").arg(where).arg(timeoutMs_ / 1000);
    } else if (netError != QNetworkReply::NoError && !sawDone) {
      error = QStringLiteral("The connection to %1 failed: %2").arg(where, reply->errorString());
    } else if (!sawDone) {
      error = QStringLiteral("The stream from %1 ended early (the connection was cut before the reply finished).").arg(where);
    }
  }
  reply->deleteLater();
  if (!error.isEmpty()) throw AppError(errorKind, error);
  return !forcedStop;
}

namespace api_key {

void save(const QString& file, const QString& key) {
  QSaveFile f(file);
  if (!f.open(QIODevice::WriteOnly))
    throw AppError(AppError::Kind::ReadOnly, QStringLiteral("Cannot write the API key file %1: %2").arg(file, f.errorString()));
  // Restrict before any byte of the key is written.
  if (!f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
    throw AppError(AppError::Kind::ReadOnly, QStringLiteral("Cannot restrict the permissions of %1.").arg(file));
  f.write(key.trimmed().toUtf8());
  if (!f.commit())
    throw AppError(AppError::Kind::ReadOnly, QStringLiteral("Cannot write the API key file %1: %2").arg(file, f.errorString()));
}

QString load(const QString& file) {
  QFile f(file);
  if (!f.exists()) return {};
  if (!f.open(QIODevice::ReadOnly))
    throw AppError(AppError::Kind::ReadOnly, QStringLiteral("Cannot read the API key file %1: %2").arg(file, f.errorString()));
  return QString::fromUtf8(f.readAll()).trimmed();
}

}  // namespace api_key

}  // namespace zaya::app
