// AVX-512 VNNI kernel for the interleaved layouts (quant/interleave.h): lane i
// of every weight register is row 16b + i, so each vpdpbusd with one
// broadcast activation word advances all 16 rows by 4 multiply-adds, a group
// of 32 is 8 vpdpbusd into one int32 accumulator (started at −offset·Σq, which
// removes the unsigned weights' +8 / +128), and its two scales are applied
// once: convert, one multiply (d_w·d_a), one FMA per token and group.
#include <algorithm>
#include <cstring>
#include <utility>

#include "quant/interleave.h"
#include "quant/qgemm_kernels.h"
#include "util/avx512.h"

namespace zaya::quant::detail {
namespace {

ZAYA_AVX512VNNI inline __m512i broadcast_word(const std::int8_t* p) {
  std::int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

#ifndef ZAYA_X16_PREFETCH
#define ZAYA_X16_PREFETCH 2048
#endif
constexpr std::int64_t kPrefetchAhead = ZAYA_X16_PREFETCH;

// Group g's weights of a block (its P words at wg) into 8 registers: w[k]
// lane i = 4 weights of row i multiplying activations 32g + 4k .. 4k+3 (Q4:
// word p's low nibbles are weights 4p.., its high nibbles 16 + 4p.., i.e.
// k = p + 4; Q8: word k as stored).
template <bool kQ4>
ZAYA_AVX512VNNI inline void unpack_group(const std::uint8_t* wg, __m512i (&w)[8]) {
  if constexpr (kQ4) {
    const __m512i low4 = _mm512_set1_epi8(0x0f);
    for (int p = 0; p < 4; ++p) {
      const __m512i packed = _mm512_loadu_si512(wg + 64 * p);
      w[p] = _mm512_and_si512(packed, low4);
      w[p + 4] = _mm512_and_si512(_mm512_srli_epi16(packed, 4), low4);
    }
  } else {
    for (int p = 0; p < 8; ++p) w[p] = _mm512_loadu_si512(wg + 64 * p);
  }
}

// One block of 16 rows × NT tokens. Weights: P words of 64 bytes per group,
// unpacked once per group into 8 registers, then reused by every token.
template <bool kQ4, int NT>
ZAYA_AVX512VNNI void tile_t(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, float* y,
                        std::int64_t y_stride) {
  constexpr int P = kQ4 ? 4 : 8;
  constexpr int kOffset = kQ4 ? 8 : 128;
  const std::int64_t G = x.groups;
  const auto* block = static_cast<const std::uint8_t*>(W.data) + b * static_cast<std::int64_t>(W.row_stride_bytes);
  const std::uint8_t* scales = block + G * 64 * P;  // [G][16] fp16
  const std::int8_t* arow[NT];
  const float* da[NT];
  const std::int32_t* qs[NT];
  __m512 acc[NT];
  for (int t = 0; t < NT; ++t) {
    arow[t] = x.row(s0 + t);
    da[t] = x.scale.data() + (s0 + t) * G;
    qs[t] = x.qsum.data() + (s0 + t) * G;
    acc[t] = _mm512_setzero_ps();
  }
  for (std::int64_t g = 0; g < G; ++g) {
    const std::uint8_t* wg = block + g * 64 * P;
    if constexpr (NT == 1) {
      // Decode streams the matrix once: ask for the bytes kPrefetchAhead on
      // (this block's later groups, its scales, then the next block).
      for (int line = 0; line < P; ++line)
        _mm_prefetch(reinterpret_cast<const char*>(wg + kPrefetchAhead + 64 * line), _MM_HINT_T0);
    }
    __m512i w[8];
    unpack_group<kQ4>(wg, w);
    const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(scales + 32 * g)));
    for (int t = 0; t < NT; ++t) {
      const std::int8_t* a = arow[t] + 32 * g;
      __m512i dp = _mm512_set1_epi32(-kOffset * qs[t][g]);
      for (int k = 0; k < 8; ++k) dp = _mm512_dpbusd_epi32(dp, w[k], broadcast_word(a + 4 * k));
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dp), _mm512_mul_ps(dw, _mm512_set1_ps(da[t][g])), acc[t]);
    }
  }
  const std::int64_t rows = std::min<std::int64_t>(kInterleaveRows, W.rows - b * kInterleaveRows);
  const __mmask16 valid = rows == 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << rows) - 1);
  for (int t = 0; t < NT; ++t) _mm512_mask_storeu_ps(y + (s0 + t) * y_stride + b * kInterleaveRows, valid, acc[t]);
}

// One block of 16 rows × NT (2 .. 16) tokens of a chunk, from the
// activations' group-major copy: the tile's words of group g are one run of
// NT · 32 bytes, so every load is one pointer plus a constant offset and the
// NT int32 sums start from −offset·Σq with a broadcast and a shift. Up to 16
// float accumulators, 8 weight registers and the scale stay in registers.
template <bool kQ4, int NT>
ZAYA_AVX512VNNI void chunk_tile_t(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0,
                                  float* y, std::int64_t y_stride) {
  constexpr int P = kQ4 ? 4 : 8;
  constexpr int kOffsetShift = kQ4 ? 3 : 7;  // offset 8 or 128
  const std::int64_t G = x.groups, S = x.S;
  const auto* wg = static_cast<const std::uint8_t*>(W.data) + b * static_cast<std::int64_t>(W.row_stride_bytes);
  const std::uint8_t* scales = wg + G * 64 * P;           // [G][16] fp16
  const std::int8_t* a = x.q_by_group.data() + s0 * 32;   // group g at a + g·S·32: [NT][32]
  const float* da = x.scale_by_group.data() + s0;         // group g at da + g·S: [NT]
  const std::int32_t* nq = x.neg_qsum_by_group.data() + s0;
  __m512 acc[NT];
  for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
  const std::int64_t next = static_cast<std::int64_t>(W.row_stride_bytes);  // the next block, same offset
  for (std::int64_t g = 0; g < G; ++g, wg += 64 * P, a += 32 * S, da += S, nq += S) {
    // The next block's words and scales, a block ahead into L2 (into L1 they
    // pushed out the tile's own): from memory, the weights would otherwise
    // arrive at the speed of one miss at a time.
    for (int line = 0; line < P; ++line) _mm_prefetch(reinterpret_cast<const char*>(wg + next + 64 * line), _MM_HINT_T1);
    _mm_prefetch(reinterpret_cast<const char*>(scales + next + 32 * g), _MM_HINT_T1);
    __m512i w[8];
    unpack_group<kQ4>(wg, w);
    const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(scales + 32 * g)));
    for (int t = 0; t < NT; ++t) {
      __m512i dp = _mm512_slli_epi32(_mm512_set1_epi32(nq[t]), kOffsetShift);
      for (int k = 0; k < 8; ++k) dp = _mm512_dpbusd_epi32(dp, w[k], broadcast_word(a + 32 * t + 4 * k));
      acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dp), _mm512_mul_ps(dw, _mm512_set1_ps(da[t])), acc[t]);
    }
  }
  const std::int64_t rows = std::min<std::int64_t>(kInterleaveRows, W.rows - b * kInterleaveRows);
  const __mmask16 valid = rows == 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << rows) - 1);
  for (int t = 0; t < NT; ++t) _mm512_mask_storeu_ps(y + (s0 + t) * y_stride + b * kInterleaveRows, valid, acc[t]);
}

template <bool kQ4, int... NT>
void chunk_tile(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt, float* y,
                std::int64_t y_stride, std::integer_sequence<int, NT...>) {
  // nt − 2 indexes the instantiations for 2 .. 16 tokens.
  using Fn = void (*)(const WeightMatrix&, std::int64_t, const QuantizedActivations&, std::int64_t, float*, std::int64_t);
  static constexpr Fn kTiles[] = {&chunk_tile_t<kQ4, NT + 2>...};
  kTiles[nt - 2](W, b, x, s0, y, y_stride);
}

template <bool kQ4>
void tile_q(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt, float* y,
            std::int64_t y_stride) {
  if (nt == 1) tile_t<kQ4, 1>(W, b, x, s0, y, y_stride);  // decode (or a chunk's last token): the row layout
  else chunk_tile<kQ4>(W, b, x, s0, nt, y, y_stride, std::make_integer_sequence<int, kTileTokens - 1>{});
}

}  // namespace

void tile_x16_avx512(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt,
                     float* y, std::int64_t y_stride) {
  if (W.dtype == DType::Q4_G32_X16) tile_q<true>(W, b, x, s0, nt, y, y_stride);
  else tile_q<false>(W, b, x, s0, nt, y, y_stride);
}

}  // namespace zaya::quant::detail
