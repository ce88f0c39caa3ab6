// Storage of the 8-bit and 4-bit weight formats (DType::Q8_G32, DType::Q4_G32).
//
// Both quantise each weight row in groups of 32 consecutive columns, each
// group with one fp16 scale. A row whose width is not a multiple of 32 is
// padded with zero weights up to the next group (the kernels pad the
// activations with zeros too, so padding never contributes).
//
//   groups  G = ceil(cols / 32)
//   scales  [rows, G] fp16 (IEEE half), scale_row_stride_bytes = 2·G
//
// Q8_G32, data [rows, 32·G] int8, row_stride_bytes = 32·G:
//   w[r, 32g + i] ≈ scale[r, g] · q[r, 32g + i],  q ∈ [-127, 127]
//   (symmetric, -128 unused so the kernels may negate q freely)
//
// Q4_G32, data [rows, 16·G] bytes, row_stride_bytes = 16·G; group g of a row
// is the 16 bytes b[0..15] at offset 16g:
//   weight 32g + j      = low  nibble of b[j]   (j = 0..15)
//   weight 32g + 16 + j = high nibble of b[j]
//   w ≈ scale · (nibble − 8),  nibble ∈ [0, 15]
// so one 16-byte load gives all 32 weights of a group in order: the low
// nibbles (b & 15) are weights 0..15 and the high nibbles (b >> 4) weights
// 16..31 — one shift, one mask, no shuffle. Symmetric (no per-group minimum):
// a minimum would cost 2 more bytes per 18 (+11 % bytes per token in a
// bandwidth-bound decode) for less error than the scale search below buys;
// the measurement is in docs/performance/engine-quant.md.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tensor/matrix.h"

namespace zaya::quant {

inline constexpr std::int64_t kGroupSize = 32;

inline std::int64_t groups_per_row(std::int64_t cols) { return (cols + kGroupSize - 1) / kGroupSize; }

bool is_quantized(DType t);

// Bytes of one row's weights (without scales) / one row's scales.
std::size_t data_row_bytes(DType t, std::int64_t cols);
std::size_t scale_row_bytes(DType t, std::int64_t cols);

// A whole [rows, cols] quantised tensor as stored in one contiguous region:
// the data block, then the scales block starting at `scales_offset` (64-byte
// aligned so both blocks start on a cache line).
struct QuantLayout {
  std::size_t data_bytes = 0;     // rows · data_row_bytes
  std::size_t scales_offset = 0;  // from the start of the region
  std::size_t scales_bytes = 0;   // rows · scale_row_bytes
  std::size_t total_bytes = 0;
};
QuantLayout quant_layout(DType t, std::int64_t rows, std::int64_t cols);

// A WeightMatrix view of such a region (region must outlive the view).
WeightMatrix quant_view(DType t, std::int64_t rows, std::int64_t cols, const void* region);

// Quantise one fp32 row of `cols` values.
//   q:      [data_row_bytes(t, cols)] bytes
//   scales: [groups_per_row(cols)] fp16
void quantize_row(DType t, const float* src, std::int64_t cols, void* q, std::uint16_t* scales);

// Widen one row of any storage type to fp32 (the reference for the kernels
// and the converter's input path). `row_scale` multiplies every value
// (F8_E4M3 per-row scales; 1 otherwise). out: [cols] fp32.
void row_to_f32(DType t, const void* row, std::int64_t cols, float row_scale, float* out);

// One row of a Q8_G32/Q4_G32 matrix back to fp32. out: [W.cols] fp32.
void dequantize_quant_row(const WeightMatrix& W, std::int64_t r, float* out);

// fp16 <-> fp32 with round-to-nearest-even (scales).
std::uint16_t f32_to_f16(float f);

}  // namespace zaya::quant
