// The CPU backend's one-time copy of the quantised matrices (cpu/matrices.h):
// views of float models pass through untouched, and a model too large for
// the machine is refused with a message that says so, before any memory is
// touched.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cpu/matrices.h"
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
