// Weight multiplications: every y = W·x of the model goes through here, for
// every storage type a WeightMatrix can have.
#pragma once

#include <cstdint>
#include <span>

#include "tensor/matrix.h"
#include "util/thread_pool.h"

namespace zaya {

// y[s, r] = Σ_c W[r, c] · x[s, c] for s < S.
//   x: [S, W.cols] fp32, row-major, contiguous
//   y: [S, W.rows] fp32, row-major, contiguous (overwritten)
// Rows are split across the pool; each weight row is read once per call
// whatever S is, so prefill amortises the weight traffic over the chunk.
void matmul(const WeightMatrix& W, const float* x, std::int64_t S, float* y, ThreadPool& pool);

// y[i] = W[i]·x for matrices that read the same input x: [S, cols]. When
// they are all quantised in one layout the pool splits the union of their
// rows in one call (one barrier, the activations quantised once); otherwise
// each is one matmul. Either way every y[i] is what matmul(W[i], ...) gives.
void matmul_shared_input(std::span<const WeightMatrix* const> W, std::span<float* const> y, const float* x,
                         std::int64_t S, ThreadPool& pool);

// Σ a[i]·b[i] over n fp32 values, with the fastest kernel this CPU has
// (the order of the additions differs between kernels).
float dot_f32(const float* a, const float* b, std::int64_t n);

// Σ W[r, c]·x[c] over row r of a float-typed W (F32, F16 or BF16; F32 rows
// 4-byte aligned), with the kernels of a one-token matmul: an F32 row gives
// exactly dot_f32, a BF16 row of bf16-representable values the same sum.
//   x: [W.cols] fp32
float dot_row(const WeightMatrix& W, std::int64_t r, const float* x);

// One row of W widened to fp32 (embedding lookup). out: [W.cols] fp32.
void dequantize_row(const WeightMatrix& W, std::int64_t row, float* out);

// Bytes one row occupies including its scales (for traffic accounting).
std::size_t row_bytes(const WeightMatrix& W);

}  // namespace zaya
