#include "cpu/kv_cache.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "kernels/convert.h"
#include "model/weights.h"
#include "quant/interleave.h"
#include "quant/quant_format.h"
#include "util/avx512.h"
#include "util/cpu_features.h"

namespace zaya::cpu {

namespace {

// Eight floats per instruction, rounded to nearest even like the scalar tail.
__attribute__((target("avx,f16c"))) void f32_to_f16_row_f16c(const float* in, std::uint16_t* out, std::int64_t n) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  for (; i < n; ++i) out[i] = quant::f32_to_f16(in[i]);
}

bool is_quantized_matrix(const WeightMatrix& m) { return quant::is_quantized(m.dtype) || quant::is_interleaved(m.dtype); }

}  // namespace

KvCacheType resolve_kv_cache_type(KvCacheType requested, const ModelWeights& weights) {
  if (requested != KvCacheType::Auto) return requested;
  bool quantized = is_quantized_matrix(weights.embed);
  for (const LayerWeights& L : weights.layers) quantized = quantized || is_quantized_matrix(L.q_proj) || is_quantized_matrix(L.o_proj);
  return quantized ? KvCacheType::F16 : KvCacheType::F32;
}

void f32_to_f16_row(const float* in, std::uint16_t* out, std::int64_t n) {
  if (cpu_runs_f16c()) {
    f32_to_f16_row_f16c(in, out, n);
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) out[i] = quant::f32_to_f16(in[i]);
}

float quantize_q8_row(const float* in, std::int8_t* out, std::int64_t d) {
  float amax = 0.0f;
  bool finite = true;
  for (std::int64_t i = 0; i < d; ++i) {
    finite = finite && std::isfinite(in[i]);
    amax = std::max(amax, std::fabs(in[i]));
  }
  if (!finite || amax == 0.0f) {
    // A NaN or inf row stays non-finite (0 · NaN), as it would in an fp32
    // cache; an all-zero row is zeros.
    std::fill(out, out + d, std::int8_t{0});
    return finite ? 0.0f : std::numeric_limits<float>::quiet_NaN();
  }
  const float inv = 127.0f / amax;
  for (std::int64_t i = 0; i < d; ++i) {
    const float q = std::nearbyint(in[i] * inv);  // the default rounding mode: nearest, ties to even
    out[i] = static_cast<std::int8_t>(std::clamp(q, -127.0f, 127.0f));
  }
  return amax / 127.0f;
}

KvCache::KvCache(KvCacheType type, std::int64_t nkv, std::int64_t d) : type_(type), nkv_(nkv), d_(d) {
  if (type != KvCacheType::F32 && type != KvCacheType::F16 && type != KvCacheType::Q8)
    throw std::logic_error("KvCache: the element type must be resolved (F32, F16 or Q8)");
}

KvRows KvCache::rows() const {
  switch (type_) {
    case KvCacheType::F16: return {f16_.data(), nullptr};
    case KvCacheType::Q8: return {q8_.data(), scales_.data()};
    default: return {f32_.data(), nullptr};
  }
}

namespace {

// Each group's first `kept` rows of `old` ([nkv, old_cap, width]) in a new
// block [nkv, cap, width]; the rest is value-initialised.
template <typename T>
std::vector<T> regrouped(const std::vector<T>& old, std::int64_t nkv, std::int64_t old_cap, std::int64_t cap, std::int64_t width,
                         std::int64_t kept) {
  std::vector<T> grown(static_cast<std::size_t>(nkv * cap * width));
  for (std::int64_t g = 0; g < nkv && old_cap > 0; ++g)
    std::copy_n(old.data() + g * old_cap * width, std::min(kept, old_cap) * width, grown.data() + g * cap * width);
  return grown;
}

}  // namespace

void KvCache::grow(std::int64_t capacity, std::int64_t kept) {
  if (capacity <= capacity_) return;
  switch (type_) {
    case KvCacheType::F16: f16_ = regrouped(f16_, nkv_, capacity_, capacity, d_, kept); break;
    case KvCacheType::Q8: {
      // Both blocks first, then the swap: a failed allocation changes nothing.
      std::vector<std::int8_t> rows = regrouped(q8_, nkv_, capacity_, capacity, d_, kept);
      std::vector<float> scales = regrouped(scales_, nkv_, capacity_, capacity, 1, kept);
      q8_.swap(rows);
      scales_.swap(scales);
      break;
    }
    default: f32_ = regrouped(f32_, nkv_, capacity_, capacity, d_, kept); break;
  }
  capacity_ = capacity;
}

void KvCache::store(std::int64_t g, std::int64_t pos, const float* row) {
  const std::int64_t at = g * capacity_ + pos;
  switch (type_) {
    case KvCacheType::F16: f32_to_f16_row(row, f16_.data() + at * d_, d_); break;
    case KvCacheType::Q8: scales_[static_cast<std::size_t>(at)] = quantize_q8_row(row, q8_.data() + at * d_, d_); break;
    default: std::memcpy(f32_.data() + at * d_, row, sizeof(float) * static_cast<std::size_t>(d_)); break;
  }
}

void KvCache::load(std::int64_t g, std::int64_t pos, float* row) const { widen_row(type_, rows(), g * capacity_ + pos, d_, row); }

void widen_row(KvCacheType type, const KvRows& rows, std::int64_t index, std::int64_t d, float* out) {
  switch (type) {
    case KvCacheType::F16: {
      const std::uint16_t* in = static_cast<const std::uint16_t*>(rows.data) + index * d;
      for (std::int64_t e = 0; e < d; ++e) out[e] = f16_to_f32(in[e]);
      break;
    }
    case KvCacheType::Q8: {
      const std::int8_t* in = static_cast<const std::int8_t*>(rows.data) + index * d;
      const float scale = rows.scales[index];
      for (std::int64_t e = 0; e < d; ++e) out[e] = static_cast<float>(in[e]) * scale;
      break;
    }
    default: std::memcpy(out, static_cast<const float*>(rows.data) + index * d, sizeof(float) * static_cast<std::size_t>(d)); break;
  }
}

}  // namespace zaya::cpu
