// Replays a known token stream behind the GenerationBackend interface.
// forceEndThinking() emits a forced end-of-thinking token and skips the
// script to just after its own end of thinking, as a model would continue
// from the closed block.
#pragma once

#include <QList>

#include <atomic>

#include "generation_backend.h"

namespace zaya {
class Tokenizer;
}

namespace zaya::app {

class ScriptedBackend : public GenerationBackend {
 public:
  ScriptedBackend(QList<GeneratedToken> script, BackendInfo info);

  // A script from text with a real tokenizer: <think> thinking </think>
  // answer <stop>. Each token gets a deterministic routing over
  // `layers` x (experts + 1) classes (a function of its id and layer).
  static QList<GeneratedToken> fromText(const zaya::Tokenizer& tokenizer, const QString& thinking, const QString& answer,
                                        int layers, int experts);

  BackendInfo info() const override { return info_; }
  void generate(const GenerationRequest& request, const std::function<bool(const GeneratedToken&)>& onToken) override;
  void forceEndThinking() override { forceEnd_ = true; }
  void cancel() override { cancelled_ = true; }

  // One script per generate() call, in order (the last one repeats): a test
  // gets a different reply for each turn.
  void setReplies(QList<QList<GeneratedToken>> replies) { replies_ = std::move(replies); }
  // A script without a tokenizer: one token per word (ids are positions),
  // thinking block when `thinking` is not empty, a stop token at the end.
  static QList<GeneratedToken> fromWords(const QString& thinking, const QString& answer);

  // Sleep between tokens (to let tests cancel in the middle).
  void setDelayMs(int ms) { delayMs_ = ms; }
  const GenerationRequest& lastRequest() const { return lastRequest_; }
  // Every request generate() was given, oldest first.
  const QList<GenerationRequest>& requests() const { return requests_; }

 private:
  QList<GeneratedToken> script_;
  QList<QList<GeneratedToken>> replies_;
  int calls_ = 0;
  BackendInfo info_;
  std::atomic<bool> cancelled_{false};
  bool forceEnd_ = false;
  int delayMs_ = 0;
  GenerationRequest lastRequest_;
  QList<GenerationRequest> requests_;
};

}  // namespace zaya::app
