// The attention step for CPUs and head widths the vector kernels do not take
// (attention_tiles.h): one (token, head) row at a time.
#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/attention_tiles.h"
#include "cpu/kv_cache.h"
#include "cpu/ops.h"
#include "cpu/scratch.h"
#include "kernels/matmul.h"

namespace zaya::cpu {

void attend_per_row(const AttentionChunk& a, ThreadPool& pool) {
  const std::int64_t nq = a.nq, d = a.d, G = a.nq / a.nkv, QW = nq * d;
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  const bool fp32 = a.kv_type == KvCacheType::F32;  // read in place; other types widened row by row
  const KvRows keys{a.k_cache, a.k_scales}, values{a.v_cache, a.v_scales};
  pool.parallel_for(a.S * nq, [&](std::int64_t i0, std::int64_t i1) {
    thread_local std::vector<float> score_buffer, row_buffer;
    float* row = grow(row_buffer, d).data();  // [d] one key or value widened to fp32
    for (std::int64_t i = i0; i < i1; ++i) {
      const std::int64_t t = i / nq, h = i % nq, g = h / G, pos = a.p0 + t;
      const std::int64_t first = a.window > 0 ? std::max<std::int64_t>(0, pos - a.window + 1) : 0;
      const std::int64_t n = pos + 1 - first;
      float* scores = grow(score_buffer, n).data();  // [n]
      // Row `index` of a cache as floats: in place for fp32, else widened.
      auto row_at = [&](const KvRows& rows, std::int64_t index) -> const float* {
        if (fp32) return static_cast<const float*>(rows.data) + index * d;
        widen_row(a.kv_type, rows, index, d, row);
        return row;
      };
      const float* qh = a.Q + t * QW + h * d;
      for (std::int64_t j = 0; j < n; ++j) scores[j] = dot_f32(qh, row_at(keys, g * a.capacity + first + j), d) * scale;
      softmax(scores, n);
      float* o = a.ctx + t * QW + h * d;
      std::fill(o, o + d, 0.0f);
      for (std::int64_t j = 0; j < n; ++j) {
        const float* vj = row_at(values, g * a.capacity + first + j);
        const float p = scores[j];
        for (std::int64_t e = 0; e < d; ++e) o[e] += p * vj[e];
      }
    }
  });
}

}  // namespace zaya::cpu
