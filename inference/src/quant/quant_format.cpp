#include "quant/quant_format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/convert.h"

namespace zaya::quant {

bool is_quantized(DType t) { return t == DType::Q8_G32 || t == DType::Q4_G32; }

std::size_t data_row_bytes(DType t, std::int64_t cols) {
  const auto g = static_cast<std::size_t>(groups_per_row(cols));
  switch (t) {
    case DType::Q8_G32: return g * 32;
    case DType::Q4_G32: return g * 16;
    default: throw std::logic_error(std::string("data_row_bytes: not a quantised type: ") + dtype_name(t));
  }
}

std::size_t scale_row_bytes(DType t, std::int64_t cols) {
  if (!is_quantized(t)) throw std::logic_error(std::string("scale_row_bytes: not a quantised type: ") + dtype_name(t));
  return static_cast<std::size_t>(groups_per_row(cols)) * 2;
}

QuantLayout quant_layout(DType t, std::int64_t rows, std::int64_t cols) {
  QuantLayout l;
  l.data_bytes = static_cast<std::size_t>(rows) * data_row_bytes(t, cols);
  l.scales_offset = (l.data_bytes + 63) & ~static_cast<std::size_t>(63);
  l.scales_bytes = static_cast<std::size_t>(rows) * scale_row_bytes(t, cols);
  l.total_bytes = l.scales_offset + l.scales_bytes;
  return l;
}

WeightMatrix quant_view(DType t, std::int64_t rows, std::int64_t cols, const void* region) {
  const QuantLayout l = quant_layout(t, rows, cols);
  WeightMatrix m;
  m.dtype = t;
  m.rows = rows;
  m.cols = cols;
  m.data = region;
  m.row_stride_bytes = data_row_bytes(t, cols);
  m.scales = static_cast<const std::byte*>(region) + l.scales_offset;
  m.scale_row_stride_bytes = scale_row_bytes(t, cols);
  return m;
}

std::uint16_t f32_to_f16(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t abs = x & 0x7fffffffu;
  if (abs > 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7e00u);  // NaN
  if (abs >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // rounds to inf
  if (abs < 0x38800000u) {  // subnormal half (or zero): scale by 2^24 and round
    float a;
    std::memcpy(&a, &abs, 4);
    const auto m = static_cast<std::uint32_t>(std::nearbyint(a * 16777216.0f));
    return static_cast<std::uint16_t>(sign | m);
  }
  std::uint32_t h = ((abs >> 13) - ((127 - 15) << 10));
  const std::uint32_t rest = abs & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

namespace {

float f16_round(float v) { return f16_to_f32(f32_to_f16(v)); }

// One group of up to 32 values (`n`; missing ones are zero padding).
void quantize_group_q8(const float* w, int n, std::int8_t* q, std::uint16_t* scale) {
  float amax = 0;
  for (int i = 0; i < n; ++i) amax = std::max(amax, std::fabs(w[i]));
  const float d = f16_round(amax / 127.0f);
  const float inv = d > 0 ? 1.0f / d : 0.0f;
  for (int i = 0; i < 32; ++i) {
    const float v = i < n ? w[i] * inv : 0.0f;
    q[i] = static_cast<std::int8_t>(std::clamp(std::nearbyint(v), -127.0f, 127.0f));
  }
  *scale = f32_to_f16(d);
}

// Symmetric 4-bit with a scale search: several candidate scales (the largest
// magnitude mapped to −8 or to ±7…7.75), each refined by least squares for
// its rounding, the one with the smallest squared error (after the fp16
// rounding of the scale) wins.
void quantize_group_q4(const float* w, int n, std::uint8_t* q, std::uint16_t* scale) {
  float x[32] = {};
  for (int i = 0; i < n; ++i) x[i] = w[i];
  float m = 0;  // value of largest magnitude, with its sign
  for (int i = 0; i < 32; ++i)
    if (std::fabs(x[i]) > std::fabs(m)) m = x[i];
  std::int8_t best_q[32] = {};
  float best_d = 0;
  if (m != 0) {
    static constexpr float kTargets[] = {-8.0f, -7.75f, -7.5f, -7.25f, 7.0f, 7.25f, 7.5f, 7.75f};
    float best_err = INFINITY;
    for (float t : kTargets) {
      const float d0 = m / t;
      const float inv = 1.0f / d0;
      std::int8_t qi[32];
      float wq = 0, qq = 0;
      for (int i = 0; i < 32; ++i) {
        qi[i] = static_cast<std::int8_t>(std::clamp(std::nearbyint(x[i] * inv), -8.0f, 7.0f));
        wq += x[i] * qi[i];
        qq += static_cast<float>(qi[i] * qi[i]);
      }
      const float d = f16_round(qq > 0 ? wq / qq : d0);
      float err = 0;
      for (int i = 0; i < 32; ++i) {
        const float e = x[i] - d * qi[i];
        err += e * e;
      }
      if (err < best_err) {
        best_err = err;
        best_d = d;
        std::memcpy(best_q, qi, 32);
      }
    }
  }
  for (int j = 0; j < 16; ++j)
    q[j] = static_cast<std::uint8_t>((best_q[j] + 8) | ((best_q[j + 16] + 8) << 4));
  *scale = f32_to_f16(best_d);
}

}  // namespace

void quantize_row(DType t, const float* src, std::int64_t cols, void* q, std::uint16_t* scales) {
  const std::int64_t G = groups_per_row(cols);
  auto* out = static_cast<std::uint8_t*>(q);
  for (std::int64_t g = 0; g < G; ++g) {
    const int n = static_cast<int>(std::min<std::int64_t>(kGroupSize, cols - g * kGroupSize));
    if (t == DType::Q8_G32)
      quantize_group_q8(src + g * kGroupSize, n, reinterpret_cast<std::int8_t*>(out + g * 32), scales + g);
    else if (t == DType::Q4_G32)
      quantize_group_q4(src + g * kGroupSize, n, out + g * 16, scales + g);
    else
      throw std::logic_error(std::string("quantize_row: not a quantised type: ") + dtype_name(t));
  }
}

void row_to_f32(DType t, const void* row, std::int64_t cols, float row_scale, float* out) {
  const auto* p = static_cast<const std::uint8_t*>(row);
  switch (t) {
    case DType::F32:
      std::memcpy(out, p, static_cast<std::size_t>(cols) * 4);
      break;
    case DType::BF16:
      for (std::int64_t i = 0; i < cols; ++i) out[i] = bf16_to_f32(load_u16(p + 2 * i));
      break;
    case DType::F16:
      for (std::int64_t i = 0; i < cols; ++i) out[i] = f16_to_f32(load_u16(p + 2 * i));
      break;
    case DType::F8_E4M3:
      for (std::int64_t i = 0; i < cols; ++i) out[i] = f8e4m3_to_f32(p[i]);
      break;
    default:
      throw std::logic_error(std::string("row_to_f32: unsupported type ") + dtype_name(t));
  }
  if (row_scale != 1.0f)
    for (std::int64_t i = 0; i < cols; ++i) out[i] *= row_scale;
}

void dequantize_quant_row(const WeightMatrix& W, std::int64_t r, float* out) {
  const auto* q = static_cast<const std::uint8_t*>(W.data) + r * static_cast<std::int64_t>(W.row_stride_bytes);
  const auto* s = static_cast<const std::uint8_t*>(W.scales) + r * static_cast<std::int64_t>(W.scale_row_stride_bytes);
  for (std::int64_t c = 0; c < W.cols; ++c) {
    const std::int64_t g = c / kGroupSize, i = c % kGroupSize;
    const float d = f16_to_f32(load_u16(s + 2 * g));
    float v;
    if (W.dtype == DType::Q8_G32) {
      v = static_cast<float>(static_cast<std::int8_t>(q[c]));
    } else if (W.dtype == DType::Q4_G32) {
      const std::uint8_t b = q[g * 16 + (i & 15)];
      v = static_cast<float>((i < 16 ? (b & 15) : (b >> 4)) - 8);
    } else {
      throw std::logic_error(std::string("dequantize_quant_row: not a quantised type: ") + dtype_name(W.dtype));
    }
    out[c] = d * v;
  }
}

}  // namespace zaya::quant
