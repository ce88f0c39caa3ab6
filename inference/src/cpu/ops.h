// Element-wise and per-row operations of the forward pass (fp32).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "model/weights.h"
#include "util/thread_pool.h"

namespace zaya::cpu {

// Token rows per share of the per-row loops (norms, merges, the conv's and
// attention's per-token steps, erf and exp): a chunk's rows split across the
// pool, a decode step's one row stays on its thread (no barrier).
inline constexpr std::int64_t kElementwiseRows = 4;

// fn(t0, t1) over the rows [0, S) of a chunk, in shares of kElementwiseRows.
template <typename Fn>
void for_token_rows(ThreadPool& pool, std::int64_t S, Fn&& fn) {
  pool.parallel_for(S, [&](std::int64_t t0, std::int64_t t1) { fn(t0, t1); }, kElementwiseRows);
}

// Σ x[i]² in double over n values. Eight partial sums, so the additions are
// not one dependency chain of n (the chain of a 2048-wide row cost ~3 µs;
// the norms of a decode step call it ~170 times, a 512-token prefill ~60k).
// The order differs from a plain loop only in double rounding, far below the
// fp32 results' own.
double sum_squares(const float* x, std::int64_t n);

// y[s] = w ⊙ x[s] / sqrt(mean(x[s]²) + eps).  x, y: [S, n]; w: [n]. y may alias x.
void rmsnorm(const float* x, const float* w, std::int64_t S, std::int64_t n, double eps, float* y);

// out[s] = (a[s] + hb) ⊙ hs + (r[s] + rb) ⊙ rs.  a, r, out: [S, H]. out may alias either.
void residual_merge(const float* a, const float* r, const ResidualMerge& m, std::int64_t S, std::int64_t H, float* out);

inline float gelu_erf(float x) { return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f)); }
inline float silu(float x) { return x / (1.0f + std::exp(-x)); }

// In place: p = softmax(p), max-subtracted. p: [n].
void softmax(float* p, std::int64_t n);

}  // namespace zaya::cpu
