// AVX-512 VNNI path: two groups (64 weights) per 512-bit register, int8
// products through vpdpbusd (unsigned weights × signed activations, exact
// int32 sums). Scales are widened 16 groups at a time and spread over the
// two 8-lane halves of a pair with one vpermps.
#include <algorithm>

#include "quant/qgemm_kernels.h"
#include "util/avx512.h"

namespace zaya::quant::detail {
namespace {

template <bool kQ4, int NT>
ZAYA_AVX512VNNI void dot_t(const WeightMatrix& W, std::int64_t r, const QuantizedActivations& x, std::int64_t s0,
                       float* out) {
  const std::int64_t G = x.groups;
  const auto* qrow = static_cast<const std::uint8_t*>(W.data) + r * static_cast<std::int64_t>(W.row_stride_bytes);
  const auto* srow = reinterpret_cast<const std::uint16_t*>(static_cast<const std::uint8_t*>(W.scales) +
                                                            r * static_cast<std::int64_t>(W.scale_row_stride_bytes));
  // Q4: 32 bytes = groups A|B → 128-bit lanes [A, A, B, B] → shift the 2nd
  // and 4th lane by 4 → mask: bytes are weights A0..31, B0..31 in order.
  const __m512i dup_lanes = _mm512_set_epi64(3, 2, 3, 2, 1, 0, 1, 0);
  const __m512i nibble_shift = _mm512_set_epi64(4, 4, 0, 0, 4, 4, 0, 0) ;
  const __m512i shift16 = _mm512_or_si512(nibble_shift, _mm512_slli_epi64(nibble_shift, 16));
  const __m512i shifts = _mm512_or_si512(shift16, _mm512_slli_epi64(shift16, 32));
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const __m512i zero = _mm512_setzero_si512();
  __m512 acc[NT], corr[NT];
  for (int t = 0; t < NT; ++t) {
    acc[t] = _mm512_setzero_ps();
    corr[t] = _mm512_setzero_ps();
  }
  for (std::int64_t g0 = 0; g0 < G; g0 += 16) {
    const int n = static_cast<int>(std::min<std::int64_t>(16, G - g0));
    const __mmask16 m16 = n == 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1);
    const __m512 dw = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m16, srow + g0));
    __m512 sc[NT];  // d_w·d_a for the 16 groups, per token
    for (int t = 0; t < NT; ++t) {
      const std::int64_t base = (s0 + t) * G + g0;
      sc[t] = _mm512_mul_ps(dw, _mm512_maskz_loadu_ps(m16, x.scale.data() + base));
      corr[t] = _mm512_fmadd_ps(dw, _mm512_maskz_loadu_ps(m16, x.sum.data() + base), corr[t]);
    }
    for (int k = 0; 2 * k < n; ++k) {
      const std::int64_t g = g0 + 2 * k;
      const bool single = g + 1 >= G;  // last group of an odd count: upper half masked to zero
      __m512i w;
      if (kQ4) {
        const __m256i b = single ? _mm256_maskz_loadu_epi8(0xffffu, qrow + 16 * g)
                                 : _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qrow + 16 * g));
        w = _mm512_permutexvar_epi64(dup_lanes, _mm512_castsi256_si512(b));
        w = _mm512_and_si512(_mm512_srlv_epi16(w, shifts), low4);
      } else {
        w = single ? _mm512_maskz_loadu_epi8(0xffffffffull, qrow + 32 * g)
                   : _mm512_loadu_si512(qrow + 32 * g);
        w = _mm512_xor_si512(w, flip);  // q + 128
      }
      const __m512i pick = _mm512_set_epi32(2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1,
                                            2 * k + 1, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k);
      for (int t = 0; t < NT; ++t) {
        const std::int8_t* a_ptr = x.row(s0 + t) + 32 * g;
        const __m512i a = single ? _mm512_maskz_loadu_epi8(0xffffffffull, a_ptr) : _mm512_loadu_si512(a_ptr);
        const __m512i dp = _mm512_dpbusd_epi32(zero, w, a);
        acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dp), _mm512_permutexvar_ps(pick, sc[t]), acc[t]);
      }
    }
  }
  constexpr float kOffset = kQ4 ? 8.0f : 128.0f;
  for (int t = 0; t < NT; ++t) out[t] = _mm512_reduce_add_ps(acc[t]) - kOffset * _mm512_reduce_add_ps(corr[t]);
}

// Decode (one token): NR weight rows at once, so each activation load and
// scale block serves NR rows and the NR accumulator chains run in parallel.
// Q4 nibbles are split with 256-bit ops and joined by one vpermt2q into the
// natural order [A0..31, B0..31].
template <bool kQ4, int NR>
ZAYA_AVX512VNNI void rows_t(const WeightMatrix& W, std::int64_t r0, const QuantizedActivations& x, std::int64_t s,
                        float* out) {
  const std::int64_t G = x.groups;
  const std::uint8_t* qrow[NR];
  const std::uint16_t* srow[NR];
  for (int i = 0; i < NR; ++i) {
    qrow[i] = static_cast<const std::uint8_t*>(W.data) + (r0 + i) * static_cast<std::int64_t>(W.row_stride_bytes);
    srow[i] = reinterpret_cast<const std::uint16_t*>(static_cast<const std::uint8_t*>(W.scales) +
                                                     (r0 + i) * static_cast<std::int64_t>(W.scale_row_stride_bytes));
  }
  const __m512i join = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const __m512i zero = _mm512_setzero_si512();
  const std::int8_t* arow = x.row(s);
  const float* da = x.scale.data() + s * G;
  const float* sa = x.sum.data() + s * G;
  __m512 acc[NR], corr[NR];
  for (int i = 0; i < NR; ++i) {
    acc[i] = _mm512_setzero_ps();
    corr[i] = _mm512_setzero_ps();
  }
  for (std::int64_t g0 = 0; g0 < G; g0 += 16) {
    const int n = static_cast<int>(std::min<std::int64_t>(16, G - g0));
    const __mmask16 m16 = n == 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1);
    const __m512 va = _mm512_maskz_loadu_ps(m16, da + g0);
    const __m512 vs = _mm512_maskz_loadu_ps(m16, sa + g0);
    __m512 sc[NR];
    for (int i = 0; i < NR; ++i) {
      const __m512 dw = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m16, srow[i] + g0));
      sc[i] = _mm512_mul_ps(dw, va);
      corr[i] = _mm512_fmadd_ps(dw, vs, corr[i]);
    }
    // The next NR rows follow these in memory (rows are contiguous): ask for
    // them now, one cache line per row and pair, so DRAM latency overlaps
    // this block's arithmetic.
    const std::size_t ahead = static_cast<std::size_t>(NR) * W.row_stride_bytes;
    for (int k = 0; 2 * k < n; ++k) {
      const std::int64_t g = g0 + 2 * k;
      const bool single = g + 1 >= G;
      for (int i = 0; i < NR; ++i) _mm_prefetch(reinterpret_cast<const char*>(qrow[i] + (kQ4 ? 16 : 32) * g + ahead), _MM_HINT_T0);
      const __m512i a = single ? _mm512_maskz_loadu_epi8(0xffffffffull, arow + 32 * g) : _mm512_loadu_si512(arow + 32 * g);
      const __m512i pick = _mm512_set_epi32(2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1,
                                            2 * k + 1, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k);
      for (int i = 0; i < NR; ++i) {
        __m512i w;
        if (kQ4) {
          const __m256i b = single ? _mm256_maskz_loadu_epi8(0xffffu, qrow[i] + 16 * g)
                                   : _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qrow[i] + 16 * g));
          const __m256i lo = _mm256_and_si256(b, low4);
          const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(b, 4), low4);
          w = _mm512_permutex2var_epi64(_mm512_castsi256_si512(lo), join, _mm512_castsi256_si512(hi));
        } else {
          w = single ? _mm512_maskz_loadu_epi8(0xffffffffull, qrow[i] + 32 * g) : _mm512_loadu_si512(qrow[i] + 32 * g);
          w = _mm512_xor_si512(w, flip);
        }
        const __m512i dp = _mm512_dpbusd_epi32(zero, w, a);
        acc[i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dp), _mm512_permutexvar_ps(pick, sc[i]), acc[i]);
      }
    }
  }
  constexpr float kOffset = kQ4 ? 8.0f : 128.0f;
  for (int i = 0; i < NR; ++i) out[i] = _mm512_reduce_add_ps(_mm512_fnmadd_ps(_mm512_set1_ps(kOffset), corr[i], acc[i]));
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

void rows_avx512(const WeightMatrix& W, std::int64_t r0, int nr, const QuantizedActivations& x, std::int64_t s,
                 float* out) {
  const bool q4 = W.dtype == DType::Q4_G32;
  switch (nr) {
    case 4: q4 ? rows_t<true, 4>(W, r0, x, s, out) : rows_t<false, 4>(W, r0, x, s, out); break;
    case 3: q4 ? rows_t<true, 3>(W, r0, x, s, out) : rows_t<false, 3>(W, r0, x, s, out); break;
    case 2: q4 ? rows_t<true, 2>(W, r0, x, s, out) : rows_t<false, 2>(W, r0, x, s, out); break;
    default: q4 ? rows_t<true, 1>(W, r0, x, s, out) : rows_t<false, 1>(W, r0, x, s, out); break;
  }
}

void dot_avx512(const WeightMatrix& W, std::int64_t r, const QuantizedActivations& x, std::int64_t s0, int nt,
                float* out) {
  if (W.dtype == DType::Q4_G32) dot_q<true>(W, r, x, s0, nt, out);
  else dot_q<false>(W, r, x, s0, nt, out);
}

}  // namespace zaya::quant::detail
