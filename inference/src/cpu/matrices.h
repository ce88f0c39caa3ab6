// The weight matrices the CPU backend multiplies by, in the layout its
// kernels read fastest: on a CPU with AVX-512 VNNI every quantised matrix is
// copied once, at load, into the 16-row interleaved layout
// (quant/interleave.h); everything else (float matrices, other CPUs) is the
// loaded view itself.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/weights.h"
#include "util/thread_pool.h"

namespace zaya::cpu {

// fraction in [0, 1] and what is being done (LoadOptions::progress's shape).
using LoadProgress = std::function<void(double fraction, const std::string& stage)>;

struct LayerMatrices {
  WeightMatrix q_proj, k_proj, v_current, v_delayed, o_proj;
  // Router: quantised ones (Q8_G32 in the presets) interleaved like the
  // rest; the last block of router_out ([E+1, D], 17 rows for ZAYA1-8B) is
  // padded with zero rows, which the kernels compute and never store.
  WeightMatrix router_down;                  // [D, H]
  WeightMatrix router_fc1, router_fc2;       // [D, D]
  WeightMatrix router_out;                   // [E+1, D]
  std::vector<WeightMatrix> expert_gate_up;  // [E]
  std::vector<WeightMatrix> expert_down;     // [E]
};

// A layer's matrices exactly as loaded (no copy).
LayerMatrices loaded_matrices(const LayerWeights& w);

struct CpuMatrices {
  std::vector<LayerMatrices> layers;  // [L]
  WeightMatrix lm_head;               // the tied embedding as the output projection
  std::shared_ptr<void> arena;        // the interleaved copies; null when there are none
  std::size_t arena_bytes = 0;
};

// With `interleave`, copies the quantised matrices of `w` into the
// interleaved layout (callers pass quant::prefers_interleaved(level) of the
// kernels that will run; threads of `pool` split the work); without, the
// loaded views unchanged. The source pages of each interleaved matrix are
// handed back to the kernel as soon as it is copied (the pack stays mapped
// and re-reads them only if asked, e.g. for an embedding row), so resident
// memory grows by one matrix at a time, not by a second model.
// Throws LoadError, saying how much was needed, when the copies cannot fit in
// memory.
// `progress` (optional) is told the fraction of bytes copied, stage
// "preparing weights for this CPU".
CpuMatrices prepare_matrices(const ModelWeights& w, bool interleave, ThreadPool& pool,
                             const LoadProgress& progress = {});

}  // namespace zaya::cpu
