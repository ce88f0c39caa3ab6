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

// Element type of the CPU backend's K/V cache, chosen per load. At long
// contexts a decode step reads the whole cache (0.67 GB in fp32 for the 8B
// shape at 8192 positions, about as much as the q4 weights), so a narrower
// element buys speed and memory for a small error in the attention.
enum class KvCacheType {
  Auto,  // F16 for a model with quantised matrices (a model pack), F32 for a float checkpoint
  F32,   // IEEE float: exactly what the forward pass computed (the goldens' regime)
  F16,   // IEEE half, rounded to nearest even
  Q8,    // symmetric int8 with one fp32 scale per (position, KV head) row: max|x| / 127
};

// "auto", "f32", "f16" or "q8".
const char* kv_cache_type_name(KvCacheType type);
// The type named by kv_cache_type_name(); std::invalid_argument otherwise.
KvCacheType parse_kv_cache_type(const std::string& name);
// Bytes one position of one KV head takes in K (or V): its head_dim elements,
// plus the row's scale for Q8. Auto counts as F32 (what a float checkpoint gets).
std::uint64_t kv_cache_row_bytes(KvCacheType type, std::int64_t head_dim);

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
  // CPU: the K/V cache's element type (Model::kv_cache_type() says what was
  // chosen). The CUDA backend keeps its own cache (fp16 unless exact).
  KvCacheType kv_cache = KvCacheType::Auto;
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
// `kv_cache`: the cache's element type (a loaded model's kv_cache_type();
// Auto counts as F32, what a checkpoint directory loads with).
MemoryEstimate estimate_memory(const std::string& model_dir, std::int64_t context_tokens, std::int64_t prefill_chunk = 512,
                               KvCacheType kv_cache = KvCacheType::Auto);
MemoryEstimate estimate_memory(const ModelConfig& config, std::uint64_t weight_bytes, std::int64_t context_tokens,
                               std::int64_t prefill_chunk = 512, KvCacheType kv_cache = KvCacheType::Auto);

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
  // The K/V cache's element type in use (never Auto): LoadOptions::kv_cache
  // resolved on the CPU, the CUDA backend's own on the GPU.
  KvCacheType kv_cache_type() const;
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
