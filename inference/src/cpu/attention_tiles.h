// The softmax-attention step of CCA, sixteen query rows at a time (AVX-512).
// The per-row loop in attention.cpp stays for CPUs without AVX-512. Decode
// uses the tiles too: one token fills only G (4) lanes of a tile, but the
// keys are then read once per KV group instead of once per head, with no
// horizontal sums, which is what a long context needs
// (docs/performance/engine-quant.md, entry 12).
#pragma once

#include <cstdint>

#include "util/thread_pool.h"

namespace zaya::cpu {

struct AttentionChunk {
  std::int64_t S = 0;       // query tokens, at positions p0 .. p0 + S - 1
  std::int64_t p0 = 0;
  std::int64_t nq = 0, nkv = 0, d = 0;
  std::int64_t window = 0;  // > 0: a query at pos sees keys pos - window + 1 .. pos
  const float* Q = nullptr;        // [S, nq, d] after qk-norm and RoPE
  const float* k_cache = nullptr;  // [nkv, capacity ≥ p0 + S, d] group-major (cpu/state.h)
  const float* v_cache = nullptr;  // [nkv, capacity, d]
  float* ctx = nullptr;            // [S, nq, d] out
  std::int64_t group_stride = 0;   // floats from one KV group's rows to the next: capacity · d
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

}  // namespace zaya::cpu
