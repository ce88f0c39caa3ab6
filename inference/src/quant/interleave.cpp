#include "quant/interleave.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/convert.h"
#include "quant/quant_format.h"

namespace zaya::quant {

namespace {

// 4-byte words per group and row: Q4 stores 16 bytes per group, Q8 32.
int words_per_group(DType x16) { return x16 == DType::Q4_G32_X16 ? 4 : 8; }

}  // namespace

bool is_interleaved(DType t) { return t == DType::Q8_G32_X16 || t == DType::Q4_G32_X16; }

DType interleaved_type(DType row_major) {
  switch (row_major) {
    case DType::Q8_G32: return DType::Q8_G32_X16;
    case DType::Q4_G32: return DType::Q4_G32_X16;
    default: throw std::logic_error(std::string("interleaved_type: not a row-major quantised type: ") + dtype_name(row_major));
  }
}

// Both vector levels have a kernel of the layout (AVX-512 VNNI and AVX2);
// the scalar level keeps the row-major kernels, which it reads as fast.
bool prefers_interleaved(CpuLevel level) { return level != CpuLevel::Scalar; }

std::int64_t row_blocks(std::int64_t rows) { return (rows + kInterleaveRows - 1) / kInterleaveRows; }

std::size_t interleaved_block_bytes(DType x16, std::int64_t cols) {
  if (!is_interleaved(x16)) throw std::logic_error(std::string("interleaved_block_bytes: not an interleaved type: ") + dtype_name(x16));
  const auto G = static_cast<std::size_t>(groups_per_row(cols));
  const std::size_t bytes = G * (64 * static_cast<std::size_t>(words_per_group(x16)) + 2 * kInterleaveRows);
  return (bytes + 63) / 64 * 64;
}

std::size_t interleaved_bytes(DType x16, std::int64_t rows, std::int64_t cols) {
  return static_cast<std::size_t>(row_blocks(rows)) * interleaved_block_bytes(x16, cols);
}

WeightMatrix interleaved_view(DType x16, std::int64_t rows, std::int64_t cols, const void* region) {
  WeightMatrix m;
  m.dtype = x16;
  m.rows = rows;
  m.cols = cols;
  m.data = region;
  m.row_stride_bytes = interleaved_block_bytes(x16, cols);
  // The scales live inside each block; nothing separate to point at.
  m.scales = nullptr;
  m.scale_row_stride_bytes = 0;
  return m;
}

void interleave_blocks(const WeightMatrix& W, std::int64_t b0, std::int64_t b1, void* dst) {
  const DType x16 = interleaved_type(W.dtype);
  const int P = words_per_group(x16);
  const std::int64_t G = groups_per_row(W.cols);
  const std::size_t block_bytes = interleaved_block_bytes(x16, W.cols);
  const std::uint32_t flip = x16 == DType::Q8_G32_X16 ? 0x80808080u : 0u;  // q → q + 128, byte-wise
  const auto* src = static_cast<const std::uint8_t*>(W.data);
  const auto* src_scales = static_cast<const std::uint8_t*>(W.scales);
  for (std::int64_t b = b0; b < b1; ++b) {
    auto* block = static_cast<std::uint8_t*>(dst) + b * static_cast<std::int64_t>(block_bytes);
    auto* scales = block + G * 64 * P;   // [G][16] fp16
    const std::int64_t rows = std::min<std::int64_t>(kInterleaveRows, W.rows - b * kInterleaveRows);
    // Padding rows (scale 0) and the block's tail are zero; a full block's
    // real bytes are all written below, so only the tail needs clearing.
    if (rows < kInterleaveRows) std::memset(block, 0, block_bytes);
    else std::memset(scales + G * 2 * kInterleaveRows, 0, block_bytes - static_cast<std::size_t>(G * (64 * P + 2 * kInterleaveRows)));
    for (std::int64_t i = 0; i < rows; ++i) {
      const std::int64_t r = b * kInterleaveRows + i;
      const std::uint8_t* row = src + r * static_cast<std::int64_t>(W.row_stride_bytes);
      const std::uint8_t* row_scales = src_scales + r * static_cast<std::int64_t>(W.scale_row_stride_bytes);
      for (std::int64_t g = 0; g < G; ++g) {
        for (int p = 0; p < P; ++p) {
          std::uint32_t word;
          std::memcpy(&word, row + (g * P + p) * 4, 4);
          word ^= flip;
          std::memcpy(block + ((g * P + p) * kInterleaveRows + i) * 4, &word, 4);
        }
        std::memcpy(scales + (g * kInterleaveRows + i) * 2, row_scales + 2 * g, 2);
      }
    }
  }
}

void dequantize_interleaved_row(const WeightMatrix& W, std::int64_t r, float* out) {
  if (!is_interleaved(W.dtype))
    throw std::logic_error(std::string("dequantize_interleaved_row: not an interleaved type: ") + dtype_name(W.dtype));
  const int P = words_per_group(W.dtype);
  const std::int64_t G = groups_per_row(W.cols), lane = r % kInterleaveRows;
  const auto* block = static_cast<const std::uint8_t*>(W.data) + (r / kInterleaveRows) * static_cast<std::int64_t>(W.row_stride_bytes);
  const auto* scales = block + G * 64 * P;
  for (std::int64_t c = 0; c < W.cols; ++c) {
    const std::int64_t g = c / kGroupSize, j = c % kGroupSize;
    const float d = f16_to_f32(load_u16(scales + (g * kInterleaveRows + lane) * 2));
    int q;
    if (W.dtype == DType::Q4_G32_X16) {
      const std::int64_t byte = j & 15;  // stored byte of the group; high nibble for j >= 16
      const std::uint8_t v = block[((g * P + byte / 4) * kInterleaveRows + lane) * 4 + byte % 4];
      q = (j < 16 ? (v & 15) : (v >> 4)) - 8;
    } else {
      q = static_cast<int>(block[((g * P + j / 4) * kInterleaveRows + lane) * 4 + j % 4]) - 128;
    }
    out[c] = d * static_cast<float>(q);
  }
}

}  // namespace zaya::quant
