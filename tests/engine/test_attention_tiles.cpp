// The tiled prefill attention (cpu/attention_tiles.h), the one-token decode
// attention (cpu/attention_decode.h, its AVX-512 and AVX2 kernels) and the
// per-row fallback against a plain double-precision softmax attention on
// random queries, keys and values: every head width they take, GQA group
// sizes that do and do not divide the 16-row tile, chunks that start
// mid-sequence, sliding windows, and decode contexts split across threads;
// each with fp32, fp16 and 8-bit caches (cpu/kv_cache.h). The reference reads
// the values the cache holds (fp16- or int8-rounded), so the tolerance stays
// the fp32 one and a kernel that converts a row wrongly fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "cpu/attention_decode.h"
#include "cpu/attention_tiles.h"
#include "cpu/kv_cache.h"
#include "util/thread_pool.h"

namespace zaya::cpu {
namespace {

struct Case {
  std::int64_t S, p0, nq, nkv, d, window;
};

constexpr KvCacheType kCacheTypes[] = {KvCacheType::F32, KvCacheType::F16, KvCacheType::Q8};

// Group-major K/V caches as the CPU state keeps them, [nkv, capacity, d],
// with three spare positions per group past the last one, set to NaN: a
// read past a group's positions spoils the result. K_values / V_values:
// what the caches hold, widened to fp32 ([nkv, capacity, d]).
struct Caches {
  KvCache K, V;
  std::vector<float> K_values, V_values;
  std::int64_t capacity = 0;
};

Caches random_caches(KvCacheType type, std::int64_t positions, std::int64_t nkv, std::int64_t d, std::mt19937& rng) {
  std::normal_distribution<float> nd(0.0f, 1.0f);
  Caches c{KvCache(type, nkv, d), KvCache(type, nkv, d), {}, {}, positions + 3};
  c.K.grow(c.capacity, 0);
  c.V.grow(c.capacity, 0);
  std::vector<float> k(static_cast<std::size_t>(d)), v(k.size());
  for (std::int64_t g = 0; g < nkv; ++g)
    for (std::int64_t pos = 0; pos < c.capacity; ++pos) {
      for (std::int64_t e = 0; e < d; ++e) {
        // Keys scaled up so the softmax is peaked, as with CCA's key temperatures.
        k[e] = pos < positions ? 3.0f * nd(rng) : NAN;
        v[e] = pos < positions ? nd(rng) : NAN;
      }
      c.K.store(g, pos, k.data());
      c.V.store(g, pos, v.data());
    }
  c.K_values.resize(static_cast<std::size_t>(nkv * c.capacity * d));
  c.V_values.resize(c.K_values.size());
  for (std::int64_t g = 0; g < nkv; ++g)
    for (std::int64_t pos = 0; pos < c.capacity; ++pos) {
      c.K.load(g, pos, c.K_values.data() + (g * c.capacity + pos) * d);
      c.V.load(g, pos, c.V_values.data() + (g * c.capacity + pos) * d);
    }
  return c;
}

AttentionChunk chunk_over(const Caches& kv, std::int64_t S, std::int64_t p0, std::int64_t nq, std::int64_t nkv, std::int64_t d,
                          std::int64_t window, const float* Q, float* ctx) {
  AttentionChunk a{S, p0, nq, nkv, d, window, Q, ctx};
  a.kv_type = kv.K.type();
  a.k_cache = kv.K.rows().data, a.k_scales = kv.K.rows().scales;
  a.v_cache = kv.V.rows().data, a.v_scales = kv.V.rows().scales;
  a.capacity = kv.capacity;
  return a;
}

std::vector<double> reference(const AttentionChunk& a, const Caches& kv) {
  const std::int64_t G = a.nq / a.nkv, QW = a.nq * a.d, stride = kv.capacity * a.d;
  std::vector<double> out(static_cast<std::size_t>(a.S * QW));
  for (std::int64_t t = 0; t < a.S; ++t)
    for (std::int64_t h = 0; h < a.nq; ++h) {
      const std::int64_t g = h / G, pos = a.p0 + t;
      const std::int64_t first = a.window > 0 ? std::max<std::int64_t>(0, pos - a.window + 1) : 0;
      std::vector<double> s;
      double mx = -1e300;
      for (std::int64_t j = first; j <= pos; ++j) {
        double dot = 0;
        for (std::int64_t e = 0; e < a.d; ++e) dot += double(a.Q[t * QW + h * a.d + e]) * kv.K_values[g * stride + j * a.d + e];
        s.push_back(dot / std::sqrt(double(a.d)));
        mx = std::max(mx, s.back());
      }
      double sum = 0;
      for (double& v : s) sum += (v = std::exp(v - mx));
      for (std::int64_t e = 0; e < a.d; ++e) {
        double o = 0;
        for (std::size_t i = 0; i < s.size(); ++i) o += s[i] * kv.V_values[g * stride + (first + std::int64_t(i)) * a.d + e];
        out[static_cast<std::size_t>(t * QW + h * a.d + e)] = o / sum;
      }
    }
  return out;
}

// Chunks of the prefill kernels' tests: the tiles and the per-row path.
constexpr Case kChunkCases[] = {
    {64, 0, 8, 2, 128, 0},   // the real shape: G = 4
    {37, 11, 8, 2, 128, 0},  // a chunk after 11 cached positions, rows not a multiple of 16
    {40, 0, 4, 2, 16, 0},    // zaya-tiny's heads: G = 2
    {23, 5, 6, 2, 64, 0},    // G = 3: tiles cut across tokens
    {50, 20, 4, 4, 32, 9},   // G = 1, a sliding window shorter than the chunk
    {48, 0, 8, 2, 128, 17},  // window with the real shape
    {1, 300, 8, 2, 128, 0},  // decode: one token, 4 of 16 lanes used
    {1, 300, 8, 2, 128, 40}, // decode in a sliding window
    {3, 70, 4, 2, 16, 0},    // a short chunk of tiny heads
    {30, 4, 8, 2, 16, 0},    // small-vocab262k's heads: G = 4, d = 16
};

// Runs `kernel` on every chunk case with every cache type against the reference.
template <typename Kernel>
void check_chunk_cases(Kernel&& kernel) {
  ThreadPool pool(2);
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (KvCacheType type : kCacheTypes)
    for (const Case& c : kChunkCases) {
      const std::string what = std::string(kv_cache_type_name(type)) + " S=" + std::to_string(c.S) + " p0=" + std::to_string(c.p0) +
                               " nq=" + std::to_string(c.nq) + " nkv=" + std::to_string(c.nkv) + " d=" + std::to_string(c.d) +
                               " window=" + std::to_string(c.window);
      const Caches kv = random_caches(type, c.p0 + c.S, c.nkv, c.d, rng);
      std::vector<float> Q(static_cast<std::size_t>(c.S * c.nq * c.d)), ctx(Q.size(), NAN);
      for (float& v : Q) v = nd(rng);
      const AttentionChunk a = chunk_over(kv, c.S, c.p0, c.nq, c.nkv, c.d, c.window, Q.data(), ctx.data());
      kernel(a, pool);
      const std::vector<double> want = reference(a, kv);
      for (std::size_t i = 0; i < want.size(); ++i)
        ASSERT_NEAR(ctx[i], want[i], 2e-5 * (1.0 + std::fabs(want[i]))) << what << " element " << i;
    }
}

TEST(AttentionTiles, MatchReferenceSoftmaxAttention) {
  if (!tiles_apply(AttentionChunk{64, 0, 8, 2, 128}))
    GTEST_SKIP() << "skipped: this CPU has no AVX-512 (the per-row path runs instead)";
  check_chunk_cases([](const AttentionChunk& a, ThreadPool& pool) {
    ASSERT_TRUE(tiles_apply(a));
    attend_in_tiles(a, pool);
  });
}

// What runs for prefill where AVX-512 is absent (ZAYA_CPU_LEVEL=avx2 too).
TEST(AttentionPerRow, MatchesReferenceSoftmaxAttention) { check_chunk_cases(attend_per_row); }

TEST(AttentionDecode, MatchesReferenceSoftmaxAttention) {
  struct DecodeCase {
    std::int64_t p0, nq, nkv, d, window;
    int threads;
  };
  const DecodeCase cases[] = {
      {0, 8, 2, 128, 0, 2},      // the first token: one key
      {13, 8, 2, 128, 0, 2},     // a partial block of keys
      {2047, 8, 2, 128, 0, 2},   // the real shape at 2048 positions, one span per group
      {2047, 8, 2, 128, 0, 8},   // ... split into four spans per group on eight threads
      {4099, 8, 2, 128, 0, 16},  // eight uneven spans per group
      {3000, 8, 2, 128, 1000, 8},  // a sliding window far from the start, split
      {700, 4, 2, 16, 0, 4},     // zaya-tiny's heads: G = 2, d = 16
      {900, 8, 2, 16, 0, 2},     // small-vocab262k's heads: G = 4, d = 16
      {1500, 4, 4, 32, 0, 4},    // G = 1
      {1100, 16, 2, 64, 0, 3},   // G = 8
      {33, 8, 2, 128, 9, 2},     // a window shorter than a block
  };
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (KvCacheType type : kCacheTypes) {
    for (const DecodeCase& c : cases) {
      const std::string what = std::string(kv_cache_type_name(type)) + " p0=" + std::to_string(c.p0) + " nq=" + std::to_string(c.nq) +
                               " nkv=" + std::to_string(c.nkv) + " d=" + std::to_string(c.d) + " window=" + std::to_string(c.window) +
                               " threads=" + std::to_string(c.threads);
      const Caches kv = random_caches(type, c.p0 + 1, c.nkv, c.d, rng);
      std::vector<float> Q(static_cast<std::size_t>(c.nq * c.d)), ctx(Q.size(), NAN);
      for (float& v : Q) v = nd(rng);
      const AttentionChunk a = chunk_over(kv, 1, c.p0, c.nq, c.nkv, c.d, c.window, Q.data(), ctx.data());
      if (!decode_applies(a)) GTEST_SKIP() << "skipped: this CPU has neither AVX-512 nor AVX2 (the per-row path runs instead)";
      ThreadPool pool(c.threads);
      const std::vector<double> want = reference(a, kv);
      // The kernel this CPU picks, then the AVX2 one (the same where AVX-512 is absent).
      for (bool force_avx2 : {false, true}) {
        std::fill(ctx.begin(), ctx.end(), NAN);
        attend_decode(a, pool, force_avx2);
        for (std::size_t i = 0; i < want.size(); ++i)
          ASSERT_NEAR(ctx[i], want[i], 2e-5 * (1.0 + std::fabs(want[i])))
              << what << (force_avx2 ? " AVX2" : " best kernel") << " element " << i;
      }
    }
  }
}

TEST(AttentionDecode, TakesOnlyOneTokenAndKnownGroupSizes) {
  for (KvCacheType type : kCacheTypes)
    for (bool force_avx2 : {false, true}) {
      AttentionChunk two_tokens{2, 0, 8, 2, 128}, g3{1, 0, 6, 2, 64}, d96{1, 0, 8, 2, 96};
      for (AttentionChunk* a : {&two_tokens, &g3, &d96}) a->kv_type = type;
      EXPECT_FALSE(decode_applies(two_tokens, force_avx2));  // two tokens: the tiles
      EXPECT_FALSE(decode_applies(g3, force_avx2));          // G = 3
      EXPECT_FALSE(decode_applies(d96, force_avx2));         // d = 96
      AttentionChunk unresolved{1, 0, 8, 2, 128};
      unresolved.kv_type = KvCacheType::Auto;  // no kernel for an element type nobody chose
      EXPECT_FALSE(decode_applies(unresolved, force_avx2));
    }
}

TEST(AttentionTiles, OtherHeadWidthsKeepThePerRowPath) {
  // Head widths the tiles do not take.
  EXPECT_FALSE(tiles_apply(AttentionChunk{64, 0, 8, 2, 96}));
  EXPECT_FALSE(tiles_apply(AttentionChunk{64, 0, 8, 2, 256}));
}

}  // namespace
}  // namespace zaya::cpu
