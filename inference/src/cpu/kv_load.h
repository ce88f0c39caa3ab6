// Reading K/V cache rows into float vectors, one overload per element type,
// so that each attention kernel is written once, as a template on the
// element type E: float (F32), std::uint16_t (F16: IEEE half bits, widened by
// F16C) or std::int8_t (Q8). Q8 rows load as their integers; the row's scale
// is applied by the kernel where it costs least (on a key's score, on a
// value's softmax weight) instead of on every element.
#pragma once

#include <cstdint>
#include <type_traits>

#include "util/avx512.h"
#include "zaya/model.h"

// The AVX2 kernels: AVX2 + FMA, and F16C for half rows (every AVX2 CPU has it;
// the dispatch checks anyway).
#define ZAYA_AVX2_F16C __attribute__((target("avx2,fma,f16c")))

namespace zaya::cpu {

// Whether rows of E carry a per-row scale (Q8).
template <typename E>
inline constexpr bool kScaledRows = std::is_same_v<E, std::int8_t>;

// 16 elements → 16 floats.
ZAYA_AVX512F inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
ZAYA_AVX512F inline __m512 load16(const std::uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
ZAYA_AVX512F inline __m512 load16(const std::int8_t* p) {
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}

// 8 elements → 8 floats.
ZAYA_AVX2_F16C inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
ZAYA_AVX2_F16C inline __m256 load8(const std::uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
ZAYA_AVX2_F16C inline __m256 load8(const std::int8_t* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

// One prefetch per 64-byte line of a row of d elements.
template <typename E, int d>
inline void prefetch_row(const E* row) {
  constexpr int kBytes = d * static_cast<int>(sizeof(E));
  for (int offset = 0; offset < kBytes; offset += 64) _mm_prefetch(reinterpret_cast<const char*>(row) + offset, _MM_HINT_T0);
}

// KV group g's rows, [capacity, d] elements of E, and (Q8) its scales [capacity].
template <typename E>
inline const E* group_rows(const void* cache, std::int64_t g, std::int64_t capacity, std::int64_t d) {
  return static_cast<const E*>(cache) + g * capacity * d;
}
inline const float* group_scales(const float* scales, std::int64_t g, std::int64_t capacity) {
  return scales ? scales + g * capacity : nullptr;
}

// f.template operator()<E>() for the element type of `type` (F32, F16, Q8);
// what f returns for another type is R{}.
template <typename R, typename F>
R for_element_type(KvCacheType type, F&& f) {
  switch (type) {
    case KvCacheType::F32: return f.template operator()<float>();
    case KvCacheType::F16: return f.template operator()<std::uint16_t>();
    case KvCacheType::Q8: return f.template operator()<std::int8_t>();
    default: return R{};
  }
}

}  // namespace zaya::cpu
