// The CPU's K/V cache element types (cpu/kv_cache.h): the scalar half
// conversions against the F16C instructions the kernels use, the rounding of
// fp16 and 8-bit rows, growth, what a load chooses (LoadOptions::kv_cache)
// and what the memory estimate counts.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "cpu/cpu_backend.h"
#include "cpu/kv_cache.h"
#include "cpu/state.h"
#include "golden_util.h"
#include "kernels/convert.h"
#include "model/load_safetensors.h"
#include "quant/quant_format.h"
#include "util/avx512.h"
#include "util/cpu_features.h"
#include "zaya/model.h"

namespace zaya::cpu {
namespace {

__attribute__((target("avx,f16c"))) float f16c_to_f32(std::uint16_t h) {
  return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
}
__attribute__((target("avx,f16c"))) std::uint16_t f16c_from_f32(float f) {
  return static_cast<std::uint16_t>(_mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(f), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), 0));
}

// Floats that exercise the rounding: random bits over every exponent a half
// can reach and beyond, exact ties between two halves, and the edges
// (largest half, the overflow threshold 65520, the smallest subnormal).
std::vector<float> rounding_sweep() {
  std::vector<float> v = {0.0f, -0.0f, 65504.0f, 65519.99f, 65520.0f, 65536.0f, 1e9f, 5.9604645e-8f, 2.9802322e-8f,
                          2.9802326e-8f, 6.1035156e-5f, 6.1035152e-5f, std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::denorm_min()};
  std::mt19937 rng(3);
  std::uniform_int_distribution<std::uint32_t> mantissa(0, (1u << 23) - 1), exponent(127 - 30, 127 + 17), sign(0, 1);
  for (int i = 0; i < 200000; ++i) {
    std::uint32_t bits = sign(rng) << 31 | exponent(rng) << 23 | mantissa(rng);
    if (i % 4 == 0) bits = (bits & ~0x1fffu) | 0x1000u;  // halfway between two normal halves
    v.push_back(std::bit_cast<float>(bits));
  }
  return v;
}

TEST(KvCacheHalf, ScalarConversionsMatchF16c) {
  if (!cpu_runs_f16c()) GTEST_SKIP() << "skipped: this CPU has no F16C";
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const float want = f16c_to_f32(static_cast<std::uint16_t>(h)), got = f16_to_f32(static_cast<std::uint16_t>(h));
    if (std::isnan(want)) ASSERT_TRUE(std::isnan(got)) << h;
    else ASSERT_EQ(std::bit_cast<std::uint32_t>(got), std::bit_cast<std::uint32_t>(want)) << "half " << h;
  }
  const std::vector<float> sweep = rounding_sweep();
  for (float f : sweep) ASSERT_EQ(quant::f32_to_f16(f), f16c_from_f32(f)) << "float " << f << " bits " << std::bit_cast<std::uint32_t>(f);
  // The row conversion the cache stores with (vector body and scalar tail).
  std::vector<std::uint16_t> row(sweep.size());
  f32_to_f16_row(sweep.data(), row.data(), static_cast<std::int64_t>(sweep.size()) - 3);
  for (std::size_t i = 0; i + 3 < sweep.size(); ++i) ASSERT_EQ(row[i], f16c_from_f32(sweep[i])) << i;
}

std::vector<float> random_row(std::int64_t d, float sigma, std::mt19937& rng) {
  std::normal_distribution<float> nd(0.0f, sigma);
  std::vector<float> row(static_cast<std::size_t>(d));
  for (float& x : row) x = nd(rng);
  return row;
}

TEST(KvCacheRows, HalfRowsRoundToNearest) {
  std::mt19937 rng(5);
  KvCache cache(KvCacheType::F16, 2, 128);
  cache.grow(4, 0);
  for (std::int64_t pos = 0; pos < 4; ++pos) {
    const std::vector<float> row = random_row(128, 4.0f, rng);
    cache.store(1, pos, row.data());
    std::vector<float> back(row.size());
    cache.load(1, pos, back.data());
    for (std::size_t e = 0; e < row.size(); ++e) {
      // Half an ulp of 11 significant bits (above the subnormal range).
      const float bound = std::max(std::ldexp(std::fabs(row[e]), -11), std::ldexp(1.0f, -25));
      ASSERT_LE(std::fabs(back[e] - row[e]), bound) << pos << ", " << e;
    }
  }
}

TEST(KvCacheRows, EightBitRowsCarryTheirScale) {
  std::mt19937 rng(6);
  const std::int64_t d = 64;
  KvCache cache(KvCacheType::Q8, 2, d);
  cache.grow(3, 0);
  const std::vector<float> row = random_row(d, 2.0f, rng), zeros(static_cast<std::size_t>(d), 0.0f);
  cache.store(0, 1, row.data());
  cache.store(1, 2, zeros.data());
  float amax = 0;
  for (float x : row) amax = std::max(amax, std::fabs(x));
  const KvRows rows = cache.rows();
  const float scale = rows.scales[0 * 3 + 1];
  EXPECT_FLOAT_EQ(scale, amax / 127.0f);
  const auto* q = static_cast<const std::int8_t*>(rows.data) + (0 * 3 + 1) * d;
  std::vector<float> back(static_cast<std::size_t>(d));
  cache.load(0, 1, back.data());
  int extremes = 0;
  for (std::int64_t e = 0; e < d; ++e) {
    ASSERT_LE(std::abs(int{q[e]}), 127);
    extremes += std::abs(int{q[e]}) == 127;
    ASSERT_LE(std::fabs(back[e] - row[e]), 0.5001f * scale) << e;  // rounded to the nearest step
    ASSERT_EQ(back[e], static_cast<float>(q[e]) * scale);
  }
  EXPECT_GE(extremes, 1);  // the largest |x| maps to ±127
  EXPECT_EQ(rows.scales[1 * 3 + 2], 0.0f);
  cache.load(1, 2, back.data());
  for (float x : back) EXPECT_EQ(x, 0.0f);
}

TEST(KvCacheRows, GrowingKeepsEachGroupsRows) {
  std::mt19937 rng(8);
  for (KvCacheType type : {KvCacheType::F32, KvCacheType::F16, KvCacheType::Q8}) {
    SCOPED_TRACE(kv_cache_type_name(type));
    const std::int64_t nkv = 3, d = 32;
    KvCache cache(type, nkv, d);
    cache.grow(5, 0);
    std::vector<std::vector<float>> stored;  // [nkv·4] rows as first read back
    for (std::int64_t g = 0; g < nkv; ++g)
      for (std::int64_t pos = 0; pos < 4; ++pos) {
        const std::vector<float> row = random_row(d, 1.0f, rng);
        cache.store(g, pos, row.data());
        stored.emplace_back(static_cast<std::size_t>(d));
        cache.load(g, pos, stored.back().data());
      }
    cache.grow(9, 4);
    EXPECT_EQ(cache.capacity(), 9);
    std::vector<float> back(static_cast<std::size_t>(d));
    for (std::int64_t g = 0; g < nkv; ++g)
      for (std::int64_t pos = 0; pos < 4; ++pos) {
        cache.load(g, pos, back.data());
        EXPECT_EQ(back, stored[static_cast<std::size_t>(g * 4 + pos)]) << g << ", " << pos;
      }
  }
}

TEST(KvCacheChoice, NamesRowBytesAndTheMemoryEstimate) {
  for (KvCacheType t : {KvCacheType::Auto, KvCacheType::F32, KvCacheType::F16, KvCacheType::Q8})
    EXPECT_EQ(parse_kv_cache_type(kv_cache_type_name(t)), t);
  EXPECT_THROW(parse_kv_cache_type("bf16"), std::invalid_argument);
  EXPECT_EQ(kv_cache_row_bytes(KvCacheType::F32, 128), 512u);
  EXPECT_EQ(kv_cache_row_bytes(KvCacheType::Auto, 128), 512u);
  EXPECT_EQ(kv_cache_row_bytes(KvCacheType::F16, 128), 256u);
  EXPECT_EQ(kv_cache_row_bytes(KvCacheType::Q8, 128), 132u);
  ModelConfig c = load_config(test::golden_dir());
  c.num_layers = 40;
  c.num_kv_heads = 2;
  c.head_dim = 128;
  // Spec §5: K+V is 80 KiB per token in fp32 for the 8B shape, 40 KiB in fp16.
  EXPECT_EQ(estimate_memory(c, 0, 1).kv_bytes_per_token, 80u * 1024);
  EXPECT_EQ(estimate_memory(c, 0, 1, 512, KvCacheType::F16).kv_bytes_per_token, 40u * 1024);
  EXPECT_EQ(estimate_memory(c, 0, 1, 512, KvCacheType::Q8).kv_bytes_per_token, 40u * 2 * 2 * 132);
  EXPECT_LT(estimate_memory(c, 0, 8192, 512, KvCacheType::F16).context_bytes, estimate_memory(c, 0, 8192).context_bytes);
}

TEST(KvCacheChoice, ALoadChoosesItsCache) {
  LoadOptions o;
  o.device = DeviceKind::Cpu;
  o.threads = 1;
  // A float checkpoint: fp32 unless asked (the goldens run bit for bit as before).
  EXPECT_EQ(Model::load(test::golden_dir(), o)->kv_cache_type(), KvCacheType::F32);
  for (KvCacheType t : {KvCacheType::F32, KvCacheType::F16, KvCacheType::Q8}) {
    o.kv_cache = t;
    EXPECT_EQ(Model::load(test::golden_dir(), o)->kv_cache_type(), t);
  }
  // The engine-internal backend resolves Auto the same way.
  auto w = std::make_shared<ModelWeights>(load_safetensors_model(test::golden_dir(), {}, nullptr, false));
  EXPECT_EQ(CpuBackend(w, 1, {}, true, KvCacheType::Auto).kv_cache_type(), KvCacheType::F32);
  CpuBackend half(w, 1, {}, true, KvCacheType::F16);
  const auto state = half.new_sequence();
  EXPECT_EQ(dynamic_cast<const CpuSequenceState&>(*state).layers[0].k_cache.type(), KvCacheType::F16);
}

}  // namespace
}  // namespace zaya::cpu
