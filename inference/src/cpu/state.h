// Decode state of one sequence on the CPU (spec §5), all fp32.
#pragma once

#include <vector>

#include "engine/backend.h"

namespace zaya::cpu {

// The K/V caches are group-major: each KV group's positions are contiguous,
// so a thread attending for one group streams one block of memory (with
// [position][group] rows it read every other half-KiB, at 2/3 the speed).
struct LayerState {
  std::vector<float> k_cache;    // [nkv, capacity, d] keys after qk-norm, temperature, RoPE
  std::vector<float> v_cache;    // [nkv, capacity, d]
  std::vector<float> conv_tail;  // [T_c, C] raw [q|k] rows of the last T_c positions, oldest first
  std::vector<float> v_delayed;  // [R] v_proj_delayed of the last position (0 at the start)
};

class CpuSequenceState final : public SequenceState {
 public:
  explicit CpuSequenceState(const ModelConfig& c);
  std::int64_t length() const override { return length_; }
  StateCheckpoint checkpoint() const override;
  void restore(const StateCheckpoint& c) override;
  void reset() override;

  // Grows the K/V caches to hold `positions` entries.
  void reserve(std::int64_t positions);
  // Positions every K/V cache holds at least; a cache's own capacity is its
  // size / (nkv · d), and group g's rows start at g · that · d.
  std::int64_t capacity() const { return capacity_; }
  // One of a layer's caches as [length, nkv, d], the reference's order.
  std::vector<float> position_major(const std::vector<float>& cache) const;

  const ModelConfig& config;
  std::vector<LayerState> layers;  // [L]
  std::int64_t length_ = 0;

 private:
  std::int64_t capacity_ = 0;
};

}  // namespace zaya::cpu
