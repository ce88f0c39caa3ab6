#include "cpu/ops.h"

#include "cpu/layers.h"

#include <algorithm>

namespace zaya::cpu {

double sum_squares(const float* x, std::int64_t n) {
  double part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) part[j] += static_cast<double>(x[i + j]) * x[i + j];
  for (; i < n; ++i) part[0] += static_cast<double>(x[i]) * x[i];
  return ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
}

void rmsnorm(const float* x, const float* w, std::int64_t S, std::int64_t n, double eps, float* y) {
  for (std::int64_t s = 0; s < S; ++s) {
    const float* xs = x + s * n;
    float* ys = y + s * n;
    const double ss = sum_squares(xs, n);  // statistics in double: cheap, and removes one source of drift
    const float inv = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + eps));
    for (std::int64_t i = 0; i < n; ++i) ys[i] = w[i] * (xs[i] * inv);
  }
}

void residual_merge(const float* a, const float* r, const ResidualMerge& m, std::int64_t S, std::int64_t H, float* out) {
  for (std::int64_t s = 0; s < S; ++s)
    for (std::int64_t i = 0; i < H; ++i) {
      const std::int64_t k = s * H + i;
      out[k] = (a[k] + m.hidden_bias[i]) * m.hidden_scale[i] + (r[k] + m.residual_bias[i]) * m.residual_scale[i];
    }
}

void softmax(float* p, std::int64_t n) {
  const float mx = *std::max_element(p, p + n);
  float sum = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    p[i] = std::exp(p[i] - mx);
    sum += p[i];
  }
  const float inv = 1.0f / sum;
  for (std::int64_t i = 0; i < n; ++i) p[i] *= inv;
}

void LayerTrace::emit(const char* name, const float* data, const std::vector<std::int64_t>& shape) const {
  std::string full = "L";
  full += std::to_string(layer);
  full += '.';
  full += name;
  (*sink)(full, data, shape);
}

}  // namespace zaya::cpu
