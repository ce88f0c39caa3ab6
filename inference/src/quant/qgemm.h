// Quantised weight × activation products for Q8_G32 / Q4_G32 matrices.
//
// The activations are quantised per token row to int8 in the same groups of
// 32 as the weights (symmetric, one fp32 scale per group), so each group's
// product is an integer dot product (VNNI vpdpbusd / AVX2 pmaddubsw) scaled
// once by d_weight·d_activation. Unsigned-by-signed instructions need the
// weights unsigned: Q4 uses its stored nibble u = q + 8 and, on AVX-512, Q8
// uses u = q + 128 (q xor 0x80); the offset comes back out through the
// activation group sums:  Σ q·a = Σ u·a − off·Σ a.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "quant/cpu_level.h"
#include "tensor/matrix.h"

namespace zaya {
class ThreadPool;
}

namespace zaya::quant {

// S token rows of activations in int8 groups. Buffers grow, never shrink, so
// a long-lived instance allocates only while the largest shape is first seen.
struct QuantizedActivations {
  std::int64_t S = 0;
  std::int64_t cols = 0;
  std::int64_t groups = 0;           // ceil(cols / 32)
  std::vector<std::int8_t> q;        // [S, 32·groups] int8, zero-padded
  std::vector<float> scale;          // [S, groups]  d_a per group
  std::vector<float> sum;            // [S, groups]  d_a · Σ q over the group
  std::vector<std::int32_t> qsum;    // [S, groups]  Σ q over the group (interleaved kernels)
  // The same values group-major, for the interleaved kernels' chunk tiles
  // (filled only when S > 1): a tile's tokens of one group lie side by side,
  // so its loads are one pointer plus constant offsets.
  std::vector<std::int8_t> q_by_group;          // [groups, S, 32]
  std::vector<float> scale_by_group;            // [groups, S]
  std::vector<std::int32_t> neg_qsum_by_group;  // [groups, S]  −Σ q

  const std::int8_t* row(std::int64_t s) const { return q.data() + s * groups * 32; }
};

// x: [S, cols] fp32 → out (resized as needed). With a pool, a chunk's rows
// are split across it (a decode step's one row stays on the calling thread).
void quantize_activations(const float* x, std::int64_t S, std::int64_t cols, QuantizedActivations& out,
                          CpuLevel level = default_cpu_level(), ThreadPool* pool = nullptr);

// y[s, r] = Σ_c W[r, c]·x[s, c] for rows r in [r0, r1) and every token s.
//   y: [S, y_stride] fp32; only columns [r0, r1) are written.
// Interleaved matrices (quant/interleave.h) take whole blocks of 16 rows:
// r0 a multiple of 16, r1 too or W.rows.
void qgemm_rows(const WeightMatrix& W, const QuantizedActivations& x, float* y, std::int64_t y_stride,
                std::int64_t r0, std::int64_t r1, CpuLevel level = default_cpu_level());

// The whole product, rows split over the pool.
//   x: [S, W.cols] fp32, y: [S, W.rows] fp32 (overwritten).
// The activation buffer is the calling thread's own, reused across calls.
void quant_matmul(const WeightMatrix& W, const float* x, std::int64_t S, float* y, ThreadPool& pool,
                  CpuLevel level = default_cpu_level());

// Several matrices that read the same activations (a layer's q, k and value
// projections), in one pass over the pool: the activations are quantised
// once and the threads split the union of the matrices' rows, so the small
// matrices share one barrier with the large one instead of one each, and
// each thread streams one longer run of weights.
//   W[i]: quantised, all in the same layout (all interleaved or all
//         row-major) and all with x's column count
//   y[i]: [S, W[i]->rows] fp32 (overwritten)
// Returns false (and computes nothing) when the matrices do not qualify.
bool quant_matmul_shared_input(std::span<const WeightMatrix* const> W, std::span<float* const> y, const float* x,
                               std::int64_t S, ThreadPool& pool, CpuLevel level = default_cpu_level());

}  // namespace zaya::quant
