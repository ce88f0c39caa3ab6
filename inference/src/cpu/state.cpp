#include "cpu/state.h"

#include <algorithm>
#include <stdexcept>

namespace zaya::cpu {

CpuSequenceState::CpuSequenceState(const ModelConfig& c, KvCacheType kv_cache) : config(c) {
  layers.resize(static_cast<std::size_t>(c.num_layers));
  for (auto& L : layers) {
    L.k_cache = KvCache(kv_cache, c.num_kv_heads, c.head_dim);
    L.v_cache = KvCache(kv_cache, c.num_kv_heads, c.head_dim);
  }
  reset();
}

void CpuSequenceState::reset() {
  for (auto& L : layers) {
    L.conv_tail.assign(static_cast<std::size_t>(config.conv_tail() * config.conv_channels()), 0.0f);
    L.v_delayed.assign(static_cast<std::size_t>(config.value_half()), 0.0f);
  }
  length_ = 0;
}

void CpuSequenceState::reserve(std::int64_t positions) {
  if (positions <= capacity_) return;
  // Geometric growth keeps decode appends amortised O(1).
  const std::int64_t cap = std::max(positions, capacity_ * 3 / 2);
  // Each cache keeps its own capacity: if an allocation fails half-way
  // (bad_alloc reaches the caller, the state stays usable), the caches grown
  // so far keep their larger blocks and are not copied again.
  for (auto& L : layers)
    for (KvCache* cache : {&L.k_cache, &L.v_cache}) cache->grow(cap, length_);
  capacity_ = cap;
}

std::vector<float> CpuSequenceState::position_major(const KvCache& cache) const {
  const std::int64_t nkv = config.num_kv_heads, d = config.head_dim;
  std::vector<float> out(static_cast<std::size_t>(length_ * nkv * d));  // [length, nkv, d]
  for (std::int64_t t = 0; t < length_; ++t)
    for (std::int64_t g = 0; g < nkv; ++g) cache.load(g, t, out.data() + (t * nkv + g) * d);
  return out;
}

StateCheckpoint CpuSequenceState::checkpoint() const {
  StateCheckpoint c;
  c.length = length_;
  for (const auto& L : layers) {
    c.fixed_state.insert(c.fixed_state.end(), L.conv_tail.begin(), L.conv_tail.end());
    c.fixed_state.insert(c.fixed_state.end(), L.v_delayed.begin(), L.v_delayed.end());
  }
  return c;
}

void CpuSequenceState::restore(const StateCheckpoint& c) {
  const std::size_t per = static_cast<std::size_t>(config.conv_tail() * config.conv_channels() + config.value_half());
  if (c.length > length_ || c.fixed_state.size() != per * layers.size())
    throw std::logic_error("CpuSequenceState::restore: checkpoint does not belong to this state");
  const float* p = c.fixed_state.data();
  for (auto& L : layers) {
    std::copy(p, p + L.conv_tail.size(), L.conv_tail.begin());
    p += L.conv_tail.size();
    std::copy(p, p + L.v_delayed.size(), L.v_delayed.begin());
    p += L.v_delayed.size();
  }
  length_ = c.length;
}

}  // namespace zaya::cpu
