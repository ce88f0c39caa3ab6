// Helpers of the CUDA tests: skip without a device, device buffers, random
// weight matrices in every storage format with their fp32 reference rows.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "kernels.h"
#include "tensor/matrix.h"

namespace zaya::test {

// Every GPU test starts with this: Skipped (not failed, not passed) without a device.
#define ZAYA_REQUIRE_CUDA_DEVICE()                                                   \
  do {                                                                               \
    if (::zaya::cuda::device_count() == 0) GTEST_SKIP() << "skipped: no CUDA device"; \
  } while (0)

template <typename T>
class Dev {
 public:
  explicit Dev(std::size_t n) : n_(n), p_(static_cast<T*>(cuda::device_alloc(n * sizeof(T)))) {}
  explicit Dev(const std::vector<T>& v) : Dev(v.size()) { cuda::copy_to_device(p_, v.data(), v.size() * sizeof(T)); }
  ~Dev() { cuda::device_free(p_); }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
  T* get() const { return p_; }
  std::vector<T> host() const {
    cuda::device_synchronize();
    std::vector<T> v(n_);
    cuda::copy_to_host(v.data(), p_, n_ * sizeof(T));
    return v;
  }
  void fill(const std::vector<T>& v) { cuda::copy_to_device(p_, v.data(), v.size() * sizeof(T)); }

 private:
  std::size_t n_;
  T* p_;
};

// Fresh randomness each run; the seed is printed so a failure can be replayed.
std::mt19937& rng();
std::vector<float> random_vector(std::size_t n, float lo = -1.0f, float hi = 1.0f);

// A [rows, cols] (× experts) matrix in `dtype`, on the host (as the engine
// holds it) and on the device, plus every row widened to fp32 by the CPU
// reference (kernels/matmul.h dequantize_row).
struct TestMatrix {
  TestMatrix(DType dtype, std::int64_t rows, std::int64_t cols, int experts = 1);
  ~TestMatrix();
  TestMatrix(const TestMatrix&) = delete;
  TestMatrix& operator=(const TestMatrix&) = delete;

  std::vector<WeightMatrix> host;   // [experts]
  std::vector<std::vector<float>> ref;  // [experts][rows · cols]
  cuda::DMat dev;                   // stacked experts
  std::vector<std::vector<std::uint8_t>> storage;

 private:
  void* dev_data_ = nullptr;
  void* dev_scales_ = nullptr;
};

// acc[r] = Σ_c W[r,c]·x[c] in double, and mag[r] = Σ |W[r,c]·x[c]| (the scale of fp32 rounding).
void reference_products(const std::vector<float>& w, std::int64_t rows, std::int64_t cols, const std::vector<float>& x,
                        std::vector<double>& acc, std::vector<double>& mag);

// Σ|a_i - b_i|max over i relative to max |b|, and the worst absolute difference.
double max_rel_error(const std::vector<float>& got, const std::vector<double>& want);

}  // namespace zaya::test
