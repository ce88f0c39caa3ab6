#include "cpu/attention_decode.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "cpu/attention_decode_spans.h"
#include "cpu/exp16.h"
#include "cpu/kv_load.h"
#include "cpu/scratch.h"
#include "util/avx512.h"
#include "util/cpu_features.h"

namespace zaya::cpu {

namespace {

// A span shorter than this is not worth a task of its own: merging costs a
// pass over G·d floats, waking a thread a few microseconds.
constexpr std::int64_t kMinKeysPerSpan = 512;


// Lane i of the result is the sum of v[i]'s sixteen lanes. Four rounds of
// shuffles and adds, each halving the vectors: 45 instructions for sixteen
// sums instead of sixteen full horizontal reductions.
ZAYA_AVX512F inline __m512 sum16(const __m512 v[16]) {
  // Within each 128-bit lane: even positions hold v[2i]'s pair sums, odd v[2i+1]'s.
  __m512 pairs[8];
  for (int i = 0; i < 8; ++i)
    pairs[i] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
  // Each 128-bit lane L holds v[4i .. 4i+3] summed over their lanes 4L .. 4L+3.
  __m512 quads[4];
  for (int i = 0; i < 4; ++i) {
    const __m512d x = _mm512_castps_pd(pairs[2 * i]), y = _mm512_castps_pd(pairs[2 * i + 1]);
    quads[i] = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(x, y)), _mm512_castpd_ps(_mm512_unpackhi_pd(x, y)));
  }
  // 128-bit lanes: v[8i .. 8i+3] over lanes 0-7, the same over 8-15, then v[8i+4 .. 8i+7] likewise.
  __m512 halves[2];
  for (int i = 0; i < 2; ++i)
    halves[i] = _mm512_add_ps(_mm512_shuffle_f32x4(quads[2 * i], quads[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                              _mm512_shuffle_f32x4(quads[2 * i], quads[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  return _mm512_add_ps(_mm512_shuffle_f32x4(halves[0], halves[1], _MM_SHUFFLE(2, 0, 2, 0)),
                       _mm512_shuffle_f32x4(halves[0], halves[1], _MM_SHUFFLE(3, 1, 3, 1)));
}

// One span on AVX-512 (attention_decode_spans.h): 16 lanes. E: the cache's
// element type (kv_load.h); Q8 scales multiply each key's score and each
// value's weight.
template <typename E, int DC, int G>
ZAYA_AVX512F void attend_span(const AttentionChunk& a, std::int64_t g, std::int64_t j0, std::int64_t j1, float* partial,
                              std::vector<float>& score_buffer) {
  constexpr int d = 16 * DC;
  constexpr int KB = 16 / G;                         // keys per 16-lane score vector: lane = key·G + head
  constexpr int CB = DC < 16 / G ? DC : 16 / G;      // value vectors per pass: G·CB accumulators
  const std::int64_t n = j1 - j0, blocks = (n + KB - 1) / KB;

  alignas(64) float q[G * d];  // [G][d] the group's queries, pre-scaled by 1/√d
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  for (int r = 0; r < G; ++r)
    for (int e = 0; e < d; ++e) q[r * d + e] = a.Q[(g * G + r) * d + e] * scale;

  // Scores, KB keys × G heads per vector; a last, partial block repeats its
  // last key in the spare lanes and masks them to -inf.
  float* sc = grow(score_buffer, blocks * 16).data();  // [keys][G]
  const E* kbase = group_rows<E>(a.k_cache, g, a.capacity, d);           // [positions, d]
  const float* kscale = group_scales(a.k_scales, g, a.capacity);         // Q8: [positions]
  const __m512 neg_inf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  alignas(64) std::int32_t lane_key_index[16];  // the key of each score lane
  for (int i = 0; i < 16; ++i) lane_key_index[i] = i / G;
  const __m512i lane_key = _mm512_load_si512(lane_key_index);
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::int64_t jb = j0 + b * KB;
    const int valid = static_cast<int>(std::min<std::int64_t>(KB, j1 - jb));
    const E* key[KB];
    for (int k = 0; k < KB; ++k) key[k] = kbase + (jb + std::min(k, valid - 1)) * d;
    __m512 acc[16];
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_setzero_ps();
    for (int k = 0; k < KB; ++k) prefetch_row<E, d>(key[k] + kDecodePrefetchRows * d);
    for (int c = 0; c < DC; ++c) {
      __m512 qv[G];
      for (int r = 0; r < G; ++r) qv[r] = _mm512_load_ps(q + r * d + 16 * c);
      for (int k = 0; k < KB; ++k) {
        const __m512 kv = load16(key[k] + 16 * c);
        for (int r = 0; r < G; ++r) acc[k * G + r] = _mm512_fmadd_ps(kv, qv[r], acc[k * G + r]);
      }
    }
    __m512 s = sum16(acc);
    if constexpr (kScaledRows<E>) {  // spare lanes get scale 0, then -inf below
      const __m512 block_scales = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << valid) - 1), kscale + jb);
      s = _mm512_mul_ps(s, _mm512_permutexvar_ps(lane_key, block_scales));
    }
    if (valid < KB) s = _mm512_mask_blend_ps(static_cast<__mmask16>((1u << (valid * G)) - 1), neg_inf, s);
    _mm512_storeu_ps(sc + b * 16, s);
  }

  // Softmax numerators per head: lane i belongs to head i % G.
  __m512 lane_max = neg_inf;
  for (std::int64_t b = 0; b < blocks; ++b) lane_max = _mm512_max_ps(lane_max, _mm512_loadu_ps(sc + b * 16));
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, lane_max);
  float head_max[G];
  for (int r = 0; r < G; ++r) head_max[r] = -std::numeric_limits<float>::infinity();
  for (int i = 0; i < 16; ++i) head_max[i % G] = std::max(head_max[i % G], lanes[i]);
  for (int i = 0; i < 16; ++i) lanes[i] = head_max[i % G];
  const __m512 max_v = _mm512_load_ps(lanes);
  __m512 lane_sum = _mm512_setzero_ps();
  for (std::int64_t b = 0; b < blocks; ++b) {
    const __m512 s = _mm512_loadu_ps(sc + b * 16);
    const __mmask16 visible = _mm512_cmp_ps_mask(s, neg_inf, _CMP_NEQ_OQ);
    const __m512 p = _mm512_maskz_mov_ps(visible, exp16(_mm512_sub_ps(s, max_v)));
    _mm512_storeu_ps(sc + b * 16, p);
    lane_sum = _mm512_add_ps(lane_sum, p);
  }
  _mm512_store_ps(lanes, lane_sum);
  float head_sum[G] = {};
  for (int i = 0; i < 16; ++i) head_sum[i % G] += lanes[i];

  // Σ p_j·v_j, CB vectors of the head width per pass so that G·CB
  // accumulators stay in registers. The passes take turns on blocks of
  // kDecodeValueBlock keys, so a value row's second half is read while its first
  // is still in cache, and the whole row streams from memory once.
  const E* vbase = group_rows<E>(a.v_cache, g, a.capacity, d);      // [positions, d]
  const float* vscale = group_scales(a.v_scales, g, a.capacity);    // Q8: [positions]
  for (int r = 0; r < G; ++r) std::fill(partial + r * (d + 2), partial + r * (d + 2) + d, 0.0f);
  for (std::int64_t jb = 0; jb < n; jb += kDecodeValueBlock) {
    const std::int64_t je = std::min(n, jb + kDecodeValueBlock);
    for (int c0 = 0; c0 < DC; c0 += CB) {
      __m512 acc[G * CB];
      for (int r = 0; r < G; ++r)
        for (int c = 0; c < CB; ++c) acc[r * CB + c] = _mm512_loadu_ps(partial + r * (d + 2) + 16 * (c0 + c));
      for (std::int64_t j = jb; j < je; ++j) {
        const E* v = vbase + (j0 + j) * d + 16 * c0;
        if (c0 == 0) prefetch_row<E, d>(v + kDecodePrefetchRows * d);
        __m512 vv[CB];
        for (int c = 0; c < CB; ++c) vv[c] = load16(v + 16 * c);
        float row_scale = 1.0f;
        if constexpr (kScaledRows<E>) row_scale = vscale[j0 + j];
        for (int r = 0; r < G; ++r) {
          const __m512 p = _mm512_set1_ps(kScaledRows<E> ? sc[j * G + r] * row_scale : sc[j * G + r]);
          for (int c = 0; c < CB; ++c) acc[r * CB + c] = _mm512_fmadd_ps(p, vv[c], acc[r * CB + c]);
        }
      }
      for (int r = 0; r < G; ++r)
        for (int c = 0; c < CB; ++c) _mm512_storeu_ps(partial + r * (d + 2) + 16 * (c0 + c), acc[r * CB + c]);
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
    case 1: return attend_span<E, DC, 1>;
    case 2: return attend_span<E, DC, 2>;
    case 4: return attend_span<E, DC, 4>;
    case 8: return attend_span<E, DC, 8>;
    default: return nullptr;
  }
}

// The span kernel this CPU runs for the chunk's shape; nullptr: none.
DecodeSpanFn span_fn(const AttentionChunk& a, bool force_avx2) {
  if (a.S != 1 || a.nkv <= 0 || a.nq % a.nkv != 0) return nullptr;
  const std::int64_t G = a.nq / a.nkv;
  if (!force_avx2 && cpu_runs_avx512f()) return decode_span_avx512(a.kv_type, a.d, G);
  if (cpu_runs_avx2_fma() && (a.kv_type != KvCacheType::F16 || cpu_runs_f16c())) return decode_span_avx2(a.kv_type, a.d, G);
  return nullptr;
}

}  // namespace

DecodeSpanFn decode_span_avx512(KvCacheType type, std::int64_t d, std::int64_t G) {
  return for_element_type<DecodeSpanFn>(type, [&]<typename E>() -> DecodeSpanFn {
    switch (d) {
      case 16: return span_for_group<E, 1>(G);
      case 32: return span_for_group<E, 2>(G);
      case 64: return span_for_group<E, 4>(G);
      case 128: return span_for_group<E, 8>(G);
      default: return nullptr;
    }
  });
}

bool decode_applies(const AttentionChunk& a, bool force_avx2) { return span_fn(a, force_avx2) != nullptr; }

void attend_decode(const AttentionChunk& a, ThreadPool& pool, bool force_avx2) {
  const std::int64_t G = a.nq / a.nkv, d = a.d, pos = a.p0;
  const std::int64_t first = a.window > 0 ? std::max<std::int64_t>(0, pos - a.window + 1) : 0;
  const std::int64_t n = pos + 1 - first;
  // Enough spans to give every thread work, none shorter than kMinKeysPerSpan.
  const std::int64_t wanted = (pool.size() + a.nkv - 1) / a.nkv;
  const std::int64_t spans = std::max<std::int64_t>(1, std::min(wanted, n / kMinKeysPerSpan));
  const std::int64_t tasks = a.nkv * spans, stride = G * (d + 2);
  thread_local std::vector<float> partial_buffer;
  float* partial = grow(partial_buffer, tasks * stride).data();  // [nkv][spans][G][d + 2]
  const DecodeSpanFn fn = span_fn(a, force_avx2);
  pool.parallel_for(tasks, [&](std::int64_t i0, std::int64_t i1) {
    thread_local std::vector<float> scores;
    for (std::int64_t i = i0; i < i1; ++i) {
      const std::int64_t g = i / spans, s = i % spans;
      fn(a, g, first + n * s / spans, first + n * (s + 1) / spans, partial + i * stride, scores);
    }
  });

  // Merge the spans: rescale each by e^(m_s − m) to the overall max m.
  for (std::int64_t g = 0; g < a.nkv; ++g)
    for (std::int64_t r = 0; r < G; ++r) {
      const float* part = partial + g * spans * stride + r * (d + 2);
      float m = -std::numeric_limits<float>::infinity();
      for (std::int64_t s = 0; s < spans; ++s) m = std::max(m, part[s * stride + d]);
      float total = 0.0f;
      float* out = a.ctx + (g * G + r) * d;
      std::fill(out, out + d, 0.0f);
      for (std::int64_t s = 0; s < spans; ++s) {
        const float w = std::exp(part[s * stride + d] - m);
        total += w * part[s * stride + d + 1];
        for (std::int64_t e = 0; e < d; ++e) out[e] += w * part[s * stride + e];
      }
      const float inv = 1.0f / total;
      for (std::int64_t e = 0; e < d; ++e) out[e] *= inv;
    }
}

}  // namespace zaya::cpu
