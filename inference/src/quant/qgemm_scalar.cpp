// Portable reference path: the same integer arithmetic as the SIMD kernels.
#include <algorithm>
#include <cmath>

#include "kernels/convert.h"
#include "quant/interleave.h"
#include "quant/qgemm_kernels.h"

namespace zaya::quant::detail {

void quantize_act_row_scalar(const float* x, std::int64_t cols, std::int64_t groups, std::int8_t* q, float* scale,
                             float* sum, std::int32_t* qsum) {
  for (std::int64_t g = 0; g < groups; ++g) {
    const std::int64_t c0 = g * 32, n = std::min<std::int64_t>(32, cols - c0);
    float amax = 0;
    for (std::int64_t i = 0; i < n; ++i) amax = std::max(amax, std::fabs(x[c0 + i]));
    const float d = amax / 127.0f;
    const float inv = amax > 0 ? 127.0f / amax : 0.0f;
    int total = 0;
    for (std::int64_t i = 0; i < 32; ++i) {
      const int v = i < n ? static_cast<int>(std::nearbyint(x[c0 + i] * inv)) : 0;
      q[c0 + i] = static_cast<std::int8_t>(v);
      total += v;
    }
    scale[g] = d;
    sum[g] = d * static_cast<float>(total);
    qsum[g] = total;
  }
}

void dot_scalar(const WeightMatrix& W, std::int64_t r, const QuantizedActivations& x, std::int64_t s0, int nt,
                float* out) {
  const std::int64_t G = x.groups;
  const auto* qrow = static_cast<const std::uint8_t*>(W.data) + r * static_cast<std::int64_t>(W.row_stride_bytes);
  const auto* srow = static_cast<const std::uint8_t*>(W.scales) + r * static_cast<std::int64_t>(W.scale_row_stride_bytes);
  const bool q4 = W.dtype == DType::Q4_G32;
  for (int t = 0; t < nt; ++t) {
    const std::int64_t s = s0 + t;
    const std::int8_t* a = x.row(s);
    float acc = 0;
    for (std::int64_t g = 0; g < G; ++g) {
      int dp = 0;
      if (q4) {
        const std::uint8_t* b = qrow + 16 * g;
        for (int j = 0; j < 16; ++j) {
          dp += ((b[j] & 15) - 8) * a[32 * g + j];
          dp += ((b[j] >> 4) - 8) * a[32 * g + 16 + j];
        }
      } else {
        const auto* w = reinterpret_cast<const std::int8_t*>(qrow + 32 * g);
        for (int j = 0; j < 32; ++j) dp += w[j] * a[32 * g + j];
      }
      acc += f16_to_f32(load_u16(srow + 2 * g)) * x.scale[s * G + g] * static_cast<float>(dp);
    }
    out[t] = acc;
  }
}

// The interleaved layouts, word by word: the reference the AVX-512 tile is
// tested against (same integer sums, same offset removal through Σ q).
void tile_x16_scalar(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt,
                     float* y, std::int64_t y_stride) {
  const bool q4 = W.dtype == DType::Q4_G32_X16;
  const int P = q4 ? 4 : 8;
  const std::int64_t G = x.groups;
  const auto* block = static_cast<const std::uint8_t*>(W.data) + b * static_cast<std::int64_t>(W.row_stride_bytes);
  const std::uint8_t* scales = block + G * 64 * P;
  const std::int64_t rows = std::min<std::int64_t>(kInterleaveRows, W.rows - b * kInterleaveRows);
  const int offset = q4 ? 8 : 128;
  for (int t = 0; t < nt; ++t) {
    const std::int64_t s = s0 + t;
    const std::int8_t* a = x.row(s);
    for (std::int64_t i = 0; i < rows; ++i) {
      float acc = 0;
      for (std::int64_t g = 0; g < G; ++g) {
        int dp = -offset * x.qsum[s * G + g];
        for (int p = 0; p < P; ++p) {
          const std::uint8_t* word = block + ((g * P + p) * kInterleaveRows + i) * 4;
          for (int j = 0; j < 4; ++j) {
            if (q4) {
              dp += (word[j] & 15) * a[32 * g + 4 * p + j];
              dp += (word[j] >> 4) * a[32 * g + 16 + 4 * p + j];
            } else {
              dp += word[j] * a[32 * g + 4 * p + j];
            }
          }
        }
        acc += f16_to_f32(load_u16(scales + (g * kInterleaveRows + i) * 2)) * x.scale[s * G + g] * static_cast<float>(dp);
      }
      y[s * y_stride + b * kInterleaveRows + i] = acc;
    }
  }
}

}  // namespace zaya::quant::detail
