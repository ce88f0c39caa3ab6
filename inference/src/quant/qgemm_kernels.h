// Per-level dot kernels behind qgemm_rows (internal to quant/).
#pragma once

#include <cstdint>

#include "quant/qgemm.h"

namespace zaya::quant::detail {

// out[t] = Σ_c W[r, c]·x[s0 + t, c] for t < nt, 1 <= nt <= kMaxTokens:
// one weight row against up to four token rows, so each decoded weight
// group is reused from registers.
inline constexpr int kMaxTokens = 4;
using DotFn = void (*)(const WeightMatrix& W, std::int64_t r, const QuantizedActivations& x, std::int64_t s0, int nt,
                       float* out);

void dot_scalar(const WeightMatrix& W, std::int64_t r, const QuantizedActivations& x, std::int64_t s0, int nt,
                float* out);
void dot_avx2(const WeightMatrix& W, std::int64_t r, const QuantizedActivations& x, std::int64_t s0, int nt,
              float* out);
void dot_avx512(const WeightMatrix& W, std::int64_t r, const QuantizedActivations& x, std::int64_t s0, int nt,
                float* out);

// Decode: out[i] = Σ_c W[r0 + i, c]·x[s, c] for i < nr, 1 <= nr <= kMaxRows.
inline constexpr int kMaxRows = 4;
using RowsFn = void (*)(const WeightMatrix& W, std::int64_t r0, int nr, const QuantizedActivations& x, std::int64_t s,
                        float* out);
void rows_avx512(const WeightMatrix& W, std::int64_t r0, int nr, const QuantizedActivations& x, std::int64_t s,
                 float* out);

// Activation quantisation of one token row: q [32·groups], scale/sum [groups].
void quantize_act_row_scalar(const float* x, std::int64_t cols, std::int64_t groups, std::int8_t* q, float* scale,
                             float* sum);
void quantize_act_row_avx2(const float* x, std::int64_t cols, std::int64_t groups, std::int8_t* q, float* scale,
                           float* sum);

}  // namespace zaya::quant::detail
