// The float matmul's register tile (internal to kernels/).
#pragma once

#include <cstdint>

namespace zaya::detail {

inline constexpr int kTileMax = 4;

// out[r·kTileMax + t] = Σ_c w[r·ldw + c]·x[t·ldx + c] for r < nr, t < nt
// (1 <= nr, nt <= kTileMax), n columns. AVX-512 F and DQ only: callers check.
void dot_tile_avx512(const float* w, std::int64_t ldw, int nr, const float* x, std::int64_t ldx, int nt, std::int64_t n,
                     float* out);

}  // namespace zaya::detail
