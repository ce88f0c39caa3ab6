#include "quant/qgemm.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "quant/qgemm_kernels.h"
#include "quant/quant_format.h"
#include "util/thread_pool.h"

namespace zaya::quant {

namespace {

detail::DotFn dot_for(CpuLevel level) {
  if (!cpu_supports(level))
    throw std::runtime_error(std::string("quantised kernels: this CPU does not support level ") + cpu_level_name(level));
  switch (level) {
    case CpuLevel::Avx512Vnni: return detail::dot_avx512;
    case CpuLevel::Avx2: return detail::dot_avx2;
    default: return detail::dot_scalar;
  }
}

// Tokens whose int8 rows stay in L1/L2 while every weight row of the thread's
// share passes over them once (prefill); decode is the case S = 1.
constexpr std::int64_t kTokenBlock = 32;

}  // namespace

void quantize_activations(const float* x, std::int64_t S, std::int64_t cols, QuantizedActivations& out,
                          CpuLevel level) {
  out.S = S;
  out.cols = cols;
  out.groups = groups_per_row(cols);
  const auto G = static_cast<std::size_t>(out.groups);
  const auto n = static_cast<std::size_t>(S);
  if (out.q.size() < n * G * 32) out.q.resize(n * G * 32);
  if (out.scale.size() < n * G) out.scale.resize(n * G);
  if (out.sum.size() < n * G) out.sum.resize(n * G);
  const bool avx2 = level != CpuLevel::Scalar && cpu_supports(CpuLevel::Avx2);
  for (std::int64_t s = 0; s < S; ++s) {
    std::int8_t* q = out.q.data() + s * out.groups * 32;
    float* sc = out.scale.data() + s * out.groups;
    float* sm = out.sum.data() + s * out.groups;
    if (avx2) detail::quantize_act_row_avx2(x + s * cols, cols, out.groups, q, sc, sm);
    else detail::quantize_act_row_scalar(x + s * cols, cols, out.groups, q, sc, sm);
  }
}

void qgemm_rows(const WeightMatrix& W, const QuantizedActivations& x, float* y, std::int64_t y_stride,
                std::int64_t r0, std::int64_t r1, CpuLevel level) {
  if (!is_quantized(W.dtype))
    throw std::logic_error(std::string("qgemm_rows: not a quantised weight type: ") + dtype_name(W.dtype));
  if (x.cols != W.cols)
    throw std::logic_error("qgemm_rows: activations have " + std::to_string(x.cols) + " columns, weights " +
                           std::to_string(W.cols));
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
  quantize_activations(x, S, W.cols, acts, level);
  struct Job {
    const WeightMatrix* W;
    const QuantizedActivations* x;
    float* y;
    CpuLevel level;
  } job{&W, &acts, y, level};
  // ~32K multiply-adds per share at least, so waking a worker pays off.
  const std::int64_t min_rows = std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(1, W.cols * S));
  // Captures one pointer: fits std::function's inline buffer, no allocation.
  const Job* jp = &job;
  pool.parallel_for(
      W.rows, [jp](std::int64_t r0, std::int64_t r1) { qgemm_rows(*jp->W, *jp->x, jp->y, jp->W->rows, r0, r1, jp->level); },
      min_rows);
}

}  // namespace zaya::quant
