// The decode attention's span kernel for CPUs with AVX2 and FMA but no
// AVX-512 (most desktop CPUs): the AVX-512 kernel's plan on 8 lanes and 16
// registers — 8 (key, query) partial sums per reduction, G·CB ≤ 8 value
// accumulators per pass.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <immintrin.h>

#include "cpu/attention_decode_spans.h"
#include "cpu/kv_load.h"
#include "cpu/scratch.h"

// Every function here runs only on CPUs with AVX2 and FMA; F16C is checked
// before an fp16 cache is read (cpu_runs_f16c).
#define ZAYA_AVX2_FMA ZAYA_AVX2_F16C

namespace zaya::cpu {

namespace {

// e^x for 8 lanes, x <= 0 here (scores minus their max): the same reduction
// and polynomial as exp16 (cpu/exp16.h), with 2^n built in the exponent bits
// (x is clamped at -87, so n >= -126 and 2^n stays a normal float).
ZAYA_AVX2_FMA inline __m256 exp8(__m256 x) {
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i two_n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(two_n));
}

// Lane i of the result is the sum of v[i]'s eight lanes.
ZAYA_AVX2_FMA inline __m256 sum8(const __m256 v[8]) {
  const __m256 a0 = _mm256_hadd_ps(v[0], v[1]), a1 = _mm256_hadd_ps(v[2], v[3]);
  const __m256 a2 = _mm256_hadd_ps(v[4], v[5]), a3 = _mm256_hadd_ps(v[6], v[7]);
  // Per 128-bit half: v[0..3] (then v[4..7]) summed over that half's lanes.
  const __m256 b0 = _mm256_hadd_ps(a0, a1), b1 = _mm256_hadd_ps(a2, a3);
  return _mm256_add_ps(_mm256_permute2f128_ps(b0, b1, 0x20), _mm256_permute2f128_ps(b0, b1, 0x31));
}

template <typename E, int DC, int G>  // d = 8·DC; E: the cache's element type (kv_load.h)
ZAYA_AVX2_FMA void attend_span8(const AttentionChunk& a, std::int64_t g, std::int64_t j0, std::int64_t j1, float* partial,
                                std::vector<float>& score_buffer) {
  constexpr int d = 8 * DC;
  constexpr int KB = 8 / G;                      // keys per 8-lane score vector: lane = key·G + head
  constexpr int CB = DC < 8 / G ? DC : 8 / G;    // value vectors per pass: G·CB accumulators
  const std::int64_t n = j1 - j0, blocks = (n + KB - 1) / KB;

  alignas(32) float q[G * d];  // [G][d] the group's queries, pre-scaled by 1/√d
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  for (int r = 0; r < G; ++r)
    for (int e = 0; e < d; ++e) q[r * d + e] = a.Q[(g * G + r) * d + e] * scale;

  float* sc = grow(score_buffer, blocks * 8).data();  // [keys][G]
  const E* kbase = group_rows<E>(a.k_cache, g, a.capacity, d);    // [positions, d]
  const float* kscale = group_scales(a.k_scales, g, a.capacity);  // Q8: [positions]
  const __m256 neg_inf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i lane_key = _mm256_setr_epi32(0 / G, 1 / G, 2 / G, 3 / G, 4 / G, 5 / G, 6 / G, 7 / G);  // the key of each score lane
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::int64_t jb = j0 + b * KB;
    const int valid = static_cast<int>(std::min<std::int64_t>(KB, j1 - jb));
    const E* key[KB];
    for (int k = 0; k < KB; ++k) key[k] = kbase + (jb + std::min(k, valid - 1)) * d;
    for (int k = 0; k < KB; ++k) prefetch_row<E, d>(key[k] + kDecodePrefetchRows * d);
    __m256 acc[8];
    for (int i = 0; i < 8; ++i) acc[i] = _mm256_setzero_ps();
    for (int c = 0; c < DC; ++c) {
      __m256 qv[G];
      for (int r = 0; r < G; ++r) qv[r] = _mm256_load_ps(q + r * d + 8 * c);
      for (int k = 0; k < KB; ++k) {
        const __m256 kv = load8(key[k] + 8 * c);
        for (int r = 0; r < G; ++r) acc[k * G + r] = _mm256_fmadd_ps(kv, qv[r], acc[k * G + r]);
      }
    }
    __m256 s = sum8(acc);
    if constexpr (kScaledRows<E>) {  // spare lanes get scale 0, then -inf below
      const __m256i loaded = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), lane);
      const __m256 block_scales = _mm256_maskload_ps(kscale + jb, loaded);
      s = _mm256_mul_ps(s, _mm256_permutevar8x32_ps(block_scales, lane_key));
    }
    if (valid < KB) {
      const __m256 keep = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(valid * G), lane));
      s = _mm256_blendv_ps(neg_inf, s, keep);
    }
    _mm256_storeu_ps(sc + b * 8, s);
  }

  // Softmax numerators per head: lane i belongs to head i % G.
  __m256 lane_max = neg_inf;
  for (std::int64_t b = 0; b < blocks; ++b) lane_max = _mm256_max_ps(lane_max, _mm256_loadu_ps(sc + b * 8));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, lane_max);
  float head_max[G];
  for (int r = 0; r < G; ++r) head_max[r] = -std::numeric_limits<float>::infinity();
  for (int i = 0; i < 8; ++i) head_max[i % G] = std::max(head_max[i % G], lanes[i]);
  for (int i = 0; i < 8; ++i) lanes[i] = head_max[i % G];
  const __m256 max_v = _mm256_load_ps(lanes);
  __m256 lane_sum = _mm256_setzero_ps();
  for (std::int64_t b = 0; b < blocks; ++b) {
    const __m256 s = _mm256_loadu_ps(sc + b * 8);
    const __m256 visible = _mm256_cmp_ps(s, neg_inf, _CMP_NEQ_OQ);
    const __m256 p = _mm256_and_ps(visible, exp8(_mm256_sub_ps(s, max_v)));
    _mm256_storeu_ps(sc + b * 8, p);
    lane_sum = _mm256_add_ps(lane_sum, p);
  }
  _mm256_store_ps(lanes, lane_sum);
  float head_sum[G] = {};
  for (int i = 0; i < 8; ++i) head_sum[i % G] += lanes[i];

  // Σ p_j·v_j in column slices of CB vectors, the slices taking turns over
  // blocks of kDecodeValueBlock keys.
  const E* vbase = group_rows<E>(a.v_cache, g, a.capacity, d);    // [positions, d]
  const float* vscale = group_scales(a.v_scales, g, a.capacity);  // Q8: [positions]
  for (int r = 0; r < G; ++r) std::fill(partial + r * (d + 2), partial + r * (d + 2) + d, 0.0f);
  for (std::int64_t jb = 0; jb < n; jb += kDecodeValueBlock) {
    const std::int64_t je = std::min(n, jb + kDecodeValueBlock);
    for (int c0 = 0; c0 < DC; c0 += CB) {
      __m256 acc[G * CB];
      for (int r = 0; r < G; ++r)
        for (int c = 0; c < CB; ++c) acc[r * CB + c] = _mm256_loadu_ps(partial + r * (d + 2) + 8 * (c0 + c));
      for (std::int64_t j = jb; j < je; ++j) {
        const E* v = vbase + (j0 + j) * d + 8 * c0;
        if (c0 == 0) prefetch_row<E, d>(v + kDecodePrefetchRows * d);
        __m256 vv[CB];
        for (int c = 0; c < CB; ++c) vv[c] = load8(v + 8 * c);
        float row_scale = 1.0f;
        if constexpr (kScaledRows<E>) row_scale = vscale[j0 + j];
        for (int r = 0; r < G; ++r) {
          const __m256 p = kScaledRows<E> ? _mm256_set1_ps(sc[j * G + r] * row_scale) : _mm256_broadcast_ss(sc + j * G + r);
          for (int c = 0; c < CB; ++c) acc[r * CB + c] = _mm256_fmadd_ps(p, vv[c], acc[r * CB + c]);
        }
      }
      for (int r = 0; r < G; ++r)
        for (int c = 0; c < CB; ++c) _mm256_storeu_ps(partial + r * (d + 2) + 8 * (c0 + c), acc[r * CB + c]);
    }
  }
  for (int r = 0; r < G; ++r) {
    partial[r * (d + 2) + d] = head_max[r];
    partial[r * (d + 2) + d + 1] = head_sum[r];
  }
}

template <typename E, int DC>
DecodeSpanFn span_for_group(std::int64_t G) {
  switch (G) {
    case 1: return attend_span8<E, DC, 1>;
    case 2: return attend_span8<E, DC, 2>;
    case 4: return attend_span8<E, DC, 4>;
    case 8: return attend_span8<E, DC, 8>;
    default: return nullptr;
  }
}

}  // namespace

DecodeSpanFn decode_span_avx2(KvCacheType type, std::int64_t d, std::int64_t G) {
  return for_element_type<DecodeSpanFn>(type, [&]<typename E>() -> DecodeSpanFn {
    switch (d) {
      case 16: return span_for_group<E, 2>(G);
      case 32: return span_for_group<E, 4>(G);
      case 64: return span_for_group<E, 8>(G);
      case 128: return span_for_group<E, 16>(G);
      default: return nullptr;
    }
  });
}

}  // namespace zaya::cpu
