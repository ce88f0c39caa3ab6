#include "quant/qgemm.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "quant/interleave.h"
#include "quant/qgemm_kernels.h"
#include "quant/quant_format.h"
#include "util/thread_pool.h"

namespace zaya::quant {

namespace {

void require(CpuLevel level) {
  if (!cpu_supports(level))
    throw std::runtime_error(std::string("quantised kernels: this CPU does not support level ") + cpu_level_name(level));
}

detail::DotFn dot_for(CpuLevel level) {
  require(level);
  switch (level) {
    case CpuLevel::Avx512Vnni: return detail::dot_avx512;
    case CpuLevel::Avx2Vnni:
    case CpuLevel::Avx2: return detail::dot_avx2;
    default: return detail::dot_scalar;
  }
}

detail::TileFn tile_for(CpuLevel level) {
  require(level);
  switch (level) {
    case CpuLevel::Avx512Vnni: return detail::tile_x16_avx512;
    case CpuLevel::Avx2Vnni: return detail::tile_x16_avx2_vnni;
    case CpuLevel::Avx2: return detail::tile_x16_avx2;
    default: return detail::tile_x16_scalar;
  }
}

// Tokens whose int8 rows stay in L1/L2 while every weight row of the thread's
// share passes over them once (prefill); decode is the case S = 1.
constexpr std::int64_t kTokenBlock = 32;
// The same for the interleaved kernels: 128 token rows of int8 activations
// (256 KiB at 2048 columns) stay in L2 while a thread's row blocks pass over
// them; each block's weights (18 KiB for Q4 at 2048 columns) stay in L1 for
// the 16 tiles of 8 tokens.
constexpr std::int64_t kTokenBlockX16 = 128;

void qgemm_blocks(const WeightMatrix& W, const QuantizedActivations& x, float* y, std::int64_t y_stride,
                  std::int64_t b0, std::int64_t b1, CpuLevel level) {
  const detail::TileFn tile = tile_for(level);
  for (std::int64_t sb = 0; sb < x.S; sb += kTokenBlockX16) {
    const std::int64_t se = std::min(x.S, sb + kTokenBlockX16);
    // Tiles of near-equal width (33 tokens: 11 + 11 + 11, not 16 + 16 + 1),
    // so no tile falls back to the one-token kernel or amortises its weight
    // unpacking over a few tokens only.
    const std::int64_t tiles = (se - sb + detail::kTileTokens - 1) / detail::kTileTokens;
    const std::int64_t width = (se - sb + tiles - 1) / tiles;
    for (std::int64_t b = b0; b < b1; ++b)
      for (std::int64_t s = sb; s < se; s += width) {
        const int nt = static_cast<int>(std::min<std::int64_t>(width, se - s));
        tile(W, b, x, s, nt, y, y_stride);
      }
  }
}

}  // namespace

void quantize_activations(const float* x, std::int64_t S, std::int64_t cols, QuantizedActivations& out,
                          CpuLevel level, ThreadPool* pool) {
  out.S = S;
  out.cols = cols;
  out.groups = groups_per_row(cols);
  const std::int64_t G = out.groups;
  const auto n = static_cast<std::size_t>(S * G);
  if (out.q.size() < n * 32) out.q.resize(n * 32);
  if (out.scale.size() < n) out.scale.resize(n);
  if (out.sum.size() < n) out.sum.resize(n);
  if (out.qsum.size() < n) out.qsum.resize(n);
  const bool by_group = S > 1;  // the chunk tiles' copy
  if (by_group) {
    if (out.q_by_group.size() < n * 32) out.q_by_group.resize(n * 32);
    if (out.scale_by_group.size() < n) out.scale_by_group.resize(n);
    if (out.neg_qsum_by_group.size() < n) out.neg_qsum_by_group.resize(n);
  }
  const bool avx2 = level != CpuLevel::Scalar && cpu_supports(CpuLevel::Avx2);
  QuantizedActivations& o = out;
  const auto rows = [&o, x, cols, G, S, avx2, by_group](std::int64_t s0, std::int64_t s1) {
    for (std::int64_t s = s0; s < s1; ++s) {
      std::int8_t* q = o.q.data() + s * G * 32;
      float* sc = o.scale.data() + s * G;
      float* sm = o.sum.data() + s * G;
      std::int32_t* qs = o.qsum.data() + s * G;
      if (avx2) detail::quantize_act_row_avx2(x + s * cols, cols, G, q, sc, sm, qs);
      else detail::quantize_act_row_scalar(x + s * cols, cols, G, q, sc, sm, qs);
      if (!by_group) continue;
      for (std::int64_t g = 0; g < G; ++g) {
        std::memcpy(o.q_by_group.data() + (g * S + s) * 32, q + g * 32, 32);
        o.scale_by_group[static_cast<std::size_t>(g * S + s)] = sc[g];
        o.neg_qsum_by_group[static_cast<std::size_t>(g * S + s)] = -qs[g];
      }
    }
  };
  // Rows per share: a row of 2048 columns takes about a microsecond.
  constexpr std::int64_t kRowsPerShare = 16;
  if (pool) pool->parallel_for(S, rows, kRowsPerShare);
  else rows(0, S);
}

void qgemm_rows(const WeightMatrix& W, const QuantizedActivations& x, float* y, std::int64_t y_stride,
                std::int64_t r0, std::int64_t r1, CpuLevel level) {
  if (!is_quantized(W.dtype) && !is_interleaved(W.dtype))
    throw std::logic_error(std::string("qgemm_rows: not a quantised weight type: ") + dtype_name(W.dtype));
  if (x.cols != W.cols)
    throw std::logic_error("qgemm_rows: activations have " + std::to_string(x.cols) + " columns, weights " +
                           std::to_string(W.cols));
  if (is_interleaved(W.dtype)) {
    if (r0 % kInterleaveRows != 0 || (r1 % kInterleaveRows != 0 && r1 != W.rows))
      throw std::logic_error("qgemm_rows: rows [" + std::to_string(r0) + ", " + std::to_string(r1) +
                             ") of an interleaved matrix are not whole blocks of 16");
    qgemm_blocks(W, x, y, y_stride, r0 / kInterleaveRows, row_blocks(r1), level);
    return;
  }
  const detail::DotFn dot = dot_for(level);
  if (x.S == 1 && level == CpuLevel::Avx512Vnni) {
    for (std::int64_t r = r0; r < r1; r += detail::kMaxRows) {
      const int nr = static_cast<int>(std::min<std::int64_t>(detail::kMaxRows, r1 - r));
      detail::rows_avx512(W, r, nr, x, 0, y + r);
    }
    return;
  }
  for (std::int64_t sb = 0; sb < x.S; sb += kTokenBlock) {
    const std::int64_t se = std::min(x.S, sb + kTokenBlock);
    for (std::int64_t r = r0; r < r1; ++r) {
      for (std::int64_t s = sb; s < se; s += detail::kMaxTokens) {
        const int nt = static_cast<int>(std::min<std::int64_t>(detail::kMaxTokens, se - s));
        float out[detail::kMaxTokens];
        dot(W, r, x, s, nt, out);
        for (int t = 0; t < nt; ++t) y[(s + t) * y_stride + r] = out[t];
      }
    }
  }
}

void quant_matmul(const WeightMatrix& W, const float* x, std::int64_t S, float* y, ThreadPool& pool,
                  CpuLevel level) {
  if (S <= 0 || W.rows <= 0) return;
  thread_local QuantizedActivations acts;
  quantize_activations(x, S, W.cols, acts, level, &pool);
  struct Job {
    const WeightMatrix* W;
    const QuantizedActivations* x;
    float* y;
    CpuLevel level;
  } job{&W, &acts, y, level};
  const Job* jp = &job;
  if (is_interleaved(W.dtype)) {
    // Threads take whole blocks of 16 rows.
    const std::int64_t min_blocks = std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(1, 16 * W.cols * S));
    pool.parallel_for(
        row_blocks(W.rows),
        [jp](std::int64_t b0, std::int64_t b1) {
          qgemm_blocks(*jp->W, *jp->x, jp->y, jp->W->rows, b0, b1, jp->level);
        },
        min_blocks);
    return;
  }
  // ~32K multiply-adds per share at least, so waking a worker pays off.
  const std::int64_t min_rows = std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(1, W.cols * S));
  // Captures one pointer: fits std::function's inline buffer, no allocation.
  pool.parallel_for(
      W.rows, [jp](std::int64_t r0, std::int64_t r1) { qgemm_rows(*jp->W, *jp->x, jp->y, jp->W->rows, r0, r1, jp->level); },
      min_rows);
}

bool quant_matmul_shared_input(std::span<const WeightMatrix* const> W, std::span<float* const> y, const float* x,
                               std::int64_t S, ThreadPool& pool, CpuLevel level) {
  constexpr std::size_t kMaxMatrices = 8;
  if (W.empty() || W.size() != y.size() || W.size() > kMaxMatrices || S <= 0) return false;
  const bool interleaved = is_interleaved(W[0]->dtype);
  for (const WeightMatrix* m : W)
    if (m->cols != W[0]->cols || is_interleaved(m->dtype) != interleaved || !(interleaved || is_quantized(m->dtype)))
      return false;
  thread_local QuantizedActivations acts;
  quantize_activations(x, S, W[0]->cols, acts, level, &pool);
  // first[i]: the first unit (16-row block or row) of matrix i in the union.
  struct Job {
    const WeightMatrix* W[kMaxMatrices];
    float* y[kMaxMatrices];
    std::int64_t first[kMaxMatrices + 1];
    std::size_t n;
    bool interleaved;
    const QuantizedActivations* x;
    CpuLevel level;
  } job{};
  job.n = W.size();
  job.interleaved = interleaved;
  job.x = &acts;
  job.level = level;
  for (std::size_t i = 0; i < W.size(); ++i) {
    job.W[i] = W[i];
    job.y[i] = y[i];
    job.first[i + 1] = job.first[i] + (interleaved ? row_blocks(W[i]->rows) : W[i]->rows);
  }
  const Job* jp = &job;
  const std::int64_t unit_rows = interleaved ? kInterleaveRows : 1;
  const std::int64_t min_units = std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(1, unit_rows * W[0]->cols * S));
  pool.parallel_for(
      job.first[job.n],
      [jp](std::int64_t u0, std::int64_t u1) {
        for (std::size_t i = 0; i < jp->n; ++i) {
          const std::int64_t b = std::max(u0, jp->first[i]) - jp->first[i];
          const std::int64_t e = std::min(u1, jp->first[i + 1]) - jp->first[i];
          if (b >= e) continue;
          if (jp->interleaved) qgemm_blocks(*jp->W[i], *jp->x, jp->y[i], jp->W[i]->rows, b, e, jp->level);
          else qgemm_rows(*jp->W[i], *jp->x, jp->y[i], jp->W[i]->rows, b, e, jp->level);
        }
      },
      min_units);
  return true;
}

}  // namespace zaya::quant
