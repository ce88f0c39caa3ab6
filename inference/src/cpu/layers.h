// The two halves of a ZAYA1 layer on the CPU.
#pragma once

#include <cstdint>
#include <string>

#include "cpu/matrices.h"
#include "cpu/state.h"
#include "model/weights.h"
#include "util/thread_pool.h"

namespace zaya::cpu {

// Calls the trace sink (if any) with "L<layer>.<name>".
struct LayerTrace {
  const TraceSink* sink = nullptr;
  std::int64_t layer = 0;
  void operator()(const char* name, const float* data, const std::vector<std::int64_t>& shape) const {
    if (sink && *sink) emit(name, data, shape);
  }
  void emit(const char* name, const float* data, const std::vector<std::int64_t>& shape) const;
};

// CCA attention (spec §4.4) for S tokens at positions state.length()...
// Reads and updates the layer's conv tail, delayed value and K/V cache
// (entries at positions >= state.length() are written; the caller commits
// the new length).
//   x:   [S, H] input-normed hidden states
//   out: [S, H] o_proj output
//   m:   the layer's matrices in the CPU's layout (w's other weights are read from w)
void cca_attention(const ModelConfig& c, const LayerWeights& w, const LayerMatrices& m, std::int64_t layer, const float* x, std::int64_t S,
                   std::int64_t p0, LayerState& st, float* out, ThreadPool& pool, const LayerTrace& trace);

// Router + top-1 SwiGLU experts (spec §4.5, §4.6). Tokens are grouped by
// expert so each chosen expert's weights are read once per chunk.
//   x:       [S, H] post-attention-normed hidden states
//   rho:     [S, D] router state in (previous layer's, ignored at layer 0) and out (this layer's)
//   out:     [S, H] MoE output (0 rows for skipped tokens)
//   routing: [S] decisions for this layer, or null
void moe(const ModelConfig& c, const LayerWeights& w, const LayerMatrices& m, std::int64_t layer, const float* x, std::int64_t S, float* rho,
         float* out, RoutingDecision* routing, std::int64_t routing_stride, ThreadPool& pool, const LayerTrace& trace);

}  // namespace zaya::cpu
