// The embedded engine behind GenerationBackend: the model's prompt format
// (its own chat template, or the built-in one; prompt_format.h), the routing
// of every generated token, and one zaya::Session kept for the open
// conversation (GenerationRequest::conversationKey): the next request of the
// same conversation prefills only what its prompt does not share with the
// session's tokens. One conversation's state is kept at a time (K/V of every
// token: ~80 KB per token at the ZAYA1-8B shape).
#pragma once

#include <QString>

#include <ctime>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "generation_backend.h"
#include "zaya/chat_format.h"
#include "zaya/model.h"
#include "zaya/session.h"
#include "zaya/tokenizer.h"

namespace zaya::app {

class EngineBackend : public GenerationBackend {
 public:
  // `chat`: how prompts are built (default: the built-in format).
  EngineBackend(std::shared_ptr<const zaya::Model> model, std::shared_ptr<const zaya::Tokenizer> tokenizer, QString name,
                zaya::SessionOptions options = {}, zaya::ChatSetup chat = {});
  // Loads a checkpoint folder (config.json + safetensors) or a pack file and a
  // tokenizer.json (empty: tokenizerFileFor(modelDir)), and the model's chat
  // template when it has one (chatSetupFor; a broken one leaves the built-in
  // format and promptNote() says why). Throws
  // AppError(InvalidInput) naming the file at fault. `name` is the model's
  // name as the student knows it (the folder or pack file); info().name adds
  // the device the model runs on now.
  static std::shared_ptr<EngineBackend> load(const QString& modelDir, const QString& tokenizerJson = {},
                                             const zaya::LoadOptions& options = {});

  QString modelName() const { return name_; }
  // Where the model runs now: "CPU (2 threads)", "NVIDIA H100 … (CUDA, …)".
  QString deviceDescription() const;

  BackendInfo info() const override;
  std::optional<DeviceMemory> deviceMemory() const override;
  QString deviceNote() const override;
  // Which prompt format is used: "the checkpoint's chat template
  // (tokenizer_config.json)" or "the built-in format (...)".
  QString promptFormat() const;
  // Why the model's own template is not used, for the status line; "" when
  // it is used or the model has none. Changes when the template fails on a
  // request and that request fell back to the built-in format.
  QString promptNote() const;
  // The ids a request is sent as, and the same as text (what the model reads).
  std::vector<zaya::TokenId> promptIds(const GenerationRequest& request) const;
  QString promptText(const GenerationRequest& request) const;
  // The sampling a request runs with: the model's generation_config.json
  // values (temperature, top-p, top-k; do_sample false = greedy) where it
  // gives them and the request asks for them, the request's own otherwise.
  zaya::SamplingParams samplingFor(const GenerationRequest& request) const;
  void generate(const GenerationRequest& request, const std::function<bool(const GeneratedToken&)>& onToken) override;
  void forceEndThinking() override;
  void cancel() override;

  // Prompt tokens of the last request whose state was kept from the
  // conversation's previous request, and those prefilled for it.
  struct Prefill {
    qint64 reused = 0;
    qint64 fed = 0;
  };
  Prefill lastPrefill() const;

  const zaya::Model& model() const { return *model_; }
  const zaya::Tokenizer& tokenizer() const { return *tokenizer_; }

  // The engine reads weights from a memory map of the pack (or the folder's
  // safetensors files): a file truncated under it ends the process with
  // SIGBUS. load() notes each file's size, modification time and inode, and
  // generate() first calls this, which throws AppError(InvalidInput) naming
  // the file when any of them differs now. (A change during a generation is
  // not caught: docs/app-core.md, "Model files".)
  void checkModelFilesUnchanged() const;

 private:
  // The kept session when the request continues its conversation, else a
  // fresh one in its place.
  zaya::Session& sessionFor(const GenerationRequest& request);
  // Where the last turn (the reply's) starts in the prompt: its last turn
  // marker; 0 when it has none.
  static std::int64_t replyTurnStart(std::span<const zaya::TokenId> prompt, const zaya::ChatTokens& tokens);
  // The prompt ends inside an opened thinking block (after the last turn marker).
  static bool promptOpensThinking(std::span<const zaya::TokenId> prompt, const zaya::ChatTokens& tokens);
  struct ModelFile {
    QString path;
    long long size = 0;
    std::timespec modified{};
    unsigned long long device = 0, inode = 0;
  };
  std::vector<ModelFile> modelFiles_;  // empty for a model passed to the constructor

  std::shared_ptr<const zaya::Model> model_;
  std::shared_ptr<const zaya::Tokenizer> tokenizer_;
  QString name_;
  // The GPU was asked for, or "auto" had one to pick: a CPU fallback is news.
  // (Auto on a machine without an NVIDIA driver is simply the CPU.)
  bool gpuWanted_ = false;
  zaya::SessionOptions options_;
  zaya::ChatSetup chat_;
  zaya::ChatFormat format_;        // over chat_ and *tokenizer_
  zaya::ChatFormat builtin_;       // the fallback when the template fails on a request
  mutable std::mutex noteMutex_;   // guards renderError_
  mutable std::string renderError_;  // the template's last failure on a request
  // The open conversation's session; used only by generate() (one at a time).
  std::unique_ptr<zaya::Session> conversation_;
  QString conversationKey_;
  mutable std::mutex mutex_;       // guards session_ (against cancel() from other threads) and lastPrefill_
  zaya::Session* session_ = nullptr;
  Prefill lastPrefill_;
  std::atomic<bool> cancelled_{false};
  bool forceEnd_ = false;
};

}  // namespace zaya::app
