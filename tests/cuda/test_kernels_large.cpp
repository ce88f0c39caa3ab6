// CUDA kernels at the sizes and settings the engine reaches but the small
// cases of test_kernels.cpp do not: a GEMV with more rows than one wave of
// blocks covers (the LM head's grid-stride loop: 262,144 rows in ZAYA1-8B),
// decode attention at the largest key-split count the backend uses (context
// 8192 and beyond), the same kernel chain with programmatic dependent launch
// on and off, and an unknown matrix format, which must be an error rather
// than a launch of nothing. Bounds are stated per test. The last test needs
// no device (the format is refused before any launch); the others report
// "skipped: no CUDA device" without one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "cuda_test_util.h"
#include "kernels/convert.h"
#include "quant/quant_format.h"
#include "zaya/errors.h"

namespace zaya::test {
namespace {

// 40,001 rows (odd: the last warp has one row): 20,001 two-row units, more
// than the 8 blocks × SMs of one launch on any current GPU, so every block
// loops. |y − ref| ≤ 1e-5·Σ|w·x| + 1e-6 on every row, as in the small GEMV test.
TEST(CudaKernelsLarge, GemvBeyondOneWaveOfBlocks) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  const std::int64_t rows = 40001, cols = 2048;
  for (DType t : {DType::Q4_G32, DType::Q8_G32, DType::BF16}) {
    SCOPED_TRACE(dtype_name(t));
    TestMatrix m(t, rows, cols);
    const auto x = random_vector(static_cast<std::size_t>(cols), -2.0f, 2.0f);
    Dev<float> dx(x), dy(static_cast<std::size_t>(rows));
    dy.fill(std::vector<float>(static_cast<std::size_t>(rows), std::nanf("")));  // every row must be written
    cuda::GemvArgs a;
    a.w = m.dev, a.x = dx.get(), a.y = dy.get();
    cuda::gemv(a, nullptr);
    const auto y = dy.host();
    std::vector<double> acc, mag;
    reference_products(m.ref[0], rows, cols, x, acc, mag);
    for (std::int64_t r = 0; r < rows; ++r) ASSERT_NEAR(y[r], acc[r], 1e-5 * mag[r] + 1e-6) << "row " << r;
  }
}

// ctx for one decode position against a float64 softmax over the stored keys.
double attention_error(int nq, int nkv, int d, std::int64_t p0, int nsplit, bool half) {
  const std::int64_t T = p0 + 1, KW = static_cast<std::int64_t>(nkv) * d, QW = static_cast<std::int64_t>(nq) * d;
  auto q = random_vector(static_cast<std::size_t>(QW), -0.5f, 0.5f);
  auto kf = random_vector(static_cast<std::size_t>(T * KW), -0.5f, 0.5f), vf = random_vector(static_cast<std::size_t>(T * KW));
  std::vector<std::uint16_t> kh(kf.size()), vh(vf.size());
  if (half)
    for (std::size_t i = 0; i < kf.size(); ++i) {
      kh[i] = quant::f32_to_f16(kf[i]), kf[i] = f16_to_f32(kh[i]);
      vh[i] = quant::f32_to_f16(vf[i]), vf[i] = f16_to_f32(vh[i]);
    }
  Dev<float> dq(q), dkf(kf), dvf(vf), dctx(static_cast<std::size_t>(QW));
  Dev<std::uint16_t> dkh(kh), dvh(vh);
  Dev<float> partial(static_cast<std::size_t>(nq) * nsplit * (d + 2));
  Dev<int> dp0(std::vector<int>{static_cast<int>(p0)});
  cuda::AttnParams ap;
  ap.nq = nq, ap.nkv = nkv, ap.d = d, ap.kv_half = half;
  cuda::attention(ap, dq.get(), half ? static_cast<const void*>(dkh.get()) : dkf.get(),
                  half ? static_cast<const void*>(dvh.get()) : dvf.get(), dp0.get(), 1, nsplit, partial.get(), dctx.get(),
                  nullptr);
  std::vector<double> ref(static_cast<std::size_t>(QW));
  const int G = nq / nkv;
  for (int h = 0; h < nq; ++h) {
    const int g = h / G;
    std::vector<double> s(static_cast<std::size_t>(T));
    for (std::int64_t j = 0; j < T; ++j) {
      double dot = 0;
      for (int e = 0; e < d; ++e) dot += static_cast<double>(q[h * d + e]) * kf[j * KW + g * d + e];
      s[j] = dot / std::sqrt(static_cast<double>(d));
    }
    const double mx = *std::max_element(s.begin(), s.end());
    double sum = 0;
    for (auto& v : s) sum += (v = std::exp(v - mx));
    for (int e = 0; e < d; ++e) {
      double a = 0;
      for (std::int64_t j = 0; j < T; ++j) a += s[j] / sum * vf[j * KW + g * d + e];
      ref[h * d + e] = a;
    }
  }
  return max_rel_error(dctx.host(), ref);
}

// The backend splits a decode step's keys into up to kMaxAttentionSplits
// parts (capacity / 32, clamped): context 8192 already uses all of them.
// Relative error ≤ 1e-5 of the largest context value, fp32 and fp16 caches,
// at the largest split count with uneven and with nearly empty splits.
TEST(CudaKernelsLarge, DecodeAttentionAtTheLargestSplitCount) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  const int n = cuda::kMaxAttentionSplits;
  for (bool half : {false, true}) {
    SCOPED_TRACE(half ? "fp16 cache" : "fp32 cache");
    EXPECT_LE(attention_error(8, 2, 128, 8191, n, half), 1e-5);   // 8192 keys: 32 per split
    EXPECT_LE(attention_error(8, 2, 128, 9000, n, half), 1e-5);   // uneven: 36 per split, the last shorter
    EXPECT_LE(attention_error(16, 2, 64, 300, n, half), 1e-5);    // 301 keys: most splits hold 1 or 2, some none
  }
  EXPECT_THROW(attention_error(8, 2, 128, 100, n + 1, false), Error);
}

// A chain of dependent GEMVs (each reads the previous one's output) gives the
// same bits with programmatic dependent launch on and off, and the CPU's
// numbers within the GEMV bound: a kernel that read its input before
// pdl_wait() would see stale data in the PDL run.
TEST(CudaKernelsLarge, ProgrammaticDependentLaunchOnAndOff) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  const std::int64_t n = 2048;
  const int steps = 6;
  std::vector<std::unique_ptr<TestMatrix>> w;
  for (int i = 0; i < steps; ++i) w.push_back(std::make_unique<TestMatrix>(DType::Q8_G32, n, n));
  const auto x0 = random_vector(static_cast<std::size_t>(n));
  auto run = [&](bool pdl) {
    const bool before = cuda::programmatic_launch();
    cuda::set_programmatic_launch(pdl);
    std::vector<std::unique_ptr<Dev<float>>> v;
    v.push_back(std::make_unique<Dev<float>>(x0));
    for (int i = 0; i < steps; ++i) {
      v.push_back(std::make_unique<Dev<float>>(static_cast<std::size_t>(n)));
      cuda::GemvArgs a;
      a.w = w[i]->dev, a.x = v[i]->get(), a.y = v[i + 1]->get();
      cuda::gemv(a, nullptr);
    }
    auto out = v.back()->host();
    cuda::set_programmatic_launch(before);
    return out;
  };
  const auto off = run(false), on = run(true);
  ASSERT_EQ(off.size(), on.size());
  for (std::size_t i = 0; i < off.size(); ++i) ASSERT_EQ(off[i], on[i]) << "row " << i;
  // The CPU reference of the chain, step by step from the device's own inputs.
  std::vector<float> x = x0;
  for (int i = 0; i < steps; ++i) {
    std::vector<double> acc, mag;
    reference_products(w[i]->ref[0], n, n, x, acc, mag);
    if (i == steps - 1) {
      for (std::int64_t r = 0; r < n; ++r) ASSERT_NEAR(off[r], acc[r], 1e-4 * mag[r] + 1e-5) << "row " << r;
    }
    for (std::int64_t r = 0; r < n; ++r) x[r] = static_cast<float>(acc[r]);
  }
}

// A format the device has no kernels for (here the CPU's interleaved layout)
// is refused by name before anything is launched; no device needed.
TEST(CudaKernelsLarge, UnknownMatrixFormatIsAnError) {
  cuda::DMat m;
  m.dtype = DType::Q4_G32_X16;
  m.rows = 16, m.cols = 64;
  cuda::GemvArgs a;
  a.w = m;
  try {
    cuda::gemv(a, nullptr);
    FAIL() << "gemv launched on a matrix format it cannot read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dtype_name(DType::Q4_G32_X16)), std::string::npos) << e.what();
  }
  EXPECT_THROW(cuda::gemm_f32(m, nullptr, 64, 1, nullptr, 16, nullptr), Error);
}

}  // namespace
}  // namespace zaya::test
