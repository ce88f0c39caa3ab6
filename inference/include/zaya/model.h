// Loading a ZAYA1 model and planning its memory.
//
// Thread safety: a loaded Model is immutable and may be shared by any number
// of Sessions on any threads. Forward passes of different sessions share the
// model's thread pool; they are safe to run concurrently but take turns at
// each weight multiplication.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "zaya/config.h"
#include "zaya/errors.h"
#include "zaya/types.h"

namespace zaya {

class Backend;
struct ModelWeights;

enum class DeviceKind { Cpu, Cuda, Auto };

struct LoadOptions {
  DeviceKind device = DeviceKind::Auto;  // Cuda/Auto fall back to the CPU (device_note() says why)
  int threads = 0;                       // CPU threads; 0 = one per hardware thread
  // Called with a fraction in [0, 1] and a short stage name, from the loading thread.
  std::function<void(double fraction, const std::string& stage)> progress;
  const std::atomic<bool>* cancel = nullptr;  // raise to abort loading: load() throws Cancelled
  bool prefault = true;                  // read every weight page during load (with progress)
  // Model packs: recompute every entry's CRC-32C during load and throw
  // pack::PackError naming the first corrupted tensor. Reads every byte of
  // the file (docs/performance/engine-quant.md has the cost on the 8B pack);
  // without it a load checks the header, the entry table and every name,
  // dtype and shape, but not the tensor bytes. A checkpoint folder has no
  // checksums of its own: the option does nothing there.
  bool verify = false;
  // CPU: copy the quantised matrices into the layout this CPU's kernels read
  // fastest (AVX-512 VNNI: 16 rows interleaved; seconds for the 8B model,
  // no extra memory at the end). A load that only checks a model turns it off.
  bool cpu_fast_layout = true;
};

struct MemoryEstimate {
  std::uint64_t weight_bytes = 0;        // checkpoint tensors (mapped; resident once touched)
  std::uint64_t kv_bytes_per_token = 0;  // K+V cache per position, all layers
  std::uint64_t context_bytes = 0;       // K/V for the whole context + fixed decode state
  std::uint64_t scratch_bytes = 0;       // activations of a forward pass (largest chunk)
  std::uint64_t total_bytes = 0;
};

// Estimate for a model directory (reads config.json and file sizes only).
// `prefill_chunk`: tokens per forward call the caller will use for prompts.
MemoryEstimate estimate_memory(const std::string& model_dir, std::int64_t context_tokens, std::int64_t prefill_chunk = 512);
MemoryEstimate estimate_memory(const ModelConfig& config, std::uint64_t weight_bytes, std::int64_t context_tokens,
                               std::int64_t prefill_chunk = 512);

class Model {
 public:
  // Loads <dir> (config.json + model.safetensors or sharded with
  // model.safetensors.index.json), or a model pack file (zaya-quantize's
  // one-file format). Throws LoadError/ConfigError naming the
  // file and tensor at fault, or Cancelled.
  static std::shared_ptr<Model> load(const std::string& dir, const LoadOptions& options = {});
  // Wraps weights another loader produced (e.g. a quantised pack).
  static std::shared_ptr<Model> from_weights(std::shared_ptr<const ModelWeights> weights, const LoadOptions& options = {});

  ~Model();
  const ModelConfig& config() const;
  std::string device_description() const;  // "CPU (2 threads)"
  // Why a GPU that was chosen or auto-selected is not used, in words: the
  // reason the load fell back to the CPU, or a device failure during
  // generation that moved the model there since. "" while the GPU runs it,
  // and when the CPU was chosen.
  std::string device_note() const;
  std::uint64_t weight_bytes() const;
  // Weight bytes one batch-1 decode step reads (the whole tied head, the
  // attention and router matrices, one expert per layer, the conv kernels),
  // in the formats this model holds: what bounds its CPU decode speed.
  std::uint64_t decode_bytes_per_token() const;
  // Memory in use on the GPU the model runs on (nullopt on the CPU).
  std::optional<DeviceMemoryUse> device_memory() const;
  Backend& backend() const { return *backend_; }  // engine-internal
  const ModelWeights& weights() const { return *weights_; }

 private:
  Model() = default;
  std::shared_ptr<const ModelWeights> weights_;
  std::unique_ptr<Backend> backend_;
  std::string device_note_;
};

}  // namespace zaya
