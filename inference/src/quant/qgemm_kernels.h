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

// Interleaved layouts (quant/interleave.h): one block of 16 rows against up
// to kTileTokens token rows, each unpacked weight register reused by every
// token of the tile.  Writes y[(s0 + t)·y_stride + 16b + i] for t < nt and
// the block's real rows i (a padded last block writes only its real rows).
inline constexpr int kTileTokens = 16;
using TileFn = void (*)(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt,
                        float* y, std::int64_t y_stride);
void tile_x16_scalar(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt,
                     float* y, std::int64_t y_stride);
void tile_x16_avx2(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt,
                   float* y, std::int64_t y_stride);
void tile_x16_avx2_vnni(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt,
                        float* y, std::int64_t y_stride);
void tile_x16_avx512(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt,
                     float* y, std::int64_t y_stride);

// Activation quantisation of one token row: q [32·groups], scale/sum/qsum [groups].
void quantize_act_row_scalar(const float* x, std::int64_t cols, std::int64_t groups, std::int8_t* q, float* scale,
                             float* sum, std::int32_t* qsum);
void quantize_act_row_avx2(const float* x, std::int64_t cols, std::int64_t groups, std::int8_t* q, float* scale,
                           float* sum, std::int32_t* qsum);

}  // namespace zaya::quant::detail
