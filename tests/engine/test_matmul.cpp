// matmul for every float storage type against a double-precision reference,
// on odd sizes, several token counts and deliberately misaligned data.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/convert.h"
#include "kernels/matmul.h"
#include "zaya/sampling.h"

namespace zaya::test {
namespace {

struct Case {
  DType type;
  std::int64_t rows, cols, S;
};

std::size_t elem(DType t) { return t == DType::F32 ? 4 : t == DType::F8_E4M3 ? 1 : 2; }

std::uint16_t to_f16(float f) {  // exact for the small integers/8 used below
  if (f == 0) return 0;
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const int e = static_cast<int>((x >> 23) & 0xff) - 127 + 15;
  return static_cast<std::uint16_t>(sign | (static_cast<std::uint32_t>(e) << 10) | ((x & 0x7fffffu) >> 13));
}

class Matmul : public ::testing::TestWithParam<Case> {};

TEST_P(Matmul, MatchesReference) {
  const Case c = GetParam();
  Rng rng(static_cast<std::uint64_t>(c.rows * 1000 + c.cols));
  // Values k/8 with small k are exact in every type (F8 e4m3 included).
  std::vector<float> w(static_cast<std::size_t>(c.rows * c.cols));
  for (auto& v : w) v = static_cast<float>(static_cast<int>(rng.uniform() * 31) - 15) / 8.0f;
  std::vector<float> scale(static_cast<std::size_t>(c.rows));
  for (auto& s : scale) s = 0.5f + static_cast<float>(rng.uniform());
  const std::size_t es = elem(c.type);
  std::vector<unsigned char> storage(w.size() * es + 1);
  unsigned char* base = storage.data() + 1;  // misaligned on purpose
  for (std::size_t i = 0; i < w.size(); ++i) {
    switch (c.type) {
      case DType::F32: std::memcpy(base + 4 * i, &w[i], 4); break;
      case DType::BF16: { const std::uint16_t h = f32_to_bf16(w[i]); std::memcpy(base + 2 * i, &h, 2); break; }
      case DType::F16: { const std::uint16_t h = to_f16(w[i]); std::memcpy(base + 2 * i, &h, 2); break; }
      default: {
        int best = 0;
        for (int code = 0; code < 256; ++code)
          if (f8e4m3_to_f32(static_cast<std::uint8_t>(code)) == w[i]) { best = code; break; }
        ASSERT_EQ(f8e4m3_to_f32(static_cast<std::uint8_t>(best)), w[i]);
        base[i] = static_cast<unsigned char>(best);
      }
    }
  }
  WeightMatrix W;
  W.dtype = c.type;
  W.rows = c.rows;
  W.cols = c.cols;
  W.data = base;
  W.row_stride_bytes = static_cast<std::size_t>(c.cols) * es;
  const bool scaled = c.type == DType::F8_E4M3;
  if (scaled) {
    W.scales = scale.data();
    W.scale_row_stride_bytes = 4;
  }
  std::vector<float> x(static_cast<std::size_t>(c.S * c.cols));
  for (auto& v : x) v = static_cast<float>(rng.uniform() * 2 - 1);
  std::vector<float> y(static_cast<std::size_t>(c.S * c.rows), -999.0f);
  ThreadPool pool(2);
  matmul(W, x.data(), c.S, y.data(), pool);
  for (std::int64_t s = 0; s < c.S; ++s)
    for (std::int64_t r = 0; r < c.rows; ++r) {
      double ref = 0;
      for (std::int64_t k = 0; k < c.cols; ++k) ref += static_cast<double>(w[r * c.cols + k]) * x[s * c.cols + k];
      if (scaled) ref *= scale[r];
      ASSERT_NEAR(y[s * c.rows + r], ref, 1e-4 * (1 + std::fabs(ref))) << "s " << s << " r " << r;
    }
  // Row lookup (embedding) and a row slice agree with the matrix.
  std::vector<float> row(static_cast<std::size_t>(c.cols));
  const std::int64_t r = c.rows / 2;
  dequantize_row(W, r, row.data());
  for (std::int64_t k = 0; k < c.cols; ++k) ASSERT_EQ(row[k], w[r * c.cols + k] * (scaled ? scale[r] : 1.0f));
  const WeightMatrix tail = W.row_slice(r, c.rows - r);
  std::vector<float> y2(static_cast<std::size_t>(c.rows - r));
  matmul(tail, x.data(), 1, y2.data(), pool);
  // One token takes the per-row dot, several the register tile: the same
  // products summed in another order.
  for (std::int64_t i = 0; i < c.rows - r; ++i) ASSERT_NEAR(y2[i], y[r + i], 1e-5 * (1 + std::fabs(y[r + i])));
}

INSTANTIATE_TEST_SUITE_P(Types, Matmul,
                         ::testing::Values(Case{DType::F32, 13, 37, 1}, Case{DType::F32, 70, 129, 5},
                                           Case{DType::BF16, 13, 37, 1}, Case{DType::BF16, 301, 256, 1},
                                           Case{DType::BF16, 64, 100, 17}, Case{DType::F16, 9, 23, 1},
                                           Case{DType::F16, 33, 64, 4}, Case{DType::F8_E4M3, 17, 40, 1},
                                           Case{DType::F8_E4M3, 40, 96, 6}));

TEST(Matmul, DtypeNames) {
  EXPECT_STREQ(dtype_name(DType::BF16), "BF16");
  EXPECT_STREQ(dtype_name(DType::F8_E4M3), "F8_E4M3");
  EXPECT_STREQ(dtype_name(DType::Q4_G32), "Q4_G32");
}

TEST(ThreadPool, CoversRangeOnceAndNests) {
  ThreadPool pool(3);
  std::vector<int> hits(1000, 0);
  pool.parallel_for(1000, [&](std::int64_t b, std::int64_t e) {
    for (auto i = b; i < e; ++i) ++hits[static_cast<std::size_t>(i)];
    pool.parallel_for(4, [](std::int64_t, std::int64_t) {});  // runs inline
  });
  for (int h : hits) ASSERT_EQ(h, 1);
}

}  // namespace
}  // namespace zaya::test
