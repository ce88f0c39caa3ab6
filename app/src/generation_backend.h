// Where a tutoring session's tokens come from. Three implementations:
//   EngineBackend   the embedded engine (zaya::Session), with routing per token;
//   RemoteBackend   an OpenAI-compatible server (vLLM), text only, no routing;
//   ScriptedBackend replays a recorded token stream (tests, demos).
// generate() runs on the session's worker thread; cancel() may be called
// from any thread; forceEndThinking() only from inside the token callback.
#pragma once

#include <QList>
#include <QString>

#include <functional>
#include <optional>

#include "tutor_settings.h"

namespace zaya::app {

struct TokenRoute {
  int layer = 0;
  int expert = 0;    // 0..E-1, E = skip route
  float prob = 0;    // router probability of the chosen class
};

struct GeneratedToken {
  enum class Channel { Thinking, Answer, Control };  // Control: <think>, </think>, stop tokens
  qint32 id = -1;          // vocabulary id; -1 when the backend has none (remote)
  QString text{};            // decoded text of this token in its channel (may be empty)
  Channel channel = Channel::Answer;
  float logprob = 0;
  bool forced = false;     // emitted by forceEndThinking(), not sampled
  bool stop = false;       // ends the reply
  QList<TokenRoute> routing{};  // [layers], empty without routing
};

// One earlier turn of a conversation. Assistant turns are given without
// their thinking, as a chat template re-renders them.
struct ChatTurn {
  enum class Role { User, Assistant };
  Role role = Role::User;
  QString text{};
  bool operator==(const ChatTurn&) const = default;
};

struct GenerationRequest {
  QString systemPrompt{};
  // The conversation so far, oldest first; the reply answers userPrompt,
  // which follows it.
  QList<ChatTurn> history{};
  QString userPrompt{};
  // Requests with the same non-empty key continue one conversation: a
  // backend may keep its state between them and process only what is new
  // (EngineBackend reuses the longest common token prefix).
  QString conversationKey{};
  bool enableThinking = true;
  // Sampling: TutorSettings' defaults (the one set); the tutor fills them
  // from the student's settings.
  int maxTokens = TutorSettings::kDefaultMaxTokens;
  float temperature = float(TutorSettings::kDefaultTemperature);
  float topP = float(TutorSettings::kDefaultTopP);
  // Use the model's recommended sampling instead of temperature/topP when
  // the model gives one (EngineBackend: generation_config.json).
  bool modelSampling = TutorSettings::kDefaultModelSampling;
  quint64 seed = 0;
};

struct BackendInfo {
  QString name{};              // "ZAYA1-8B (CPU, 16 threads)", "remote: http://host:8000"
  bool hasRouting = false;
  int layers = 0;
  int experts = 0;           // E (the skip route is id E)
  QString routingNote{};       // why there is no routing, when there is none
};

struct DeviceMemory {
  quint64 usedBytes = 0;   // in use on the GPU, by every process (as nvidia-smi counts)
  quint64 totalBytes = 0;
};

class GenerationBackend {
 public:
  virtual ~GenerationBackend() = default;
  virtual BackendInfo info() const = 0;
  // The GPU's memory while the model runs there; nullopt on the CPU or remotely.
  virtual std::optional<DeviceMemory> deviceMemory() const { return std::nullopt; }
  // Why a GPU that was chosen or auto-selected is not used, in words (the
  // load fell back to the CPU, or the GPU failed during a reply and the rest
  // runs on the CPU); "" while the GPU runs the model, on a chosen CPU and
  // remotely. Read live: it may change during a reply. Any thread.
  virtual QString deviceNote() const { return {}; }
  // Produces one reply, calling onToken for every token, in order. Returns
  // when the reply ends (stop token or maxTokens), when onToken returns
  // false, or after cancel(). Throws AppError (Network, Unauthorized, ...).
  virtual void generate(const GenerationRequest& request, const std::function<bool(const GeneratedToken&)>& onToken) = 0;
  // Close the thinking block now: the next tokens are the forced end of
  // thinking, then the model continues with its answer.
  virtual void forceEndThinking() = 0;
  virtual void cancel() = 0;
};

}  // namespace zaya::app
