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
  CpuBackend(std::shared_ptr<const ModelWeights> weights, int threads, const LoadProgress& progress = {},
             bool fast_layout = true);

  const ModelConfig& config() const override { return weights_->config; }
  std::string description() const override;
  std::unique_ptr<SequenceState> new_sequence() override;
  void forward(SequenceState& state, const ForwardRequest& request) override;

  const ModelWeights& weights() const { return *weights_; }
  ThreadPool& pool() { return pool_; }

 private:
  std::shared_ptr<const ModelWeights> weights_;
  ThreadPool pool_;
  CpuMatrices matrices_;  // after pool_: built with it
};

}  // namespace zaya::cpu
