// A weight matrix as the kernels see it: a typed, row-major view into mapped
// or owned memory. Every backend op that multiplies by weights takes one, so
// new storage formats (quantised packs) plug in without touching the model.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zaya {

// Storage type of a weight tensor.
enum class DType : std::uint8_t {
  F32,      // IEEE float32
  F16,      // IEEE float16
  BF16,     // bfloat16
  F8_E4M3,  // float8 e4m3fn, with one fp32 scale per output row (`row_scales`)
  Q8_G32,   // 8-bit, groups of 32 along a row; layout in quant/ (data + scales)
  Q4_G32,   // 4-bit, groups of 32 along a row; layout in quant/ (data + scales)
  // The CPU's run-time copies of Q8_G32 / Q4_G32 with 16 rows interleaved
  // (quant/interleave.h). Built at load, never stored in a pack.
  Q8_G32_X16,
  Q4_G32_X16,
};

// Inline so that the run-time-loaded CUDA library, which links nothing of the
// engine, names formats with the same words.
constexpr const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::F8_E4M3: return "F8_E4M3";
    case DType::Q8_G32: return "Q8_G32";
    case DType::Q4_G32: return "Q4_G32";
    case DType::Q8_G32_X16: return "Q8_G32_X16";
    case DType::Q4_G32_X16: return "Q4_G32_X16";
  }
  return "unknown";
}

// y = W·x with W stored [rows, cols] (out × in), as in the checkpoint.
struct WeightMatrix {
  DType dtype = DType::F32;
  std::int64_t rows = 0;              // output features
  std::int64_t cols = 0;              // input features
  const void* data = nullptr;         // row r starts at data + r * row_stride_bytes
  std::size_t row_stride_bytes = 0;   // *_X16: bytes of one block of 16 rows
  const void* scales = nullptr;       // F8_E4M3: [rows] fp32; Q*: per-group scales, see quant/
  std::size_t scale_row_stride_bytes = 0;

  // Rows [first, first + count) as a matrix of their own (an expert's slice
  // of a stacked tensor, or the gate/up halves of gate_up_proj).
  WeightMatrix row_slice(std::int64_t first, std::int64_t count) const {
    WeightMatrix m = *this;
    m.rows = count;
    // *_X16: `first` must be a multiple of 16 (whole row blocks).
    const bool x16 = dtype == DType::Q8_G32_X16 || dtype == DType::Q4_G32_X16;
    m.data = static_cast<const std::byte*>(data) + (x16 ? first / 16 : first) * static_cast<std::int64_t>(row_stride_bytes);
    if (scales)
      m.scales = static_cast<const std::byte*>(scales) + first * static_cast<std::int64_t>(scale_row_stride_bytes);
    return m;
  }
};

}  // namespace zaya
