// Portable reference path: the same integer arithmetic as the SIMD kernels.
#include <algorithm>
#include <cmath>

#include "kernels/convert.h"
#include "quant/qgemm_kernels.h"

namespace zaya::quant::detail {

void quantize_act_row_scalar(const float* x, std::int64_t cols, std::int64_t groups, std::int8_t* q, float* scale,
                             float* sum) {
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

}  // namespace zaya::quant::detail
