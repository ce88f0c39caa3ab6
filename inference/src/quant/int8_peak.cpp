// The int8 multiply-add rate this core can issue at each level: twelve
// independent accumulator chains of the level's dot instruction, no loads,
// so nothing but the vector pipes limits it. The compute roofline that
// zaya-qgemm-bench's kernels are measured against.
#include "quant/int8_peak.h"

#include <immintrin.h>

#include <chrono>

#include "util/avx512.h"

namespace zaya::quant {
namespace {

constexpr int kChains = 12;
constexpr long kRounds = 20'000'000;

// Twelve accumulators as twelve named registers (an array of them was kept
// on the stack by the compiler, which measured the store forwarding).
#define ZAYA_CHAINS(OP) \
  OP(a0, 0) OP(a1, 1) OP(a2, 2) OP(a3, 3) OP(a4, 4) OP(a5, 5) OP(a6, 6) OP(a7, 7) OP(a8, 8) OP(a9, 9) OP(a10, 10) OP(a11, 11)

// Ten for the VEX form, which has only sixteen registers to hold them (the
// compiler spilled twelve).
#define ZAYA_CHAINS10(OP) OP(a0, 0) OP(a1, 1) OP(a2, 2) OP(a3, 3) OP(a4, 4) OP(a5, 5) OP(a6, 6) OP(a7, 7) OP(a8, 8) OP(a9, 9)

// Each returns multiply-adds done; `seed` keeps the compiler from folding.
ZAYA_AVX512VNNI double run_avx512(int seed) {
#define ZAYA_INIT(v, i) __m512i v = _mm512_set1_epi32(seed + i);
#define ZAYA_STEP(v, i) v = _mm512_dpbusd_epi32(v, w, a);
#define ZAYA_SUM(v, i) sum = _mm512_add_epi32(sum, v);
  ZAYA_CHAINS(ZAYA_INIT)
  const __m512i w = _mm512_set1_epi32(0x01020304 + seed), a = _mm512_set1_epi32(0x05060708);
  for (long r = 0; r < kRounds; ++r) {
    ZAYA_CHAINS(ZAYA_STEP)
  }
  __m512i sum = _mm512_setzero_si512();
  ZAYA_CHAINS(ZAYA_SUM)
  volatile int sink = _mm512_reduce_add_epi32(sum);
  (void)sink;
  return 64.0 * kChains * static_cast<double>(kRounds);
#undef ZAYA_INIT
#undef ZAYA_STEP
#undef ZAYA_SUM
}

__attribute__((target("avx2,fma,f16c,avxvnni"))) double run_avx2_vnni(int seed) {
#define ZAYA_INIT(v, i) __m256i v = _mm256_set1_epi32(seed + i);
#define ZAYA_STEP(v, i) v = _mm256_dpbusd_avx_epi32(v, w, a);
#define ZAYA_SUM(v, i) sum = _mm256_add_epi32(sum, v);
  ZAYA_CHAINS10(ZAYA_INIT)
  const __m256i w = _mm256_set1_epi32(0x01020304 + seed), a = _mm256_set1_epi32(0x05060708);
  for (long r = 0; r < kRounds; ++r) {
    ZAYA_CHAINS10(ZAYA_STEP)
  }
  __m256i sum = _mm256_setzero_si256();
  ZAYA_CHAINS10(ZAYA_SUM)
  volatile int sink = _mm256_extract_epi32(sum, 0);
  (void)sink;
  return 32.0 * 10 * static_cast<double>(kRounds);
#undef ZAYA_INIT
#undef ZAYA_STEP
#undef ZAYA_SUM
}

// AVX2 without VNNI sums pairs with pmaddubsw into int16 and adds them:
// the pair the kernel's inner loop issues. The activation register changes
// every round, so the products cannot be hoisted out of the loop.
__attribute__((target("avx2,fma,f16c"))) double run_avx2(int seed) {
#define ZAYA_INIT(v, i) __m256i v = _mm256_set1_epi16(static_cast<short>(seed + i));
#define ZAYA_STEP(v, i) v = _mm256_add_epi16(v, _mm256_maddubs_epi16(w, a));
#define ZAYA_SUM(v, i) sum = _mm256_add_epi16(sum, v);
  ZAYA_CHAINS(ZAYA_INIT)
  const __m256i w = _mm256_set1_epi32(0x01020304 + seed), step = _mm256_set1_epi8(1);
  __m256i a = _mm256_set1_epi32(0x05060708);
  for (long r = 0; r < kRounds; ++r) {
    ZAYA_CHAINS(ZAYA_STEP)
    a = _mm256_add_epi8(a, step);
  }
  __m256i sum = _mm256_setzero_si256();
  ZAYA_CHAINS(ZAYA_SUM)
  volatile int sink = _mm256_extract_epi16(sum, 0);
  (void)sink;
  return 32.0 * kChains * static_cast<double>(kRounds);
#undef ZAYA_INIT
#undef ZAYA_STEP
#undef ZAYA_SUM
}
#undef ZAYA_CHAINS
#undef ZAYA_CHAINS10

}  // namespace

double measure_int8_peak_gmacs(CpuLevel level) {
  if (level == CpuLevel::Scalar || !cpu_supports(level)) return 0.0;
  const auto t0 = std::chrono::steady_clock::now();
  double macs = 0;
  switch (level) {
    case CpuLevel::Avx512Vnni: macs = run_avx512(static_cast<int>(t0.time_since_epoch().count() & 1)); break;
    case CpuLevel::Avx2Vnni: macs = run_avx2_vnni(static_cast<int>(t0.time_since_epoch().count() & 1)); break;
    default: macs = run_avx2(static_cast<int>(t0.time_since_epoch().count() & 1)); break;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return macs / s / 1e9;
}

}  // namespace zaya::quant
