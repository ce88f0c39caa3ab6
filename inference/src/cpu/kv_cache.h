// One layer's K or V cache on the CPU, in the element type chosen at load
// (zaya::KvCacheType). The rows are group-major, [nkv, capacity, d]: each KV
// group's positions are contiguous, so a thread attending for one group
// streams one block of memory (with [position][group] rows it read every
// other half-KiB, at 2/3 the speed). Q8 keeps one fp32 scale per row in a
// second, equally group-major array [nkv, capacity] beside the rows, so the
// rows themselves stay d bytes and aligned like the others.
#pragma once

#include <cstdint>
#include <vector>

#include "zaya/model.h"

namespace zaya {
struct ModelWeights;
}

namespace zaya::cpu {

// What Auto means for these weights: F16 when the matrices are quantised
// (a model pack: its users want speed and memory), F32 for a float
// checkpoint (the golden tests' regime, bit for bit). Other types pass.
KvCacheType resolve_kv_cache_type(KvCacheType requested, const ModelWeights& weights);

// Row (g, pos) of a cache starts at element (g · capacity + pos) · d, its
// Q8 scale at g · capacity + pos. This is what the attention kernels read.
struct KvRows {
  const void* data = nullptr;      // [nkv, capacity, d] elements of the cache's type
  const float* scales = nullptr;   // Q8: [nkv, capacity] (row value = int8 · scale); null otherwise
};

class KvCache {
 public:
  KvCache() = default;
  KvCache(KvCacheType type, std::int64_t nkv, std::int64_t d);  // type: F32, F16 or Q8; no positions yet

  KvCacheType type() const { return type_; }
  std::int64_t capacity() const { return capacity_; }  // positions per KV group
  KvRows rows() const;

  // Grows to `capacity` positions per group (nothing when it has them),
  // keeping each group's first `kept` positions. Strong guarantee: on
  // bad_alloc the cache is unchanged.
  void grow(std::int64_t capacity, std::int64_t kept);
  // Row (g, pos) ← d floats, converted to the element type (F16: round to
  // nearest even; Q8: scale max|x| / 127, values rounded to nearest even).
  void store(std::int64_t g, std::int64_t pos, const float* row);
  // d floats ← row (g, pos), the values the attention kernels compute with.
  void load(std::int64_t g, std::int64_t pos, float* row) const;

 private:
  KvCacheType type_ = KvCacheType::F32;
  std::int64_t nkv_ = 0, d_ = 0, capacity_ = 0;
  std::vector<float> f32_;          // [nkv, capacity, d] when F32
  std::vector<std::uint16_t> f16_;  // [nkv, capacity, d] IEEE half bits when F16
  std::vector<std::int8_t> q8_;     // [nkv, capacity, d] when Q8, in [-127, 127]
  std::vector<float> scales_;       // [nkv, capacity] when Q8
};

// Row conversions the cache and the tests share. n floats → n halves, round
// to nearest even: F16C where the CPU has it, else quant::f32_to_f16 (the
// same halves; tests/engine/test_kv_cache.cpp checks). The scalar reads use
// zaya::f16_to_f32 (kernels/convert.h), exact like vcvtph2ps.
void f32_to_f16_row(const float* in, std::uint16_t* out, std::int64_t n);
// d floats → d int8 and the returned scale (0 for an all-zero row).
float quantize_q8_row(const float* in, std::int8_t* out, std::int64_t d);
// d floats ← row `index` (g · capacity + pos) of a cache's rows of `type`,
// in portable scalar code: the per-row attention and KvCache::load.
void widen_row(KvCacheType type, const KvRows& rows, std::int64_t index, std::int64_t d, float* out);

}  // namespace zaya::cpu
