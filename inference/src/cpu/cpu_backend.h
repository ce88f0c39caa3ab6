// The CPU reference backend: fp32 activations, weights widened on the fly.
#pragma once

#include <memory>

#include "cpu/matrices.h"
#include "engine/backend.h"
#include "model/weights.h"
#include "util/thread_pool.h"

namespace zaya::cpu {

class CpuBackend final : public Backend {
 public:
  // threads <= 0: one per hardware thread. `progress` (optional) hears how
  // far the one-time preparation of the weights for this CPU is
  // (prepare_matrices: a few seconds for the 8B model).
  // fast_layout = false keeps the loaded layout (no copy; slower kernels).
  // kv_cache: the K/V cache's element type; Auto is resolved by the weights
  // (resolve_kv_cache_type). Model passes LoadOptions::kv_cache; the default
  // here is fp32, the regime the engine's own tests compare against.
  CpuBackend(std::shared_ptr<const ModelWeights> weights, int threads, const LoadProgress& progress = {},
             bool fast_layout = true, KvCacheType kv_cache = KvCacheType::F32);

  const ModelConfig& config() const override { return weights_->config; }
  std::string description() const override;
  std::unique_ptr<SequenceState> new_sequence() override;
  void forward(SequenceState& state, const ForwardRequest& request) override;
  KvCacheType kv_cache_type() const override { return kv_cache_; }

  const ModelWeights& weights() const { return *weights_; }
  ThreadPool& pool() { return pool_; }

 private:
  std::shared_ptr<const ModelWeights> weights_;
  ThreadPool pool_;
  CpuMatrices matrices_;  // after pool_: built with it
  KvCacheType kv_cache_;  // F32, F16 or Q8
};

}  // namespace zaya::cpu
