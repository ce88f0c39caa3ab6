// AVX2 kernel for the interleaved layouts (quant/interleave.h), for the many
// CPUs with AVX2 and no AVX-512. A 256-bit register holds half a block's word
// (rows 16b .. 16b+7 or 16b+8 .. 16b+15, 4 bytes each): in decode one
// broadcast activation word feeds both halves, in a chunk one half's word
// feeds up to 4 tokens, and a group of 32 weights is summed for 8 rows at once with pmaddubsw (unsigned × signed bytes → int16 pairs) and
// one pmaddwd per group, where the row-major AVX2 kernel reduces one row per
// register and finishes every row with a horizontal sum.
//
//   Q4: the stored nibbles u = q + 8 (0..15) are pmaddubsw's unsigned side;
//       a pair is at most 2·15·127 = 3810, so the 8 words of a group add up
//       in int16 (≤ 30480) before the one pmaddwd; the +8 comes back out
//       through the activation sums (−8·Σa).
//   Q8: the stored u = q + 128 is turned back into q (xor 0x80), and the sign
//       moves onto the activations (|q| × sign(a, q)), so no pair saturates
//       (≤ 2·127·127); each word gets its own pmaddwd.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "quant/interleave.h"
#include "quant/qgemm_kernels.h"

#define ZAYA_AVX2 __attribute__((target("avx2,fma,f16c")))
#define ZAYA_AVX2_VNNI __attribute__((target("avx2,fma,f16c,avxvnni")))

namespace zaya::quant::detail {
namespace {

ZAYA_AVX2 inline __m256i broadcast_word(const std::int8_t* p) {
  std::int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// Decode streams the matrix once: the bytes this far ahead are asked for
// while a group is computed (as in the AVX-512 kernel).
constexpr std::int64_t kPrefetchAhead = 2048;

// One block of 16 rows × NT tokens, both halves per unpacked word: decode
// (NT = 1) streams each block once.
template <bool kQ4, int NT>
ZAYA_AVX2 void tile_t(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, float* y,
                      std::int64_t y_stride) {
  constexpr int P = kQ4 ? 4 : 8;
  const std::int64_t G = x.groups;
  const auto* block = static_cast<const std::uint8_t*>(W.data) + b * static_cast<std::int64_t>(W.row_stride_bytes);
  const std::uint8_t* scales = block + G * 64 * P;  // [G][16] fp16
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  const __m256i ones16 = _mm256_set1_epi16(1);
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  const std::int8_t* arow[NT];
  __m256 acc[NT][2];
  for (int t = 0; t < NT; ++t) {
    arow[t] = x.row(s0 + t);
    acc[t][0] = acc[t][1] = _mm256_setzero_ps();
  }
  for (std::int64_t g = 0; g < G; ++g) {
    const std::uint8_t* wg = block + g * 64 * P;
    if constexpr (NT == 1)
      for (int line = 0; line < P; ++line)
        _mm_prefetch(reinterpret_cast<const char*>(wg + kPrefetchAhead + 64 * line), _MM_HINT_T0);
    __m256i dp[NT][2];  // int32 lane i: Σ over the group of row (8h + i)'s products
    if constexpr (kQ4) {
      __m256i s16[NT][2];
      for (int t = 0; t < NT; ++t) s16[t][0] = s16[t][1] = _mm256_setzero_si256();
      for (int p = 0; p < 4; ++p) {
        // Word p: low nibbles multiply activations 4p.., high nibbles 16 + 4p...
        __m256i lo[2], hi[2];
        for (int h = 0; h < 2; ++h) {
          const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wg + 64 * p + 32 * h));
          lo[h] = _mm256_and_si256(packed, low4);
          hi[h] = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low4);
        }
        for (int t = 0; t < NT; ++t) {
          const __m256i a_lo = broadcast_word(arow[t] + 32 * g + 4 * p);
          const __m256i a_hi = broadcast_word(arow[t] + 32 * g + 16 + 4 * p);
          for (int h = 0; h < 2; ++h) {
            s16[t][h] = _mm256_add_epi16(s16[t][h], _mm256_maddubs_epi16(lo[h], a_lo));
            s16[t][h] = _mm256_add_epi16(s16[t][h], _mm256_maddubs_epi16(hi[h], a_hi));
          }
        }
      }
      for (int t = 0; t < NT; ++t) {
        const __m256i offset = _mm256_set1_epi32(8 * x.qsum[(s0 + t) * G + g]);
        for (int h = 0; h < 2; ++h) dp[t][h] = _mm256_sub_epi32(_mm256_madd_epi16(s16[t][h], ones16), offset);
      }
    } else {
      for (int t = 0; t < NT; ++t) dp[t][0] = dp[t][1] = _mm256_setzero_si256();
      for (int p = 0; p < 8; ++p) {
        __m256i q[2], qabs[2];
        for (int h = 0; h < 2; ++h) {
          q[h] = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wg + 64 * p + 32 * h)), flip);
          qabs[h] = _mm256_abs_epi8(q[h]);
        }
        for (int t = 0; t < NT; ++t) {
          const __m256i a = broadcast_word(arow[t] + 32 * g + 4 * p);
          for (int h = 0; h < 2; ++h) {
            const __m256i prod = _mm256_maddubs_epi16(qabs[h], _mm256_sign_epi8(a, q[h]));
            dp[t][h] = _mm256_add_epi32(dp[t][h], _mm256_madd_epi16(prod, ones16));
          }
        }
      }
    }
    for (int h = 0; h < 2; ++h) {
      const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(scales + 32 * g + 16 * h)));
      for (int t = 0; t < NT; ++t)
        acc[t][h] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dp[t][h]), _mm256_mul_ps(dw, _mm256_set1_ps(x.scale[(s0 + t) * G + g])),
                                    acc[t][h]);
    }
  }
  const std::int64_t rows = std::min<std::int64_t>(kInterleaveRows, W.rows - b * kInterleaveRows);
  for (int t = 0; t < NT; ++t) {
    float* out = y + (s0 + t) * y_stride + b * kInterleaveRows;
    if (rows == kInterleaveRows) {
      _mm256_storeu_ps(out, acc[t][0]);
      _mm256_storeu_ps(out + 8, acc[t][1]);
    } else {  // a padded last block: only its real rows
      alignas(32) float all[16];
      _mm256_store_ps(all, acc[t][0]);
      _mm256_store_ps(all + 8, acc[t][1]);
      std::memcpy(out, all, sizeof(float) * static_cast<std::size_t>(rows));
    }
  }
}

// Where a chunk tile reads group g of its tokens s0 .. s0 + NT − 1 in the
// activations' group-major copy: the NT words of 32 bytes side by side, the
// scales and −Σq as NT consecutive values.
struct ChunkActivations {
  const std::int8_t* q;
  const float* scale;
  const std::int32_t* neg_qsum;
  std::int64_t S;
  ChunkActivations(const QuantizedActivations& x, std::int64_t s0)
      : q(x.q_by_group.data() + s0 * 32), scale(x.scale_by_group.data() + s0), neg_qsum(x.neg_qsum_by_group.data() + s0),
        S(x.S) {}
  void next_group() {
    q += 32 * S;
    scale += S;
    neg_qsum += S;
  }
};

// Group g's words and scales of the block after this one, asked for a
// block ahead into L2: from memory, the weights would otherwise arrive at the
// speed of one miss at a time (as in the AVX-512 chunk tile).
template <int P>
ZAYA_AVX2 inline void prefetch_next_block(const WeightMatrix& W, const std::uint8_t* words, const std::uint8_t* scales) {
  const std::int64_t next = static_cast<std::int64_t>(W.row_stride_bytes);
  for (int line = 0; line < P; ++line) _mm_prefetch(reinterpret_cast<const char*>(words + next + 64 * line), _MM_HINT_T1);
  _mm_prefetch(reinterpret_cast<const char*>(scales + next), _MM_HINT_T1);
}

// Stores one half's NT rows of results (only the real rows of a padded last block).
template <int NT>
ZAYA_AVX2 void store_half(const __m256 (&acc)[NT], std::int64_t rows, float* y, std::int64_t y_stride) {
  for (int t = 0; t < NT; ++t) {
    float* out = y + t * y_stride;
    if (rows == 8) {
      _mm256_storeu_ps(out, acc[t]);
    } else {
      alignas(32) float all[8];
      _mm256_store_ps(all, acc[t]);
      std::memcpy(out, all, sizeof(float) * static_cast<std::size_t>(rows));
    }
  }
}

// Half a block (rows 16b + 8h .. 16b + 8h + 7) × NT ≤ 4 tokens, for chunks:
// one half's unpacked word stays in two registers while every token of the
// tile uses it, so the NT int16 sums and NT float accumulators fit in AVX2's
// 16 registers (both halves × 2 tokens did not: the compiler spilled).
template <bool kQ4, int NT>
ZAYA_AVX2 void tile_half_t(const WeightMatrix& W, std::int64_t b, int h, const QuantizedActivations& x, std::int64_t s0,
                           float* y, std::int64_t y_stride) {
  constexpr int P = kQ4 ? 4 : 8;
  const std::int64_t G = x.groups;
  const auto* block = static_cast<const std::uint8_t*>(W.data) + b * static_cast<std::int64_t>(W.row_stride_bytes);
  const std::uint8_t* scales = block + G * 64 * P + 16 * h;  // [G][16] fp16, this half's 8
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  const __m256i ones16 = _mm256_set1_epi16(1);
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  ChunkActivations a(x, s0);
  __m256 acc[NT];
  for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
  for (std::int64_t g = 0; g < G; ++g, a.next_group()) {
    const std::uint8_t* wg = block + g * 64 * P + 32 * h;
    prefetch_next_block<P>(W, block + g * 64 * P, scales + 32 * g);
    __m256i dp[NT];  // Q4: int16 pair sums until the group's end; Q8: int32 sums
    for (int t = 0; t < NT; ++t) dp[t] = _mm256_setzero_si256();
    for (int p = 0; p < P; ++p) {
      const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wg + 64 * p));
      if constexpr (kQ4) {
        const __m256i lo = _mm256_and_si256(packed, low4);
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low4);
        for (int t = 0; t < NT; ++t) {
          dp[t] = _mm256_add_epi16(dp[t], _mm256_maddubs_epi16(lo, broadcast_word(a.q + 32 * t + 4 * p)));
          dp[t] = _mm256_add_epi16(dp[t], _mm256_maddubs_epi16(hi, broadcast_word(a.q + 32 * t + 16 + 4 * p)));
        }
      } else {
        const __m256i q = _mm256_xor_si256(packed, flip);
        const __m256i qabs = _mm256_abs_epi8(q);
        for (int t = 0; t < NT; ++t) {
          const __m256i w = _mm256_maddubs_epi16(qabs, _mm256_sign_epi8(broadcast_word(a.q + 32 * t + 4 * p), q));
          dp[t] = _mm256_add_epi32(dp[t], _mm256_madd_epi16(w, ones16));
        }
      }
    }
    const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(scales + 32 * g)));
    for (int t = 0; t < NT; ++t) {
      __m256i sum = dp[t];
      if constexpr (kQ4)  // −8·Σq: the nibbles' +8
        sum = _mm256_add_epi32(_mm256_madd_epi16(sum, ones16), _mm256_slli_epi32(_mm256_set1_epi32(a.neg_qsum[t]), 3));
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), _mm256_mul_ps(dw, _mm256_set1_ps(a.scale[t])), acc[t]);
    }
  }
  store_half<NT>(acc, std::clamp<std::int64_t>(W.rows - b * kInterleaveRows - 8 * h, 0, 8),
                 y + s0 * y_stride + b * kInterleaveRows + 8 * h, y_stride);
}

// The same half tile with AVX-VNNI, NT ≤ 6 tokens: the unsigned stored bytes
// (Q4 nibbles, Q8 q + 128) go straight into vpdpbusd, as in the AVX-512
// kernel, and each int32 sum starts from −offset·Σq. Registers: NT sums, NT
// accumulators, the word's two halves, the nibble mask and a broadcast.
template <bool kQ4, int NT>
ZAYA_AVX2_VNNI void vnni_half_t(const WeightMatrix& W, std::int64_t b, int h, const QuantizedActivations& x, std::int64_t s0,
                                float* y, std::int64_t y_stride) {
  constexpr int P = kQ4 ? 4 : 8;
  constexpr int kOffsetShift = kQ4 ? 3 : 7;  // offset 8 or 128
  const std::int64_t G = x.groups;
  const auto* block = static_cast<const std::uint8_t*>(W.data) + b * static_cast<std::int64_t>(W.row_stride_bytes);
  const std::uint8_t* scales = block + G * 64 * P + 16 * h;  // [G][16] fp16, this half's 8
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  ChunkActivations a(x, s0);
  __m256 acc[NT];
  for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
  for (std::int64_t g = 0; g < G; ++g, a.next_group()) {
    const std::uint8_t* wg = block + g * 64 * P + 32 * h;
    prefetch_next_block<P>(W, block + g * 64 * P, scales + 32 * g);
    __m256i dp[NT];
    for (int t = 0; t < NT; ++t) dp[t] = _mm256_slli_epi32(_mm256_set1_epi32(a.neg_qsum[t]), kOffsetShift);
    for (int p = 0; p < P; ++p) {
      const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wg + 64 * p));
      if constexpr (kQ4) {
        const __m256i lo = _mm256_and_si256(packed, low4);
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low4);
        for (int t = 0; t < NT; ++t) {
          dp[t] = _mm256_dpbusd_avx_epi32(dp[t], lo, broadcast_word(a.q + 32 * t + 4 * p));
          dp[t] = _mm256_dpbusd_avx_epi32(dp[t], hi, broadcast_word(a.q + 32 * t + 16 + 4 * p));
        }
      } else {
        for (int t = 0; t < NT; ++t) dp[t] = _mm256_dpbusd_avx_epi32(dp[t], packed, broadcast_word(a.q + 32 * t + 4 * p));
      }
    }
    const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(scales + 32 * g)));
    for (int t = 0; t < NT; ++t)
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dp[t]), _mm256_mul_ps(dw, _mm256_set1_ps(a.scale[t])), acc[t]);
  }
  store_half<NT>(acc, std::clamp<std::int64_t>(W.rows - b * kInterleaveRows - 8 * h, 0, 8),
                 y + s0 * y_stride + b * kInterleaveRows + 8 * h, y_stride);
}

using HalfTileFn = void (*)(const WeightMatrix&, std::int64_t, int, const QuantizedActivations&, std::int64_t, float*,
                            std::int64_t);

// A chunk's nt tokens against block b, half by half, in tiles of at most
// tiles.size() tokens (tiles[n − 1] takes n).
template <std::size_t N>
void halves(const HalfTileFn (&tiles)[N], const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x,
            std::int64_t s0, int nt, float* y, std::int64_t y_stride) {
  const int count = W.rows - b * kInterleaveRows > 8 ? 2 : 1;
  for (int h = 0; h < count; ++h)
    for (int t = 0; t < nt;) {
      const int n = std::min<int>(static_cast<int>(N), nt - t);
      tiles[n - 1](W, b, h, x, s0 + t, y, y_stride);
      t += n;
    }
}

template <bool kQ4>
void tile_q(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt, float* y,
            std::int64_t y_stride) {
  static constexpr HalfTileFn kTiles[] = {&tile_half_t<kQ4, 1>, &tile_half_t<kQ4, 2>, &tile_half_t<kQ4, 3>,
                                          &tile_half_t<kQ4, 4>};
  if (nt == 1) tile_t<kQ4, 1>(W, b, x, s0, y, y_stride);  // decode: both halves in one pass, prefetching ahead
  else halves(kTiles, W, b, x, s0, nt, y, y_stride);
}

template <bool kQ4>
void tile_q_vnni(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt, float* y,
                 std::int64_t y_stride) {
  static constexpr HalfTileFn kTiles[] = {&vnni_half_t<kQ4, 1>, &vnni_half_t<kQ4, 2>, &vnni_half_t<kQ4, 3>,
                                          &vnni_half_t<kQ4, 4>, &vnni_half_t<kQ4, 5>, &vnni_half_t<kQ4, 6>};
  if (nt == 1) tile_t<kQ4, 1>(W, b, x, s0, y, y_stride);  // decode is bound by memory, not by the multiply-adds
  else halves(kTiles, W, b, x, s0, nt, y, y_stride);
}

}  // namespace

void tile_x16_avx2(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt,
                   float* y, std::int64_t y_stride) {
  if (W.dtype == DType::Q4_G32_X16) tile_q<true>(W, b, x, s0, nt, y, y_stride);
  else tile_q<false>(W, b, x, s0, nt, y, y_stride);
}

void tile_x16_avx2_vnni(const WeightMatrix& W, std::int64_t b, const QuantizedActivations& x, std::int64_t s0, int nt,
                        float* y, std::int64_t y_stride) {
  if (W.dtype == DType::Q4_G32_X16) tile_q_vnni<true>(W, b, x, s0, nt, y, y_stride);
  else tile_q_vnni<false>(W, b, x, s0, nt, y, y_stride);
}

}  // namespace zaya::quant::detail
