// An OpenAI-compatible server (vLLM serving ZAYA1) behind GenerationBackend,
// for classrooms: POST {base}/v1/chat/completions with "stream": true and
// read the server-sent events. Text only: servers report no expert routing,
// and info().routingNote says so.
//
// Thinking arrives as delta.reasoning_content (vLLM's reasoning parser) or
// inline as <think>…</think> in delta.content; both become Thinking tokens.
// forceEndThinking() closes the block by asking for a continuation of the
// assistant message "<think>…</think>\n\n" (vLLM's continue_final_message).
//
// Errors (AppError): Network for a refused connection, a timeout, an HTTP
// error, a malformed or cut stream; Unauthorized for 401/403. The API key is
// sent only in the Authorization header and never appears in a message.
#pragma once

#include <QString>
#include <QUrl>

#include <atomic>

#include "generation_backend.h"

namespace zaya::app {

class RemoteBackend : public GenerationBackend {
 public:
  RemoteBackend(QUrl baseUrl, QString model, QString apiKey, int timeoutMs = 60000);

  BackendInfo info() const override;
  void generate(const GenerationRequest& request, const std::function<bool(const GeneratedToken&)>& onToken) override;
  void forceEndThinking() override { forceEnd_ = true; }
  void cancel() override { cancelled_ = true; }

 private:
  // One streamed request; returns false when it stopped for a forced end of thinking.
  bool stream(const QByteArray& body, const std::function<bool(const GeneratedToken&)>& onToken, QString& thinking,
              QString& answer, bool& inThinking, int& produced, int maxTokens);

  QUrl base_;
  QString model_;
  QString apiKey_;
  int timeoutMs_;
  std::atomic<bool> cancelled_{false};
  bool forceEnd_ = false;
  bool done_ = false;
};

// The API key file: written with permissions 0600 (owner read/write only).
namespace api_key {
void save(const QString& file, const QString& key);
QString load(const QString& file);  // empty when the file does not exist
}  // namespace api_key

}  // namespace zaya::app
