// The per-span kernels of the decode attention (attention_decode.h), one
// file per instruction set. A span kernel takes keys j0 .. j1 - 1 of KV group
// g for its G query heads and writes, per head r, partial[r·(d+2) ..]: the
// unnormalised output Σ e^(s_j − m)·v_j (d floats), then m, the span's max
// score, and Σ e^(s_j − m).
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/attention_tiles.h"

namespace zaya::cpu {

using DecodeSpanFn = void (*)(const AttentionChunk& a, std::int64_t g, std::int64_t j0, std::int64_t j1, float* partial,
                              std::vector<float>& score_buffer);

// The kernel for caches of `type` (F32, F16 or Q8); nullptr where it does
// not take this head width d or group size G.
DecodeSpanFn decode_span_avx512(KvCacheType type, std::int64_t d, std::int64_t G);  // d = 16-128, G = 1, 2, 4, 8
DecodeSpanFn decode_span_avx2(KvCacheType type, std::int64_t d, std::int64_t G);    // the same shapes

// Keys are rows of d elements; the kernels ask for the row this many
// positions ahead (prefetching past the cache's end is harmless).
constexpr std::int64_t kDecodePrefetchRows = 16;
// Keys per block in the value pass: the passes over a block's column slices
// take turns, so a row's later slices are read while its first is in cache.
constexpr std::int64_t kDecodeValueBlock = 64;

}  // namespace zaya::cpu
