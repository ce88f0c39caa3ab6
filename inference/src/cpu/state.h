// Decode state of one sequence on the CPU (spec §5): K/V caches in the
// element type chosen at load (kv_cache.h), conv tails and delayed values in fp32.
#pragma once

#include <vector>

#include "cpu/kv_cache.h"
#include "engine/backend.h"

namespace zaya::cpu {

struct LayerState {
  KvCache k_cache;               // [nkv, capacity, d] keys after qk-norm, temperature, RoPE
  KvCache v_cache;               // [nkv, capacity, d]
  std::vector<float> conv_tail;  // [T_c, C] raw [q|k] rows of the last T_c positions, oldest first
  std::vector<float> v_delayed;  // [R] v_proj_delayed of the last position (0 at the start)
};

class CpuSequenceState final : public SequenceState {
 public:
  // kv_cache: F32, F16 or Q8 (resolved, see resolve_kv_cache_type).
  CpuSequenceState(const ModelConfig& c, KvCacheType kv_cache = KvCacheType::F32);
  std::int64_t length() const override { return length_; }
  StateCheckpoint checkpoint() const override;
  void restore(const StateCheckpoint& c) override;
  void reset() override;

  // Grows the K/V caches to hold `positions` entries.
  void reserve(std::int64_t positions);
  // Positions every K/V cache holds at least (each cache knows its own).
  std::int64_t capacity() const { return capacity_; }
  // One of a layer's caches as [length, nkv, d] floats, the reference's
  // order: the values attention reads (F16/Q8 widened back).
  std::vector<float> position_major(const KvCache& cache) const;

  const ModelConfig& config;
  std::vector<LayerState> layers;  // [L]
  std::int64_t length_ = 0;

 private:
  std::int64_t capacity_ = 0;
};

}  // namespace zaya::cpu
