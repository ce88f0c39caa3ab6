// Quantised matmul against the fp32 reference (dequantised weights × exact
// fp32 activations, summed in double) on random inputs, at every dispatch
// level this CPU supports, for decode (S = 1) and prefill-sized S.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "quant/interleave.h"
#include "quant/qgemm.h"
#include "quant/quant_format.h"
#include "util/thread_pool.h"

namespace zaya::quant {
namespace {

struct Case {
  DType dtype;
  std::int64_t rows, cols, S;
};

struct Fixture {
  std::vector<std::byte> region;
  WeightMatrix W;
  std::vector<float> x;      // [S, cols]
  std::vector<double> yref;  // [S, rows]
};

Fixture make(const Case& c, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  Fixture f;
  const QuantLayout l = quant_layout(c.dtype, c.rows, c.cols);
  f.region.resize(l.total_bytes);
  f.W = quant_view(c.dtype, c.rows, c.cols, f.region.data());
  std::vector<float> w(static_cast<std::size_t>(c.cols)), deq(static_cast<std::size_t>(c.rows * c.cols));
  for (std::int64_t r = 0; r < c.rows; ++r) {
    for (float& v : w) v = 0.05f * nd(rng);
    quantize_row(c.dtype, w.data(), c.cols, f.region.data() + r * f.W.row_stride_bytes,
                 reinterpret_cast<std::uint16_t*>(f.region.data() + l.scales_offset + r * f.W.scale_row_stride_bytes));
    dequantize_quant_row(f.W, r, deq.data() + r * c.cols);
  }
  f.x.resize(static_cast<std::size_t>(c.S * c.cols));
  for (float& v : f.x) v = nd(rng) * (rng() % 8 == 0 ? 4.0f : 1.0f);  // some outliers, as in real activations
  f.yref.assign(static_cast<std::size_t>(c.S * c.rows), 0.0);
  for (std::int64_t s = 0; s < c.S; ++s)
    for (std::int64_t r = 0; r < c.rows; ++r) {
      double acc = 0;
      for (std::int64_t k = 0; k < c.cols; ++k) acc += static_cast<double>(deq[r * c.cols + k]) * f.x[s * c.cols + k];
      f.yref[s * c.rows + r] = acc;
    }
  return f;
}

// ||y − y_ref|| / ||y_ref|| over the whole output. The only error left is the
// int8 quantisation of the activations (half a step of 1/127 of each group's
// largest value): measured ≈ 0.006 on these inputs, bound 0.015.
double relative_error(const std::vector<float>& y, const std::vector<double>& yref) {
  double e = 0, n = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    e += (y[i] - yref[i]) * (y[i] - yref[i]);
    n += yref[i] * yref[i];
  }
  return std::sqrt(e / n);
}

std::vector<CpuLevel> levels() {
  std::vector<CpuLevel> out;
  for (CpuLevel l : {CpuLevel::Scalar, CpuLevel::Avx2, CpuLevel::Avx2Vnni, CpuLevel::Avx512Vnni})
    if (cpu_supports(l)) out.push_back(l);
  return out;
}

const Case kCases[] = {
    {DType::Q4_G32, 67, 2048, 1},  {DType::Q8_G32, 67, 2048, 1},  {DType::Q4_G32, 40, 2048, 7},
    {DType::Q8_G32, 40, 2048, 7},  {DType::Q4_G32, 33, 48, 5},    {DType::Q8_G32, 33, 48, 5},
    {DType::Q4_G32, 17, 32, 3},    {DType::Q8_G32, 17, 32, 2},    {DType::Q4_G32, 9, 1056, 37},
    {DType::Q8_G32, 9, 1056, 37},  {DType::Q4_G32, 5, 100, 1},    {DType::Q8_G32, 5, 100, 4},
    {DType::Q4_G32, 6, 32, 1},     {DType::Q8_G32, 7, 96, 1},     {DType::Q4_G32, 11, 96, 1},
};

TEST(QGemm, MatchesFp32ReferenceAtEveryLevel) {
  ThreadPool pool(2);
  unsigned seed = 11;
  for (const Case& c : kCases) {
    const Fixture f = make(c, seed++);
    std::vector<float> base;
    for (CpuLevel level : levels()) {
      std::vector<float> y(static_cast<std::size_t>(c.S * c.rows), NAN);
      quant_matmul(f.W, f.x.data(), c.S, y.data(), pool, level);
      const std::string what = std::string(dtype_name(c.dtype)) + " " + std::to_string(c.rows) + "x" +
                               std::to_string(c.cols) + " S=" + std::to_string(c.S) + " level " + cpu_level_name(level);
      const double err = relative_error(y, f.yref);
      EXPECT_LT(err, 0.015) << what;
      // Same integer arithmetic at every level: only fp32 summation order differs.
      if (base.empty()) {
        base = y;
      } else {
        for (std::size_t i = 0; i < y.size(); ++i)
          ASSERT_NEAR(y[i], base[i], 1e-4 * (1.0 + std::fabs(base[i]))) << what << " element " << i;
      }
    }
  }
}

TEST(QGemm, RowRangesWriteOnlyTheirColumns) {
  const Case c{DType::Q4_G32, 20, 64, 3};
  const Fixture f = make(c, 5);
  for (CpuLevel level : levels()) {
    QuantizedActivations acts;
    quantize_activations(f.x.data(), c.S, c.cols, acts, level);
    std::vector<float> y(static_cast<std::size_t>(c.S * c.rows), -1234.0f);
    qgemm_rows(f.W, acts, y.data(), c.rows, 5, 12, level);
    for (std::int64_t s = 0; s < c.S; ++s)
      for (std::int64_t r = 0; r < c.rows; ++r) {
        const float v = y[s * c.rows + r];
        if (r >= 5 && r < 12) EXPECT_NE(v, -1234.0f);
        else EXPECT_EQ(v, -1234.0f) << "row " << r << " written outside its range";
      }
  }
}

TEST(QGemm, ActivationQuantisationIsExactForRepresentableRows) {
  // A group whose values are integer multiples of amax/127 quantises exactly.
  std::vector<float> x(64);
  for (int i = 0; i < 64; ++i) x[i] = static_cast<float>((i * 37) % 255 - 127) * 0.5f;
  x[3] = 63.5f;  // each group's largest magnitude is 127 · 0.5
  x[40] = -63.5f;
  for (CpuLevel level : levels()) {
    QuantizedActivations a;
    quantize_activations(x.data(), 1, 64, a, level);
    ASSERT_EQ(a.groups, 2);
    int sum0 = 0;
    for (int i = 0; i < 64; ++i) {
      EXPECT_EQ(a.q[i] * a.scale[i / 32], x[i]) << cpu_level_name(level) << " " << i;
      if (i < 32) sum0 += a.q[i];
    }
    EXPECT_FLOAT_EQ(a.sum[0], a.scale[0] * static_cast<float>(sum0));
  }
}

// A chunk's activations quantised across a pool are the ones one thread
// makes, and the chunk tiles' group-major copy holds the same values (−Σq
// for the offsets), for a column count with a padded last group.
TEST(QGemm, ChunkActivationsAcrossThePoolAndTheirGroupMajorCopy) {
  const std::int64_t S = 37, cols = 1000;
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(S * cols));
  for (float& v : x) v = nd(rng);
  ThreadPool pool(2);
  for (CpuLevel level : levels()) {
    QuantizedActivations one, split;
    quantize_activations(x.data(), S, cols, one, level);
    quantize_activations(x.data(), S, cols, split, level, &pool);
    const auto G = static_cast<std::size_t>(one.groups);
    const auto n = static_cast<std::size_t>(S) * G;
    ASSERT_TRUE(std::equal(one.q.begin(), one.q.begin() + static_cast<std::ptrdiff_t>(n * 32), split.q.begin()));
    ASSERT_TRUE(std::equal(one.scale.begin(), one.scale.begin() + static_cast<std::ptrdiff_t>(n), split.scale.begin()));
    ASSERT_TRUE(std::equal(one.qsum.begin(), one.qsum.begin() + static_cast<std::ptrdiff_t>(n), split.qsum.begin()));
    for (std::size_t s = 0; s < static_cast<std::size_t>(S); ++s)
      for (std::size_t g = 0; g < G; ++g) {
        const std::size_t by_group = g * static_cast<std::size_t>(S) + s;
        ASSERT_EQ(split.scale_by_group[by_group], one.scale[s * G + g]) << cpu_level_name(level);
        ASSERT_EQ(split.neg_qsum_by_group[by_group], -one.qsum[s * G + g]) << cpu_level_name(level);
        for (std::size_t i = 0; i < 32; ++i)
          ASSERT_EQ(split.q_by_group[by_group * 32 + i], one.q[(s * G + g) * 32 + i]) << cpu_level_name(level);
      }
  }
}

// A row-major matrix in the CPU's interleaved layout, 64-byte aligned like the
// backend's arena.
struct Interleaved {
  std::vector<std::byte> storage;
  WeightMatrix W;
};

Interleaved interleave(const WeightMatrix& src) {
  Interleaved out;
  const DType t = interleaved_type(src.dtype);
  const std::size_t bytes = interleaved_bytes(t, src.rows, src.cols);
  out.storage.assign(bytes + 64, std::byte{0x5a});  // garbage the interleaving must overwrite
  auto* aligned = reinterpret_cast<std::byte*>((reinterpret_cast<std::uintptr_t>(out.storage.data()) + 63) / 64 * 64);
  out.W = interleaved_view(t, src.rows, src.cols, aligned);
  // Two calls over disjoint block ranges, as the backend's threads make them.
  const std::int64_t blocks = row_blocks(src.rows), half = blocks / 2;
  interleave_blocks(src, 0, half, aligned);
  interleave_blocks(src, half, blocks, aligned);
  return out;
}

TEST(QGemm, InterleavedLayoutHoldsTheSameValues) {
  for (const Case& c : kCases) {
    const Fixture f = make(c, 101);
    const Interleaved x16 = interleave(f.W);
    std::vector<float> a(static_cast<std::size_t>(c.cols)), b(a.size());
    for (std::int64_t r = 0; r < c.rows; ++r) {
      dequantize_quant_row(f.W, r, a.data());
      dequantize_interleaved_row(x16.W, r, b.data());
      ASSERT_EQ(a, b) << dtype_name(x16.W.dtype) << " row " << r;
    }
  }
}

// The interleaved kernels against the fp32 reference and against the
// row-major kernels on the same quantised activations (the same integer sums,
// so only the fp32 summation order may differ), for every level: AVX-512 and
// AVX2 run their own kernels, the scalar level the reference of the layout.
TEST(QGemm, InterleavedKernelsMatchTheRowMajorOnes) {
  ThreadPool pool(2);
  unsigned seed = 211;
  const Case extra[] = {{DType::Q4_G32, 48, 2048, 131}, {DType::Q8_G32, 35, 256, 129}, {DType::Q4_G32, 16, 64, 8},
                        {DType::Q4_G32, 300, 1024, 1},  {DType::Q8_G32, 31, 2048, 9}};
  std::vector<Case> cases(std::begin(kCases), std::end(kCases));
  cases.insert(cases.end(), std::begin(extra), std::end(extra));
  for (const Case& c : cases) {
    const Fixture f = make(c, seed++);
    const Interleaved x16 = interleave(f.W);
    for (CpuLevel level : levels()) {
      const std::string what = std::string(dtype_name(x16.W.dtype)) + " " + std::to_string(c.rows) + "x" +
                               std::to_string(c.cols) + " S=" + std::to_string(c.S) + " level " + cpu_level_name(level);
      std::vector<float> y(static_cast<std::size_t>(c.S * c.rows), NAN), base(y.size(), NAN);
      quant_matmul(x16.W, f.x.data(), c.S, y.data(), pool, level);
      quant_matmul(f.W, f.x.data(), c.S, base.data(), pool, level);
      EXPECT_LT(relative_error(y, f.yref), 0.015) << what;
      for (std::size_t i = 0; i < y.size(); ++i)
        ASSERT_NEAR(y[i], base[i], 1e-4 * (1.0 + std::fabs(base[i]))) << what << " element " << i;
    }
  }
}

// A layer's q, k and value projections in one call: each output is exactly
// what its own quant_matmul gives (the same kernel on the same rows), in both
// layouts, with row counts that do not fill the last block, at every level.
TEST(QGemm, SharedInputMatchesOneCallPerMatrix) {
  for (const std::int64_t S : {1, 9}) {
    const Case shapes[] = {{DType::Q4_G32, 256, 512, S}, {DType::Q8_G32, 48, 512, S}, {DType::Q4_G32, 35, 512, S}};
    std::vector<Fixture> f;
    std::vector<Interleaved> x16;
    unsigned seed = 401;
    for (const Case& c : shapes) {
      f.push_back(make(c, seed++));
      x16.push_back(interleave(f.back().W));
    }
    for (const bool interleaved : {false, true})
      for (const int threads : {2, 3})
        for (CpuLevel level : levels()) {
          ThreadPool pool(threads);
          std::vector<const WeightMatrix*> W;
          std::vector<std::vector<float>> y, alone;
          for (std::size_t i = 0; i < f.size(); ++i) {
            W.push_back(interleaved ? &x16[i].W : &f[i].W);
            y.emplace_back(static_cast<std::size_t>(S * W.back()->rows), NAN);
            alone.emplace_back(y.back().size(), NAN);
            quant_matmul(*W.back(), f[0].x.data(), S, alone.back().data(), pool, level);
          }
          std::vector<float*> out;
          for (auto& v : y) out.push_back(v.data());
          ASSERT_TRUE(quant_matmul_shared_input(W, out, f[0].x.data(), S, pool, level));
          for (std::size_t i = 0; i < f.size(); ++i)
            ASSERT_EQ(y[i], alone[i]) << "matrix " << i << (interleaved ? " interleaved" : " row-major") << " S=" << S
                                      << " threads " << threads << " level " << cpu_level_name(level);
        }
  }
}

TEST(QGemm, SharedInputRefusesMatricesThatDoNotShareIt) {
  ThreadPool pool(2);
  const Fixture a = make({DType::Q4_G32, 32, 512, 1}, 7), b = make({DType::Q4_G32, 32, 256, 1}, 8);
  const Interleaved ax = interleave(a.W);
  std::vector<float> ya(32, NAN), yb(32, NAN);
  float* out[] = {ya.data(), yb.data()};
  const WeightMatrix* other_width[] = {&a.W, &b.W};
  EXPECT_FALSE(quant_matmul_shared_input(other_width, out, a.x.data(), 1, pool));
  const WeightMatrix* mixed_layouts[] = {&a.W, &ax.W};
  EXPECT_FALSE(quant_matmul_shared_input(mixed_layouts, out, a.x.data(), 1, pool));
  EXPECT_TRUE(std::isnan(ya[0]) && std::isnan(yb[0]));  // nothing computed
}

TEST(QGemm, InterleavedRowRangesAreWholeBlocks) {
  const Case c{DType::Q8_G32, 40, 64, 2};
  const Fixture f = make(c, 17);
  const Interleaved x16 = interleave(f.W);
  for (CpuLevel level : levels()) {
    QuantizedActivations acts;
    quantize_activations(f.x.data(), c.S, c.cols, acts, level);
    std::vector<float> y(static_cast<std::size_t>(c.S * c.rows), -1234.0f);
    qgemm_rows(x16.W, acts, y.data(), c.rows, 16, 40, level);  // blocks 1 and 2 (the padded last one)
    for (std::int64_t s = 0; s < c.S; ++s)
      for (std::int64_t r = 0; r < c.rows; ++r) {
        const float v = y[s * c.rows + r];
        if (r >= 16) EXPECT_NE(v, -1234.0f) << "row " << r;
        else EXPECT_EQ(v, -1234.0f) << "row " << r << " written outside its range";
      }
    EXPECT_THROW(qgemm_rows(x16.W, acts, y.data(), c.rows, 5, 16, level), std::logic_error);
    EXPECT_THROW(qgemm_rows(x16.W, acts, y.data(), c.rows, 0, 20, level), std::logic_error);
  }
}

TEST(QGemm, RejectsMismatchedShapes) {
  const Case c{DType::Q8_G32, 4, 64, 1};
  const Fixture f = make(c, 9);
  QuantizedActivations a;
  quantize_activations(f.x.data(), 1, 32, a);
  std::vector<float> y(4);
  EXPECT_THROW(qgemm_rows(f.W, a, y.data(), 4, 0, 4), std::logic_error);
}

}  // namespace
}  // namespace zaya::quant
