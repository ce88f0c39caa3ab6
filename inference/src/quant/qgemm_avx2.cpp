// AVX2 + FMA + F16C path: one group of 32 weights per 256-bit register,
// int8 products through pmaddubsw (unsigned × signed) + pmaddwd.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/convert.h"
#include "quant/qgemm_kernels.h"

#define ZAYA_AVX2 __attribute__((target("avx2,fma,f16c")))

namespace zaya::quant::detail {
namespace {

ZAYA_AVX2 inline float hsum(__m256 v) {
  __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

// Q4: |products| <= 15·127·2, no pmaddubsw saturation. Q8 uses the sign
// trick (|w| unsigned, sign moved onto a) so |products| <= 127·127·2.
template <bool kQ4, int NT>
ZAYA_AVX2 void dot_t(const WeightMatrix& W, std::int64_t r, const QuantizedActivations& x, std::int64_t s0, float* out) {
  const std::int64_t G = x.groups;
  const auto* qrow = static_cast<const std::uint8_t*>(W.data) + r * static_cast<std::int64_t>(W.row_stride_bytes);
  const auto* srow = static_cast<const std::uint8_t*>(W.scales) + r * static_cast<std::int64_t>(W.scale_row_stride_bytes);
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  const __m256i ones16 = _mm256_set1_epi16(1);
  __m256 acc[NT];
  float corr[NT];  // Σ_g d_w·d_a·Σa (Q4 offset)
  for (int t = 0; t < NT; ++t) {
    acc[t] = _mm256_setzero_ps();
    corr[t] = 0;
  }
  for (std::int64_t g0 = 0; g0 < G; g0 += 8) {
    const int n = static_cast<int>(std::min<std::int64_t>(8, G - g0));
    alignas(32) float dw[8] = {};
    if (n == 8) {
      _mm256_store_ps(dw, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(srow + 2 * g0))));
    } else {
      for (int k = 0; k < n; ++k) dw[k] = f16_to_f32(load_u16(srow + 2 * (g0 + k)));
    }
    alignas(32) float sc[NT][8];  // d_w·d_a per group and token
    for (int t = 0; t < NT; ++t) {
      const float* da = x.scale.data() + (s0 + t) * G + g0;
      const float* sa = x.sum.data() + (s0 + t) * G + g0;
      for (int k = 0; k < 8; ++k) sc[t][k] = k < n ? dw[k] * da[k] : 0.0f;
      if (kQ4)
        for (int k = 0; k < n; ++k) corr[t] += dw[k] * sa[k];
    }
    for (int k = 0; k < n; ++k) {
      const std::int64_t g = g0 + k;
      __m256i w, wabs;
      if (kQ4) {
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qrow + 16 * g));
        w = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(b, 4), b), low4);
        wabs = w;
      } else {
        w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qrow + 32 * g));
        wabs = _mm256_abs_epi8(w);
      }
      for (int t = 0; t < NT; ++t) {
        __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.row(s0 + t) + 32 * g));
        if (!kQ4) a = _mm256_sign_epi8(a, w);
        const __m256i dp = _mm256_madd_epi16(_mm256_maddubs_epi16(wabs, a), ones16);
        acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dp), _mm256_broadcast_ss(&sc[t][k]), acc[t]);
      }
    }
  }
  for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]) - (kQ4 ? 8.0f * corr[t] : 0.0f);
}

template <bool kQ4>
void dot_q(const WeightMatrix& W, std::int64_t r, const QuantizedActivations& x, std::int64_t s0, int nt, float* out) {
  switch (nt) {
    case 1: dot_t<kQ4, 1>(W, r, x, s0, out); break;
    case 2: dot_t<kQ4, 2>(W, r, x, s0, out); break;
    case 3: dot_t<kQ4, 3>(W, r, x, s0, out); break;
    default: dot_t<kQ4, 4>(W, r, x, s0, out); break;
  }
}

}  // namespace

void dot_avx2(const WeightMatrix& W, std::int64_t r, const QuantizedActivations& x, std::int64_t s0, int nt,
              float* out) {
  if (W.dtype == DType::Q4_G32) dot_q<true>(W, r, x, s0, nt, out);
  else dot_q<false>(W, r, x, s0, nt, out);
}

ZAYA_AVX2 void quantize_act_row_avx2(const float* x, std::int64_t cols, std::int64_t groups, std::int8_t* q,
                                     float* scale, float* sum, std::int32_t* qsum) {
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  for (std::int64_t g = 0; g < groups; ++g) {
    const std::int64_t c0 = g * 32;
    const float* src = x + c0;
    alignas(32) float tail[32];
    if (c0 + 32 > cols) {  // last, partial group: zero-pad
      const std::int64_t n = cols - c0;
      std::memset(tail, 0, sizeof tail);
      std::memcpy(tail, src, static_cast<std::size_t>(n) * 4);
      src = tail;
    }
    __m256 v[4];
    __m256 m = _mm256_setzero_ps();
    for (int i = 0; i < 4; ++i) {
      v[i] = _mm256_loadu_ps(src + 8 * i);
      m = _mm256_max_ps(m, _mm256_andnot_ps(sign_mask, v[i]));
    }
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float amax = _mm_cvtss_f32(m4);
    const float inv = amax > 0 ? 127.0f / amax : 0.0f;
    const __m256 vinv = _mm256_set1_ps(inv);
    __m256i i32[4];
    for (int i = 0; i < 4; ++i) i32[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], vinv));  // round to nearest even
    const __m256i s = _mm256_add_epi32(_mm256_add_epi32(i32[0], i32[1]), _mm256_add_epi32(i32[2], i32[3]));
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
    s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
    const __m256i p01 = _mm256_packs_epi32(i32[0], i32[1]);
    const __m256i p23 = _mm256_packs_epi32(i32[2], i32[3]);
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p01, p23), order);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + c0), bytes);
    const float d = amax / 127.0f;
    scale[g] = d;
    qsum[g] = _mm_cvtsi128_si32(s4);
    sum[g] = d * static_cast<float>(qsum[g]);
  }
}

}  // namespace zaya::quant::detail
