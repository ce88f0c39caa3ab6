// fp32 register tile for the float matmul's prefill path (AVX-512F): up to
// 4 weight rows × 4 token rows, 16 independent accumulators, so each 16-float
// load of a weight row serves 4 tokens and each token load 4 rows (8 loads
// per 16 FMAs, against 2 per FMA for one dot product at a time). The
// horizontal sums come once per tile, after the whole row.
#include <cstdint>

#include "kernels/matmul_tile.h"
#include "util/avx512.h"

namespace zaya::detail {
namespace {

template <int NR, int NT>
ZAYA_AVX512F void tile(const float* w, std::int64_t ldw, const float* x, std::int64_t ldx, std::int64_t n, float* out) {
  __m512 acc[NR][NT];
  for (int r = 0; r < NR; ++r)
    for (int t = 0; t < NT; ++t) acc[r][t] = _mm512_setzero_ps();
  std::int64_t c = 0;
  for (; c + 16 <= n; c += 16) {
    __m512 wv[NR];
    for (int r = 0; r < NR; ++r) wv[r] = _mm512_loadu_ps(w + r * ldw + c);
    for (int t = 0; t < NT; ++t) {
      const __m512 xv = _mm512_loadu_ps(x + t * ldx + c);
      for (int r = 0; r < NR; ++r) acc[r][t] = _mm512_fmadd_ps(wv[r], xv, acc[r][t]);
    }
  }
  if (c < n) {
    const auto m = static_cast<__mmask16>((1u << (n - c)) - 1);
    __m512 wv[NR];
    for (int r = 0; r < NR; ++r) wv[r] = _mm512_maskz_loadu_ps(m, w + r * ldw + c);
    for (int t = 0; t < NT; ++t) {
      const __m512 xv = _mm512_maskz_loadu_ps(m, x + t * ldx + c);
      for (int r = 0; r < NR; ++r) acc[r][t] = _mm512_fmadd_ps(wv[r], xv, acc[r][t]);
    }
  }
  for (int r = 0; r < NR; ++r)
    for (int t = 0; t < NT; ++t) out[r * kTileMax + t] = _mm512_reduce_add_ps(acc[r][t]);
}

template <int NR>
void tile_nt(const float* w, std::int64_t ldw, const float* x, std::int64_t ldx, int nt, std::int64_t n, float* out) {
  switch (nt) {
    case 1: tile<NR, 1>(w, ldw, x, ldx, n, out); break;
    case 2: tile<NR, 2>(w, ldw, x, ldx, n, out); break;
    case 3: tile<NR, 3>(w, ldw, x, ldx, n, out); break;
    default: tile<NR, 4>(w, ldw, x, ldx, n, out); break;
  }
}

}  // namespace

void dot_tile_avx512(const float* w, std::int64_t ldw, int nr, const float* x, std::int64_t ldx, int nt, std::int64_t n,
                     float* out) {
  switch (nr) {
    case 1: tile_nt<1>(w, ldw, x, ldx, nt, n, out); break;
    case 2: tile_nt<2>(w, ldw, x, ldx, nt, n, out); break;
    case 3: tile_nt<3>(w, ldw, x, ldx, nt, n, out); break;
    default: tile_nt<4>(w, ldw, x, ldx, nt, n, out); break;
  }
}

}  // namespace zaya::detail
