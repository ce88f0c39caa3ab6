// The softmax-attention step of CCA, sixteen query rows at a time (AVX-512).
// The per-row loop (attend_per_row) stays for CPUs without AVX-512. Decode
// uses the tiles too: one token fills only G (4) lanes of a tile, but the
// keys are then read once per KV group instead of once per head, with no
// horizontal sums, which is what a long context needs
// (docs/performance/engine-quant.md, entry 12).
#pragma once

#include <cstdint>

#include "util/thread_pool.h"
#include "zaya/model.h"

namespace zaya::cpu {

struct AttentionChunk {
  std::int64_t S = 0;       // query tokens, at positions p0 .. p0 + S - 1
  std::int64_t p0 = 0;
  std::int64_t nq = 0, nkv = 0, d = 0;
  std::int64_t window = 0;  // > 0: a query at pos sees keys pos - window + 1 .. pos
  const float* Q = nullptr; // [S, nq, d] after qk-norm and RoPE
  float* ctx = nullptr;     // [S, nq, d] out
  // The layer's caches, group-major (cpu/kv_cache.h): row (g, pos) at element
  // (g · capacity + pos) · d, its Q8 scale at g · capacity + pos.
  KvCacheType kv_type = KvCacheType::F32;  // F32, F16 or Q8
  const void* k_cache = nullptr;    // [nkv, capacity ≥ p0 + S, d] elements of kv_type
  const void* v_cache = nullptr;    // [nkv, capacity, d]
  const float* k_scales = nullptr;  // Q8: [nkv, capacity]; null otherwise
  const float* v_scales = nullptr;  // Q8: [nkv, capacity]
  std::int64_t capacity = 0;        // positions per KV group
};

// Whether attend_in_tiles handles this chunk on this CPU (AVX-512 F and a
// head width of 16, 32, 64 or 128).
bool tiles_apply(const AttentionChunk& a);

// ctx = softmax(Q·Kᵀ/√d, causal and windowed) · V for every query head.
// Each tile is 16 (token, head) rows of one KV group: queries transposed to
// [d][16] once, so a key's score for all 16 rows is d FMAs with that key's
// values broadcast, with no horizontal sums; the exponentials run 16 at a
// time; the weighted values accumulate two rows at a time in registers.
void attend_in_tiles(const AttentionChunk& a, ThreadPool& pool);

// The same for any CPU and head width, one (token, head) row at a time with
// plain loops: what runs where neither the tiles nor the decode kernel do.
// Each key and value row is widened to fp32 as it is read (KvCache::load's values).
void attend_per_row(const AttentionChunk& a, ThreadPool& pool);

}  // namespace zaya::cpu
