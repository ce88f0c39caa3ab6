// The CUDA backend on quantised packs: zaya-tiny converted to q8 and q4
// (pack/quantize.h) and run on the GPU in exact mode (fp32 activations over
// the pack's own Q8/Q4 weights) against the CPU backend on the very same
// pack. The two differ only in the activations: the CPU's quantised kernels
// multiply int8-quantised activations (per 32-value group), the GPU
// multiplies fp32 ones, so they are not bit-equal; on this random, chaotic
// model (key temperatures up to ~13) the bounds are those the pack tests use
// for 8-bit weights against fp32 (tests/quant/test_pack_model.cpp): routing
// identical wherever the golden router margin is ≥ 0.15, and before a case's
// first routing difference, logits within 2.0 and the same greedy token
// wherever the CPU's top-2 gap is ≥ 1. Skipped without a device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>

#include "cpu/cpu_backend.h"
#include "device/cuda_backend.h"
#include "golden_util.h"
#include "pack/load_pack.h"
#include "pack/quantize.h"
#include "zaya/device.h"

namespace fs = std::filesystem;

namespace zaya::test {
namespace {

void compare_on_pack(const std::string& preset) {
  const fs::path dir = fs::path(testing::TempDir()) / ("zaya-tiny-gpu-" + preset);
  fs::create_directories(dir);
  const std::string pack_path = (dir / (preset + ".pack")).string();
  pack::QuantizeOptions qo;
  qo.preset = pack::quantize_preset(preset);
  qo.threads = 2;
  pack::quantize_checkpoint(golden_dir(), pack_path, qo);
  auto weights = std::make_shared<const ModelWeights>(pack::load_pack_model(pack_path, {}, nullptr, true, true));

  cpu::CpuBackend cpu(weights, 2);
  CudaBackendOptions o;
  o.exact = true, o.reserve_context = 4096;
  std::string err;
  auto gpu = create_cuda_backend(weights, o, &err);
  ASSERT_NE(gpu, nullptr) << err;

  const auto margins = read_json(golden_dir() + "/expected_routing.json");
  const std::int64_t V = weights->config.vocab_size, L = weights->config.num_layers;
  std::size_t ci = 0;
  int compared = 0;
  for (const auto& gc : golden_cases()) {
    SCOPED_TRACE(preset + " " + gc.name);
    const CaseResult want = run_case(cpu, gc.ids, gc.prefill_len);
    const CaseResult got = run_case(*gpu, gc.ids, gc.prefill_len);
    const auto& mc = margins["cases"][ci++];
    bool diverged = false;
    for (std::size_t t = 0; t < gc.ids.size(); ++t) {
      for (std::int64_t l = 0; l < L; ++l) {
        const auto& g = got.routing[t * L + l];
        const auto& w = want.routing[t * L + l];
        if (g.expert != w.expert) diverged = true;
        if (mc["routing"][t][l]["margin"].get<double>() >= 0.15) {
          EXPECT_EQ(g.expert, w.expert) << "token " << t << " layer " << l;
        }
      }
      if (diverged) continue;
      const float* a = got.logits.data() + t * V;
      const float* b = want.logits.data() + t * V;
      float worst = 0;
      for (std::int64_t v = 0; v < V; ++v) worst = std::max(worst, std::fabs(a[v] - b[v]));
      EXPECT_LE(worst, 2.0f) << "position " << t;
      std::vector<float> top(b, b + V);
      std::partial_sort(top.begin(), top.begin() + 2, top.end(), std::greater<float>());
      if (top[0] - top[1] >= 1.0f) {
        EXPECT_EQ(std::max_element(a, a + V) - a, std::max_element(b, b + V) - b) << "position " << t;
      }
      ++compared;
    }
  }
  EXPECT_GT(compared, 0);
  fs::remove_all(dir);
}

TEST(CudaBackendPacks, Q8PackOnTheGpuFollowsTheCpu) {
  if (probe_cuda().status != CudaStatus::Available) GTEST_SKIP() << "skipped: no CUDA device (" << probe_cuda().message << ")";
  compare_on_pack("q8");
}

TEST(CudaBackendPacks, Q4PackOnTheGpuFollowsTheCpu) {
  if (probe_cuda().status != CudaStatus::Available) GTEST_SKIP() << "skipped: no CUDA device (" << probe_cuda().message << ")";
  compare_on_pack("q4");
}

}  // namespace
}  // namespace zaya::test
