// The CPU backend's one-time copy of the quantised matrices (cpu/matrices.h):
// views of float models pass through untouched, quantised router matrices
// (row counts like the router's E + 1 = 17, not a multiple of 16) are
// interleaved and multiply as the row-major kernel does, and a model too
// large for the machine is refused with a message that says so, before any
// memory is touched.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "cpu/matrices.h"
#include "kernels/matmul.h"
#include "quant/qgemm.h"
#include "quant/cpu_level.h"
#include "quant/interleave.h"
#include "quant/quant_format.h"
#include "zaya/errors.h"

namespace zaya::cpu {
namespace {

TEST(CpuMatrices, FloatMatricesAreTheLoadedViews) {
  ModelWeights w;
  std::vector<float> data(64 * 32);
  w.embed.dtype = DType::F32;
  w.embed.rows = 64;
  w.embed.cols = 32;
  w.embed.data = data.data();
  w.embed.row_stride_bytes = 32 * sizeof(float);
  ThreadPool pool(2);
  const CpuMatrices m = prepare_matrices(w, /*interleave=*/true, pool);
  EXPECT_EQ(m.lm_head.data, data.data());
  EXPECT_EQ(m.arena, nullptr);
  EXPECT_EQ(m.arena_bytes, 0u);
}

// A Q8_G32 matrix of random weights; `store` owns its bytes.
WeightMatrix q8_matrix(std::vector<std::byte>& store, std::mt19937& rng, std::int64_t rows, std::int64_t cols) {
  const quant::QuantLayout l = quant::quant_layout(DType::Q8_G32, rows, cols);
  store.assign(l.total_bytes, std::byte{0});
  std::normal_distribution<float> n(0.0f, 0.05f);
  std::vector<float> row(static_cast<std::size_t>(cols));  // [cols] one row before quantising
  const WeightMatrix m = quant::quant_view(DType::Q8_G32, rows, cols, store.data());
  for (std::int64_t r = 0; r < rows; ++r) {
    for (float& v : row) v = n(rng);
    quant::quantize_row(DType::Q8_G32, row.data(), cols,
                        const_cast<std::byte*>(static_cast<const std::byte*>(m.data)) + r * static_cast<std::int64_t>(m.row_stride_bytes),
                        reinterpret_cast<std::uint16_t*>(const_cast<std::byte*>(static_cast<const std::byte*>(m.scales)) +
                                                         r * static_cast<std::int64_t>(m.scale_row_stride_bytes)));
  }
  return m;
}

// The router of ZAYA1-8B (D = 256, E + 1 = 17 classes; a narrower input
// than H = 2048 keeps it quick) in Q8_G32, as the presets write it.
TEST(CpuMatrices, QuantisedRouterMatricesAreInterleavedAndMatchTheRowMajorKernel) {
  constexpr std::int64_t H = 512, D = 256, classes = 17;
  std::mt19937 rng(3);
  std::vector<std::byte> down, fc1, fc2, out;
  ModelWeights w;
  LayerWeights l;
  l.router_down = q8_matrix(down, rng, D, H);
  l.router_fc1 = q8_matrix(fc1, rng, D, D);
  l.router_fc2 = q8_matrix(fc2, rng, D, D);
  l.router_out = q8_matrix(out, rng, classes, D);
  w.layers.push_back(l);
  ThreadPool pool(2);
  const quant::CpuLevel level = quant::default_cpu_level();
  const bool interleave = quant::prefers_interleaved(level);
  const CpuMatrices m = prepare_matrices(w, interleave, pool);
  const LayerMatrices& lm = m.layers.at(0);
  const std::pair<const WeightMatrix*, const WeightMatrix*> pairs[] = {
      {&lm.router_down, &l.router_down}, {&lm.router_fc1, &l.router_fc1}, {&lm.router_fc2, &l.router_fc2}, {&lm.router_out, &l.router_out}};
  for (const auto& [run, stored] : pairs) {
    SCOPED_TRACE(std::to_string(stored->rows) + " x " + std::to_string(stored->cols));
    EXPECT_EQ(run->dtype, interleave ? DType::Q8_G32_X16 : DType::Q8_G32);
    EXPECT_EQ(run->rows, stored->rows);
    // The same values, row by row (the padded rows of a last block are not rows).
    std::vector<float> a(static_cast<std::size_t>(stored->cols)), b(a.size());
    for (std::int64_t r = 0; r < stored->rows; ++r) {
      dequantize_row(*run, r, a.data());
      dequantize_row(*stored, r, b.data());
      ASSERT_EQ(a, b) << "row " << r;
    }
    // And the same products as the row-major kernel, for one token and a chunk.
    for (std::int64_t S : {1, 7}) {
      std::normal_distribution<float> n(0.0f, 1.0f);
      std::vector<float> x(static_cast<std::size_t>(S * stored->cols));  // [S, cols]
      for (float& v : x) v = n(rng);
      std::vector<float> got(static_cast<std::size_t>(S * stored->rows)), want(got.size());  // [S, rows]
      matmul(*run, x.data(), S, got.data(), pool);
      quant::quant_matmul(*stored, x.data(), S, want.data(), pool, level);
      for (std::size_t i = 0; i < got.size(); ++i)
        ASSERT_NEAR(got[i], want[i], 1e-4 * (1.0 + std::fabs(want[i]))) << "S " << S << " element " << i;
    }
  }
}

TEST(CpuMatrices, TooLargeForThisMachineIsAClearLoadError) {
  // A Q4 head of 2^33 rows × 4096 columns: ~9 TiB interleaved. Nothing is
  // read from the (tiny) source: the size check comes first.
  std::vector<std::byte> tiny(4096);
  ModelWeights w;
  w.embed = quant::quant_view(DType::Q4_G32, std::int64_t{1} << 33, 4096, tiny.data());
  ThreadPool pool(2);
  try {
    prepare_matrices(w, /*interleave=*/true, pool);
    FAIL() << "a 9 TiB model was accepted";
  } catch (const LoadError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("not enough memory to run this model on the CPU"), std::string::npos) << what;
    EXPECT_NE(what.find("GiB"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace zaya::cpu
