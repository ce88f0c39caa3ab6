// The softmax-attention step of CCA for one decode token, on AVX-512 (16
// lanes) or AVX2 (8 lanes, attention_decode_avx2.cpp).
//
// The 16-row tiles (attention_tiles.h) put query rows in the lanes; one
// decode token has only G = nq / nkv rows per KV group (4 for ZAYA1-8B), so
// three quarters of every key FMA there is wasted, and at long contexts
// attention is most of a decode step. Here the lanes run along the head
// width instead: each key is read as whole vectors and dotted with the G
// queries, and the partial sums of 16 (key, query) pairs are reduced together
// (no per-key horizontal sum). The keys of a group are split into spans that
// run in parallel ("split-K"), each giving an unnormalised output with its
// own max and sum, merged at the end, so a machine with more threads than KV
// groups still uses them all.
#pragma once

#include "cpu/attention_tiles.h"

namespace zaya::cpu {

// Whether attend_decode handles this chunk on this CPU: one query token,
// AVX-512 F or AVX2 + FMA, a head width of 16, 32, 64 or 128 and G of 1, 2,
// 4 or 8. `force_avx2` asks for the AVX2 kernels even where AVX-512 runs
// (tests check both on one machine).
bool decode_applies(const AttentionChunk& a, bool force_avx2 = false);

// ctx = softmax(q·Kᵀ/√d, causal and windowed) · V for the one query token.
void attend_decode(const AttentionChunk& a, ThreadPool& pool, bool force_avx2 = false);

}  // namespace zaya::cpu
