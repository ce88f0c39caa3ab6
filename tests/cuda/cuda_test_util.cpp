#include "cuda_test_util.h"

#include <cmath>
#include <cstring>

#include "kernels/convert.h"
#include "kernels/matmul.h"
#include "quant/quant_format.h"

namespace zaya::test {

std::mt19937& rng() {
  static std::mt19937 g = [] {
    const unsigned seed = std::random_device{}();
    std::printf("random seed %u\n", seed);
    return std::mt19937(seed);
  }();
  return g;
}

void reference_products(const std::vector<float>& w, std::int64_t rows, std::int64_t cols, const std::vector<float>& x,
                        std::vector<double>& acc, std::vector<double>& mag) {
  acc.assign(static_cast<std::size_t>(rows), 0.0);
  mag.assign(static_cast<std::size_t>(rows), 0.0);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) {
      const double p = static_cast<double>(w[r * cols + c]) * x[c];
      acc[r] += p;
      mag[r] += std::fabs(p);
    }
}

std::vector<float> random_vector(std::size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng());
  return v;
}

TestMatrix::TestMatrix(DType dtype, std::int64_t rows, std::int64_t cols, int experts) {
  const bool quant = quant::is_quantized(dtype);
  const std::size_t groups = static_cast<std::size_t>((cols + 31) / 32);
  std::size_t row_bytes = 0, scale_bytes = 0;
  switch (dtype) {
    case DType::F32: row_bytes = cols * 4; break;
    case DType::BF16:
    case DType::F16: row_bytes = cols * 2; break;
    case DType::F8_E4M3: row_bytes = cols, scale_bytes = 4; break;
    case DType::Q8_G32: row_bytes = groups * 32, scale_bytes = groups * 2; break;
    case DType::Q4_G32: row_bytes = groups * 16, scale_bytes = groups * 2; break;
  }
  std::vector<std::uint8_t> all_data, all_scales;
  for (int e = 0; e < experts; ++e) {
    std::vector<std::uint8_t> data(rows * row_bytes), scales(rows * scale_bytes);
    for (std::int64_t r = 0; r < rows; ++r) {
      const auto v = random_vector(static_cast<std::size_t>(cols));
      std::uint8_t* d = data.data() + r * row_bytes;
      for (std::int64_t c = 0; c < cols; ++c) {
        switch (dtype) {
          case DType::F32: std::memcpy(d + 4 * c, &v[c], 4); break;
          case DType::BF16: { const std::uint16_t b = f32_to_bf16(v[c]); std::memcpy(d + 2 * c, &b, 2); break; }
          case DType::F16: { const std::uint16_t b = quant::f32_to_f16(v[c]); std::memcpy(d + 2 * c, &b, 2); break; }
          case DType::F8_E4M3: {
            std::uint8_t b = static_cast<std::uint8_t>(rng()() & 0xff);
            if ((b & 0x7f) == 0x7f) b ^= 1;  // no NaN
            d[c] = b;
            break;
          }
          default: break;
        }
      }
      if (dtype == DType::F8_E4M3) {
        const float s = 0.01f + 0.02f * std::fabs(v[0]);
        std::memcpy(scales.data() + r * scale_bytes, &s, 4);
      }
      if (quant)
        quant::quantize_row(dtype, v.data(), cols, d, reinterpret_cast<std::uint16_t*>(scales.data() + r * scale_bytes));
    }
    storage.push_back(std::move(data));
    storage.push_back(std::move(scales));
  }
  for (int e = 0; e < experts; ++e) {
    WeightMatrix m;
    m.dtype = dtype, m.rows = rows, m.cols = cols;
    m.data = storage[2 * e].data(), m.row_stride_bytes = row_bytes;
    m.scales = scale_bytes ? storage[2 * e + 1].data() : nullptr, m.scale_row_stride_bytes = scale_bytes;
    host.push_back(m);
    std::vector<float> widened(static_cast<std::size_t>(rows * cols));
    for (std::int64_t r = 0; r < rows; ++r) dequantize_row(m, r, widened.data() + r * cols);
    ref.push_back(std::move(widened));
    all_data.insert(all_data.end(), storage[2 * e].begin(), storage[2 * e].end());
    all_scales.insert(all_scales.end(), storage[2 * e + 1].begin(), storage[2 * e + 1].end());
  }
  dev_data_ = cuda::device_alloc(all_data.size());
  cuda::copy_to_device(dev_data_, all_data.data(), all_data.size());
  if (scale_bytes) {
    dev_scales_ = cuda::device_alloc(all_scales.size());
    cuda::copy_to_device(dev_scales_, all_scales.data(), all_scales.size());
  }
  dev.dtype = dtype, dev.rows = rows, dev.cols = cols;
  dev.data = dev_data_, dev.row_stride = row_bytes;
  dev.scales = dev_scales_, dev.scale_stride = scale_bytes;
  dev.expert_stride = rows * row_bytes, dev.expert_scale_stride = rows * scale_bytes;
}

TestMatrix::~TestMatrix() {
  cuda::device_free(dev_data_);
  if (dev_scales_) cuda::device_free(dev_scales_);
}

double max_rel_error(const std::vector<float>& got, const std::vector<double>& want) {
  double scale = 1e-30, worst = 0;
  for (double w : want) scale = std::max(scale, std::fabs(w));
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double d = std::fabs(static_cast<double>(got[i]) - want[i]);
    if (!(d <= worst)) worst = std::isnan(d) ? INFINITY : d;
  }
  return worst / scale;
}

}  // namespace zaya::test
