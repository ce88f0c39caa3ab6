// The one interface between session logic and the hardware that runs the
// model. The CPU backend (cpu/) is the reference; a CUDA backend implements
// the same two classes, and nothing above this line changes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "zaya/config.h"
#include "zaya/model.h"
#include "zaya/types.h"

namespace zaya {

// Fixed-size part of a sequence's decode state (conv tails, delayed values)
// plus its length, copied out so a session can truncate back to it. The
// layout of `fixed_state` is the backend's own.
struct StateCheckpoint {
  std::int64_t length = 0;
  std::vector<float> fixed_state;
};

// Decode state of one sequence: K/V caches, conv tails, delayed values.
class SequenceState {
 public:
  virtual ~SequenceState() = default;
  virtual std::int64_t length() const = 0;  // positions processed so far
  virtual StateCheckpoint checkpoint() const = 0;
  // Returns to a checkpoint taken from this state at length <= length();
  // K/V entries beyond it are dropped.
  virtual void restore(const StateCheckpoint& c) = 0;
  virtual void reset() = 0;  // empty sequence
};

// Intermediate tensors of a forward pass, named like the golden debug trace
// ("L0.attn.conv_mid", ...). shape: the tensor's dims, row-major fp32 data.
using TraceSink = std::function<void(const std::string& name, const float* data, const std::vector<std::int64_t>& shape)>;

struct ForwardRequest {
  std::span<const TokenId> ids;              // S >= 1 new tokens at positions length()..length()+S-1
  bool all_logits = false;                   // logits for every position (else only the last)
  float* logits = nullptr;                   // [S or 1, V] fp32; may be null (no head computed)
  RoutingDecision* routing = nullptr;        // [S, L] or null
  const std::atomic<bool>* cancel = nullptr; // checked between layers
  const TraceSink* trace = nullptr;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const ModelConfig& config() const = 0;
  virtual std::string description() const = 0;  // "CPU (2 threads)"
  virtual std::unique_ptr<SequenceState> new_sequence() = 0;
  // Processes a chunk and appends it to `state`. Prefill and decode are the
  // same call. On Cancelled (or any exception) `state` is unchanged.
  virtual void forward(SequenceState& state, const ForwardRequest& request) = 0;
  // Memory in use on the backend's device, as its driver reports it (the
  // whole device, so it matches what nvidia-smi shows); nullopt on the CPU.
  virtual std::optional<DeviceMemoryUse> device_memory() const { return std::nullopt; }
  // Element type of the K/V cache this backend keeps (never Auto). The CUDA
  // backend does not say: create_backend() wraps it in with_cpu_fallback(),
  // which reports the GPU's type from the options it was created with.
  virtual KvCacheType kv_cache_type() const { return KvCacheType::F32; }
};

}  // namespace zaya
