#include "engine_backend.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sys/stat.h>

#include "app_error.h"
#include "device_status.h"
#include "prompt_format.h"
#include "zaya/errors.h"
#include "zaya/jinja/template.h"

namespace zaya::app {

namespace {

struct FileState {
  bool exists = false;
  long long size = 0;
  std::timespec modified{};
  unsigned long long device = 0, inode = 0;
};

FileState fileState(const QString& path) {
  struct stat st {};
  if (::stat(QFile::encodeName(path).constData(), &st) != 0) return {};
  return {true, static_cast<long long>(st.st_size), st.st_mtim, static_cast<unsigned long long>(st.st_dev),
          static_cast<unsigned long long>(st.st_ino)};
}

// The files a model at `modelPath` is mapped from: the pack itself, or every
// safetensors file of a checkpoint folder.
QStringList mappedModelFiles(const QString& modelPath) {
  if (QFileInfo(modelPath).isFile()) return {modelPath};
  QStringList files;
  const QDir dir(modelPath);
  for (const QString& name : dir.entryList({QStringLiteral("*.safetensors")}, QDir::Files, QDir::Name)) files << dir.filePath(name);
  return files;
}

}  // namespace

EngineBackend::EngineBackend(std::shared_ptr<const zaya::Model> model, std::shared_ptr<const zaya::Tokenizer> tokenizer,
                             QString name, zaya::SessionOptions options, zaya::ChatSetup chat)
    : model_(std::move(model)),
      tokenizer_(std::move(tokenizer)),
      name_(std::move(name)),
      options_(options),
      chat_(std::move(chat)),
      format_(chat_.make_format(*tokenizer_)),
      builtin_(*tokenizer_) {}

std::shared_ptr<EngineBackend> EngineBackend::load(const QString& modelDir, const QString& tokenizerJson,
                                                   const zaya::LoadOptions& options) {
  const QString tok = tokenizerJson.isEmpty() ? tokenizerFileFor(modelDir) : tokenizerJson;
  std::shared_ptr<const zaya::Tokenizer> tokenizer;
  try {
    tokenizer = std::make_shared<const zaya::Tokenizer>(zaya::Tokenizer::load(tok.toStdString()));
  } catch (const std::exception& e) {
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("Cannot load the tokenizer %1: %2").arg(tok, QString::fromUtf8(e.what())));
  }
  // Noted before the load, so a change while loading is caught too.
  std::vector<ModelFile> files;
  for (const QString& f : mappedModelFiles(modelDir)) {
    const FileState st = fileState(f);
    if (st.exists) files.push_back({f, st.size, st.modified, st.device, st.inode});
  }
  std::shared_ptr<zaya::Model> model;
  try {
    model = zaya::Model::load(modelDir.toStdString(), options);
  } catch (const zaya::Cancelled&) {
    throw AppError(AppError::Kind::Cancelled, QStringLiteral("Loading the model was cancelled."));
  } catch (const std::exception& e) {
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("Cannot load the model in %1: %2").arg(modelDir, QString::fromUtf8(e.what())));
  }
  const QFileInfo where(modelDir);
  auto backend = std::make_shared<EngineBackend>(model, tokenizer, where.isFile() ? where.completeBaseName() : where.fileName(),
                                                 zaya::SessionOptions{}, chatSetupFor(modelDir));
  backend->modelFiles_ = std::move(files);
  backend->gpuWanted_ = options.device == zaya::DeviceKind::Cuda || (options.device == zaya::DeviceKind::Auto && gpuPresent());
  return backend;
}

QString EngineBackend::deviceDescription() const { return QString::fromStdString(model_->device_description()); }
QString EngineBackend::deviceNote() const { return gpuWanted_ ? QString::fromStdString(model_->device_note()) : QString(); }

QString EngineBackend::promptFormat() const { return QString::fromStdString(chat_.description); }

QString EngineBackend::promptNote() const {
  {
    std::lock_guard lock(noteMutex_);
    if (!renderError_.empty())
      return QStringLiteral("The model's chat template failed on the last request (%1); it was sent in the built-in format.")
          .arg(QString::fromStdString(renderError_));
  }
  return promptFallbackText(chat_);
}

std::vector<zaya::TokenId> EngineBackend::promptIds(const GenerationRequest& request) const {
  const auto messages = chatMessages(request);
  const auto options = chatOptions(request);
  if (format_.uses_checkpoint_template()) {
    try {
      auto ids = format_.build_prompt(messages, options);
      std::lock_guard lock(noteMutex_);
      renderError_.clear();
      return ids;
    } catch (const zaya::jinja::TemplateError& e) {  // raise_exception, a step limit: say so, and still answer
      std::lock_guard lock(noteMutex_);
      renderError_ = e.what();
    }
  }
  return builtin_.build_prompt(messages, options);
}

QString EngineBackend::promptText(const GenerationRequest& request) const {
  return QString::fromStdString(tokenizer_->decode(promptIds(request)));
}

zaya::SamplingParams EngineBackend::samplingFor(const GenerationRequest& request) const {
  zaya::SamplingParams params;
  params.temperature = request.temperature;
  params.top_p = request.topP;
  params.seed = request.seed;
  params.stop_ids = format_.stop_ids();
  const auto& model = chat_.files.generation;
  if (request.modelSampling && model) {
    if (model->do_sample == false) {
      params.temperature = 0.0f;
    } else {
      if (model->temperature) params.temperature = float(*model->temperature);
      if (model->top_p) params.top_p = float(*model->top_p);
    }
    if (model->top_k) params.top_k = *model->top_k;
  }
  return params;
}

BackendInfo EngineBackend::info() const {
  const auto& c = model_->config();
  return {QStringLiteral("%1 (%2)").arg(name_, deviceDescription()), true, int(c.num_layers), int(c.num_experts), {}};
}

std::optional<DeviceMemory> EngineBackend::deviceMemory() const {
  const auto use = model_->device_memory();
  if (!use) return std::nullopt;
  return DeviceMemory{use->used_bytes, use->total_bytes};
}

bool EngineBackend::promptOpensThinking(std::span<const zaya::TokenId> prompt, const zaya::ChatTokens& tokens) {
  for (auto it = prompt.rbegin(); it != prompt.rend(); ++it) {
    if (*it == tokens.think_start) return true;
    if (*it == tokens.think_end || *it == tokens.turn_start || *it == tokens.turn_end) return false;
  }
  return false;
}

std::int64_t EngineBackend::replyTurnStart(std::span<const zaya::TokenId> prompt, const zaya::ChatTokens& tokens) {
  for (std::size_t i = prompt.size(); i-- > 0;)
    if (prompt[i] == tokens.turn_start) return static_cast<std::int64_t>(i);
  return 0;
}

void EngineBackend::checkModelFilesUnchanged() const {
  for (const ModelFile& f : modelFiles_) {
    const FileState now = fileState(f.path);
    QString what;
    if (!now.exists)
      what = QStringLiteral("it was removed or renamed");
    else if (now.device != f.device || now.inode != f.inode)
      what = QStringLiteral("it was replaced by another file");
    else if (now.size != f.size)
      what = QStringLiteral("its size went from %1 to %2 bytes").arg(f.size).arg(now.size);
    else if (now.modified.tv_sec != f.modified.tv_sec || now.modified.tv_nsec != f.modified.tv_nsec)
      what = QStringLiteral("it was written to since");
    if (!what.isEmpty())
      throw AppError(AppError::Kind::InvalidInput,
                     QStringLiteral("The model file %1 changed after the tutor loaded it (%2), so the tutor will not use it: "
                                    "reading a changed file could crash the app or give wrong answers. Open the model again "
                                    "in the model settings to check it and load it afresh.")
                         .arg(f.path, what));
  }
}

void EngineBackend::forceEndThinking() { forceEnd_ = true; }

void EngineBackend::cancel() {
  cancelled_ = true;
  std::lock_guard lock(mutex_);
  if (session_) session_->request_cancel();
}

EngineBackend::Prefill EngineBackend::lastPrefill() const {
  std::lock_guard lock(mutex_);
  return lastPrefill_;
}

zaya::Session& EngineBackend::sessionFor(const GenerationRequest& request) {
  if (!conversation_ || request.conversationKey.isEmpty() || request.conversationKey != conversationKey_) {
    conversation_.reset();  // the previous conversation's memory goes before the new one's is taken
    conversation_ = std::make_unique<zaya::Session>(model_, options_);
  }
  conversationKey_ = request.conversationKey;
  return *conversation_;
}

void EngineBackend::generate(const GenerationRequest& request, const std::function<bool(const GeneratedToken&)>& onToken) {
  checkModelFilesUnchanged();
  cancelled_ = false;
  forceEnd_ = false;
  const zaya::ChatFormat& format = format_;
  const auto& ct = format.tokens();
  const auto prompt = promptIds(request);
  zaya::Session& session = sessionFor(request);
  session.withdraw_cancel();  // a cancel that arrived as the previous reply ended
  {
    std::lock_guard lock(mutex_);
    session_ = &session;
    lastPrefill_ = {};
  }
  struct Clear {
    EngineBackend* self;
    // The session holds exactly its tokens' state (a cancelled call leaves it
    // as before that call), so the next request may continue it.
    bool keep = true;
    ~Clear() {
      std::lock_guard lock(self->mutex_);
      self->session_ = nullptr;
      if (!keep || self->conversationKey_.isEmpty()) self->conversation_.reset();
    }
  } clear{this};
  if (cancelled_) return;
  const zaya::SamplingParams params = samplingFor(request);
  // As for a session of its own: the reply depends on the prompt and the
  // seed only, not on the replies before it.
  session.reseed(request.seed ? request.seed : options_.seed);
  zaya::StreamDecoder thinkingText(*tokenizer_, true), answerText(*tokenizer_, true);
  // A template may open the thinking block itself (its generation prompt
  // ends in <think>): the reply then starts inside it.
  bool inThinking = promptOpensThinking(prompt, ct), answerStarted = false;
  try {
    const std::int64_t reused = session.reuse_prefix(prompt);
    // Fed in two parts, so that the state before the reply's own turn is
    // saved (every feed ends in a saved state): the next request renders this
    // turn differently (the reply without its thinking, or without the empty
    // thinking block a thinking-off prompt ends in), so their common prefix
    // ends inside it.
    const std::span<const zaya::TokenId> ids(prompt);
    const std::int64_t turn = replyTurnStart(prompt, ct);
    if (turn > reused) session.feed(ids.subspan(static_cast<std::size_t>(reused), static_cast<std::size_t>(turn - reused)));
    session.feed(ids.subspan(static_cast<std::size_t>(std::max(turn, reused))));
    {
      std::lock_guard lock(mutex_);
      lastPrefill_ = {reused, static_cast<qint64>(prompt.size()) - reused};
    }
    for (int i = 0; i < request.maxTokens && !cancelled_; ++i) {
      const zaya::TokenEvent ev = session.step(params);
      GeneratedToken t;
      t.id = ev.id;
      t.logprob = ev.logprob;
      t.forced = ev.forced;
      t.stop = ev.stop || format.is_stop(ev.id);
      for (const auto& r : ev.routing) t.routing.push_back({r.layer, r.expert, r.prob});
      if (t.stop) {
        t.channel = GeneratedToken::Channel::Control;
      } else if (ev.id == ct.think_start && !inThinking && !answerStarted) {
        t.channel = GeneratedToken::Channel::Control;
        inThinking = true;
      } else if (ev.id == ct.think_end && inThinking) {
        t.channel = GeneratedToken::Channel::Control;
        inThinking = false;
        t.text = QString::fromStdString(thinkingText.finish());
      } else if (inThinking) {
        t.channel = GeneratedToken::Channel::Thinking;
        t.text = QString::fromStdString(thinkingText.push(ev.id));
      } else {
        t.channel = GeneratedToken::Channel::Answer;
        answerStarted = true;
        t.text = QString::fromStdString(answerText.push(ev.id));
      }
      if (t.stop) t.text = QString::fromStdString(answerText.finish());
      if (!onToken(t) || t.stop) return;
      if (forceEnd_) {
        forceEnd_ = false;
        if (inThinking) {
          std::vector<zaya::TokenId> ids{ct.think_end};
          const auto tail = tokenizer_->encode("\n\n", zaya::EncodeOptions{false, false});
          ids.insert(ids.end(), tail.begin(), tail.end());
          session.force_tokens(ids);
        }
      }
    }
  } catch (const zaya::Cancelled&) {
    return;  // what was produced is kept by the caller
  } catch (const zaya::ContextFullError& e) {
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The reply reached the context limit: %1").arg(QString::fromUtf8(e.what())));
  } catch (const AppError&) {
    throw;
  } catch (const std::exception& e) {
    // A pass that failed half-way may leave the state unknown: start afresh.
    clear.keep = false;
    throw AppError(AppError::Kind::Storage, QStringLiteral("The engine failed: %1").arg(QString::fromUtf8(e.what())));
  }
}

}  // namespace zaya::app
