#include "cpu/attention_tiles.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "cpu/exp16.h"
#include "cpu/kv_load.h"
#include "cpu/scratch.h"
#include "util/avx512.h"
#include "util/cpu_features.h"

namespace zaya::cpu {

namespace {

constexpr int kRows = 16;

// Row j − j_lo of the score block: s where key j is visible to the lane's
// row (first <= j <= pos), -inf elsewhere.
ZAYA_AVX512F inline void store_scores(float* sc, std::int64_t j, std::int64_t j_lo, __m512i firstv, __m512i posv, __m512 s) {
  const __m512i jv = _mm512_set1_epi32(static_cast<std::int32_t>(j));
  const __mmask16 visible = _mm512_cmple_epi32_mask(firstv, jv) & _mm512_cmple_epi32_mask(jv, posv);
  _mm512_storeu_ps(sc + (j - j_lo) * kRows, _mm512_mask_blend_ps(visible, _mm512_set1_ps(-std::numeric_limits<float>::infinity()), s));
}

struct TileScratch {
  std::vector<float> qt;      // [d][16] the tile's queries, transposed and pre-scaled by 1/√d
  std::vector<float> scores;  // [keys][16] scores, then probabilities (unnormalised)
};

// Keys j .. j + count - 1 of a group as floats, for the scoring loop's
// broadcasts: an fp32 cache is read in place; F16 and Q8 rows (scale
// applied) are widened into `widened` [count, d], in L1, once per tile.
template <typename E, int DC>
ZAYA_AVX512F const float* keys_as_floats(const E* kbase, const float* kscale, std::int64_t j, int count, float* widened) {
  constexpr int d = 16 * DC;
  if constexpr (std::is_same_v<E, float>) {
    (void)kscale, (void)widened;
    return kbase + j * d;
  } else {
    for (int i = 0; i < count; ++i) {
      const __m512 scale = _mm512_set1_ps(kScaledRows<E> ? kscale[j + i] : 1.0f);
      for (int c = 0; c < DC; ++c) {
        const __m512 x = load16(kbase + (j + i) * d + 16 * c);
        _mm512_store_ps(widened + i * d + 16 * c, kScaledRows<E> ? _mm512_mul_ps(x, scale) : x);
      }
    }
    return widened;
  }
}

// One tile: rows row0 .. row0 + rows - 1 of KV group g, row = t·G + (h − g·G).
// DC = d / 16 (the head's width in 16-float vectors); E: the cache's element
// type (kv_load.h).
template <typename E, int DC>
ZAYA_AVX512F void attend_tile(const AttentionChunk& a, std::int64_t g, std::int64_t row0, int rows, TileScratch& ts) {
  constexpr std::int64_t d = 16 * DC;
  const std::int64_t G = a.nq / a.nkv, QW = a.nq * d;
  alignas(64) std::int32_t pos[kRows], first[kRows];
  std::int64_t token[kRows], head[kRows];
  for (int m = 0; m < kRows; ++m) {
    const std::int64_t r = row0 + std::min(m, rows - 1);  // spare lanes repeat the last row, never stored
    token[m] = r / G;
    head[m] = g * G + r % G;
    pos[m] = static_cast<std::int32_t>(a.p0 + token[m]);
    first[m] = a.window > 0 ? static_cast<std::int32_t>(std::max<std::int64_t>(0, pos[m] - a.window + 1)) : 0;
  }
  const std::int64_t j_lo = *std::min_element(first, first + kRows);
  const std::int64_t j_hi = *std::max_element(pos, pos + kRows);
  const std::int64_t n = j_hi - j_lo + 1;

  float* qt = grow(ts.qt, d * kRows).data();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  for (int m = 0; m < kRows; ++m) {
    const float* q = a.Q + token[m] * QW + head[m] * d;
    for (std::int64_t e = 0; e < d; ++e) qt[e * kRows + m] = q[e] * scale;
  }

  // Scores of 8 keys at a time (8 independent FMA chains), masked to -inf
  // outside each row's visible range.
  float* sc = grow(ts.scores, n * kRows).data();
  const __m512i posv = _mm512_load_si512(pos), firstv = _mm512_load_si512(first);
  const __m512 neg_inf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  const E* kbase = group_rows<E>(a.k_cache, g, a.capacity, d);    // [positions, d]
  const float* kscale = group_scales(a.k_scales, g, a.capacity);  // Q8: [positions]
  alignas(64) float widened[8 * d];                                // [8, d] keys widened to fp32 (F16, Q8)
  std::int64_t j = j_lo;
  for (; j + 8 <= j_hi + 1; j += 8) {
    const float* keys = keys_as_floats<E, DC>(kbase, kscale, j, 8, widened);  // [8, d]
    __m512 acc[8];
    for (int i = 0; i < 8; ++i) acc[i] = _mm512_setzero_ps();
    for (std::int64_t e = 0; e < d; ++e) {
      const __m512 qv = _mm512_loadu_ps(qt + e * kRows);
      for (int i = 0; i < 8; ++i) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(keys[i * d + e]), qv, acc[i]);
    }
    for (int i = 0; i < 8; ++i) store_scores(sc, j + i, j_lo, firstv, posv, acc[i]);
  }
  for (; j <= j_hi; ++j) {
    const float* key = keys_as_floats<E, DC>(kbase, kscale, j, 1, widened);  // [d]
    __m512 acc = _mm512_setzero_ps();
    for (std::int64_t e = 0; e < d; ++e) acc = _mm512_fmadd_ps(_mm512_set1_ps(key[e]), _mm512_loadu_ps(qt + e * kRows), acc);
    store_scores(sc, j, j_lo, firstv, posv, acc);
  }

  // Softmax down each lane (row): every row sees at least its own key.
  __m512 mx = neg_inf;
  for (std::int64_t i = 0; i < n; ++i) mx = _mm512_max_ps(mx, _mm512_loadu_ps(sc + i * kRows));
  __m512 sum = _mm512_setzero_ps();
  for (std::int64_t i = 0; i < n; ++i) {
    const __m512 s = _mm512_loadu_ps(sc + i * kRows);
    const __mmask16 visible = _mm512_cmp_ps_mask(s, neg_inf, _CMP_NEQ_OQ);
    const __m512 p = _mm512_maskz_mov_ps(visible, exp16(_mm512_sub_ps(s, mx)));
    _mm512_storeu_ps(sc + i * kRows, p);
    sum = _mm512_add_ps(sum, p);
  }
  alignas(64) float inv_sum[kRows];
  _mm512_store_ps(inv_sum, _mm512_div_ps(_mm512_set1_ps(1.0f), sum));

  // Weighted values, two rows at a time: 2·DC accumulators, each value
  // vector loaded once for both rows.
  const E* vbase = group_rows<E>(a.v_cache, g, a.capacity, d);    // [positions, d]
  const float* vscale = group_scales(a.v_scales, g, a.capacity);  // Q8: [positions]
  for (int m = 0; m < rows; m += 2) {
    const int m1 = std::min(m + 1, rows - 1);
    __m512 acc0[DC], acc1[DC];
    for (int c = 0; c < DC; ++c) acc0[c] = acc1[c] = _mm512_setzero_ps();
    for (std::int64_t i = 0; i < n; ++i) {
      const E* v = vbase + (j_lo + i) * d;
      const float row_scale = kScaledRows<E> ? vscale[j_lo + i] : 1.0f;  // folded into the weights
      const __m512 p0 = _mm512_set1_ps(kScaledRows<E> ? sc[i * kRows + m] * row_scale : sc[i * kRows + m]);
      const __m512 p1 = _mm512_set1_ps(kScaledRows<E> ? sc[i * kRows + m1] * row_scale : sc[i * kRows + m1]);
      for (int c = 0; c < DC; ++c) {
        const __m512 vv = load16(v + 16 * c);
        acc0[c] = _mm512_fmadd_ps(p0, vv, acc0[c]);
        acc1[c] = _mm512_fmadd_ps(p1, vv, acc1[c]);
      }
    }
    float* o0 = a.ctx + token[m] * QW + head[m] * d;
    float* o1 = a.ctx + token[m1] * QW + head[m1] * d;
    const __m512 s0 = _mm512_set1_ps(inv_sum[m]), s1 = _mm512_set1_ps(inv_sum[m1]);
    for (int c = 0; c < DC; ++c) {
      _mm512_storeu_ps(o0 + 16 * c, _mm512_mul_ps(acc0[c], s0));
      if (m1 != m) _mm512_storeu_ps(o1 + 16 * c, _mm512_mul_ps(acc1[c], s1));
    }
  }
}

using TileFn = void (*)(const AttentionChunk&, std::int64_t, std::int64_t, int, TileScratch&);

TileFn tile_fn(KvCacheType type, std::int64_t d) {
  return for_element_type<TileFn>(type, [&]<typename E>() -> TileFn {
    switch (d) {
      case 16: return attend_tile<E, 1>;
      case 32: return attend_tile<E, 2>;
      case 64: return attend_tile<E, 4>;
      case 128: return attend_tile<E, 8>;
      default: return nullptr;
    }
  });
}

}  // namespace

bool tiles_apply(const AttentionChunk& a) {
  return cpu_runs_avx512f() && tile_fn(a.kv_type, a.d) != nullptr && a.nkv > 0 && a.nq % a.nkv == 0 && a.S > 0;
}

void attend_in_tiles(const AttentionChunk& a, ThreadPool& pool) {
  const TileFn fn = tile_fn(a.kv_type, a.d);
  const std::int64_t G = a.nq / a.nkv, rows = a.S * G, tiles = (rows + kRows - 1) / kRows;
  // Later tiles see more keys (causal): pair the cheapest with the dearest,
  // so the pool's contiguous shares get equal work.
  pool.parallel_for(a.nkv * tiles, [&](std::int64_t i0, std::int64_t i1) {
    thread_local TileScratch ts;
    for (std::int64_t i = i0; i < i1; ++i) {
      const std::int64_t g = i / tiles, k = i % tiles;
      const std::int64_t tile = k % 2 == 0 ? k / 2 : tiles - 1 - k / 2;
      const std::int64_t row0 = tile * kRows;
      fn(a, g, row0, static_cast<int>(std::min<std::int64_t>(kRows, rows - row0)), ts);
    }
  });
}

}  // namespace zaya::cpu
