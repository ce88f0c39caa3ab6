// The CUDA backend as the engine uses it (loaded through the probe): the
// zaya-tiny goldens in the fp32 regime (exact mode) and the bf16 regime
// (fast mode), prefill-then-decode against one full prefill, chunked
// prefill, graph and non-graph decode, checkpoints, memory refusal and the
// CPU fallback. Without a CUDA device the GPU tests report "skipped: no CUDA device".
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "device/cuda_backend.h"
#include "golden_util.h"
#include "model/load_safetensors.h"
#include "zaya/device.h"

namespace zaya::test {
namespace {

// Skipped where there is no usable device; a device whose backend library
// does not load (missing symbol, missing cuBLAS) is a failure, not a skip.
#define ZAYA_REQUIRE_CUDA_BACKEND()                                                                  \
  do {                                                                                               \
    const auto& probe_ = probe_cuda();                                                               \
    if (probe_.status == CudaStatus::BackendMissing || probe_.status == CudaStatus::Error)            \
      FAIL() << probe_.message;                                                                      \
    if (probe_.status != CudaStatus::Available)                                                      \
      GTEST_SKIP() << "skipped: no CUDA device (" << probe_.message << ")";                          \
  } while (0)

std::shared_ptr<const ModelWeights> tiny() {
  static auto w = std::make_shared<const ModelWeights>(load_safetensors_model(golden_dir(), {}, nullptr, false));
  return w;
}

std::unique_ptr<Backend> make(bool exact, bool graphs = true, std::int64_t chunk = 2048) {
  CudaBackendOptions o;
  o.exact = exact, o.use_graphs = graphs, o.max_chunk = chunk, o.reserve_context = 4096;
  std::string err;
  auto b = create_cuda_backend(tiny(), o, &err);
  EXPECT_NE(b, nullptr) << err;
  return b;
}

// Names the first debug-trace stage (of those the GPU produces) that is off by more than 1e-4 of its scale.
std::string first_wrong_stage(Backend& be) {
  const Trace ref = read_trace(golden_dir());
  const auto j = read_json(golden_dir() + "/debug_trace.json");
  const auto ids = j["ids"].get<std::vector<std::int32_t>>();
  const StageValues got = traced_forward(be, ids);
  if (got.empty()) return "no trace produced";
  std::string detail;
  const std::string stage = first_stage_off(ref, got, /*require_all=*/false, &detail);
  return stage.empty() ? stage : stage + ": " + detail;
}

void expect_fp32_goldens(Backend& be) {
  const auto& c = be.config();
  const auto expected = read_f32(golden_dir() + "/expected_logits.bin");
  const auto routing = read_json(golden_dir() + "/expected_routing.json");
  std::size_t ci = 0;
  for (const auto& gc : golden_cases()) {
    SCOPED_TRACE(gc.name);
    const CaseResult r = run_case(be, gc.ids, gc.prefill_len);
    for (std::size_t t = 0; t < gc.ids.size(); ++t) {
      float worst = 0;
      for (std::int64_t v = 0; v < c.vocab_size; ++v) {
        const float d = std::fabs(r.logits[t * c.vocab_size + v] - expected[gc.logits_offset + t * c.vocab_size + v]);
        worst = std::isnan(d) ? INFINITY : std::max(worst, d);
      }
      EXPECT_LE(worst, 2e-3f) << "position " << t << (static_cast<std::int64_t>(t) < gc.prefill_len ? " (prefill)" : " (decode)");
    }
    const auto& rc = routing["cases"][ci++];
    for (std::size_t t = 0; t < gc.ids.size(); ++t)
      for (std::int64_t l = 0; l < c.num_layers; ++l) {
        const auto& er = rc["routing"][t][l];
        const auto& gr = r.routing[t * c.num_layers + l];
        EXPECT_EQ(gr.layer, l);
        EXPECT_EQ(gr.expert, er["expert"].get<int>()) << "token " << t << " layer " << l;
        EXPECT_NEAR(gr.weight, er["weight"].get<double>(), 1e-4) << "token " << t << " layer " << l;
        EXPECT_NEAR(gr.prob, er["prob"].get<double>(), 1e-4) << "token " << t << " layer " << l;
      }
  }
}

TEST(CudaBackend, GoldensFp32Regime) {
  ZAYA_REQUIRE_CUDA_BACKEND();
  auto be = make(true);
  ASSERT_NE(be, nullptr);
  EXPECT_NE(be->description().find("CUDA"), std::string::npos);
  expect_fp32_goldens(*be);
  if (HasFailure()) ADD_FAILURE() << "first stage off the debug trace: " << first_wrong_stage(*be);
}

TEST(CudaBackend, TraceMatchesStageByStage) {
  ZAYA_REQUIRE_CUDA_BACKEND();
  auto be = make(true);
  ASSERT_NE(be, nullptr);
  EXPECT_EQ(first_wrong_stage(*be), "");
}

// The same goldens with decode steps launched kernel by kernel (no graph)
// and prompts cut into chunks of 3 tokens.
TEST(CudaBackend, GoldensWithoutGraphsInSmallChunks) {
  ZAYA_REQUIRE_CUDA_BACKEND();
  auto be = make(true, false, 3);
  ASSERT_NE(be, nullptr);
  expect_fp32_goldens(*be);
}

TEST(CudaBackend, GreedySixteenTokens) {
  ZAYA_REQUIRE_CUDA_BACKEND();
  auto be = make(true);
  ASSERT_NE(be, nullptr);
  const auto g = read_json(golden_dir() + "/greedy.json");
  const auto want = g["generated"].get<std::vector<std::int32_t>>();
  auto st = be->new_sequence();
  std::vector<float> logits(static_cast<std::size_t>(be->config().vocab_size));
  std::vector<std::int32_t> next = g["prompt"].get<std::vector<std::int32_t>>(), got;
  for (std::size_t i = 0; i < want.size(); ++i) {
    ForwardRequest req;
    req.ids = next;
    req.logits = logits.data();
    be->forward(*st, req);
    const auto id = static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    got.push_back(id);
    next = {id};
  }
  EXPECT_EQ(got, want);
}

// 250 tokens of prefill then 60 decode steps (crossing the first K/V growth
// at 256, which re-captures the graph) against one prefill of all 310:
// logits within 1e-4 of their scale, identical routing.
TEST(CudaBackend, PrefillThenDecodeEqualsFullPrefill) {
  ZAYA_REQUIRE_CUDA_BACKEND();
  auto be = make(true);
  ASSERT_NE(be, nullptr);
  std::mt19937 g(std::random_device{}());
  std::vector<std::int32_t> ids(310);
  for (auto& id : ids) id = static_cast<std::int32_t>(g() % be->config().vocab_size);
  const CaseResult stepwise = run_case(*be, ids, 250);
  const CaseResult full = run_case(*be, ids, static_cast<std::int64_t>(ids.size()));
  float scale = 1, worst = 0;
  for (std::size_t i = 0; i < full.logits.size(); ++i) {
    scale = std::max(scale, std::fabs(full.logits[i]));
    const float d = std::fabs(full.logits[i] - stepwise.logits[i]);
    worst = std::isnan(d) ? INFINITY : std::max(worst, d);
  }
  EXPECT_LE(worst, 1e-4f * scale);
  for (std::size_t i = 0; i < full.routing.size(); ++i) ASSERT_EQ(full.routing[i].expert, stepwise.routing[i].expert) << i;
}

// Checkpoint, decode, restore, decode again: the same logits bit for bit.
TEST(CudaBackend, CheckpointRestore) {
  ZAYA_REQUIRE_CUDA_BACKEND();
  auto be = make(false);
  ASSERT_NE(be, nullptr);
  const std::int64_t V = be->config().vocab_size;
  auto st = be->new_sequence();
  const std::vector<std::int32_t> prompt = {2, 17, 99, 300, 5, 41};
  ForwardRequest req;
  req.ids = prompt;
  be->forward(*st, req);
  const StateCheckpoint cp = st->checkpoint();
  auto steps = [&] {
    std::vector<float> all;
    for (std::int32_t id : {7, 8, 9, 10}) {
      std::vector<float> logits(static_cast<std::size_t>(V));
      ForwardRequest r;
      const std::vector<std::int32_t> one = {id};
      r.ids = one;
      r.logits = logits.data();
      be->forward(*st, r);
      all.insert(all.end(), logits.begin(), logits.end());
    }
    return all;
  };
  const auto first = steps();
  EXPECT_EQ(st->length(), 10);
  st->restore(cp);
  EXPECT_EQ(st->length(), 6);
  EXPECT_EQ(steps(), first);
}

// Fast mode (bf16 tensor-core GEMMs, fp16 K/V) in the golden README's bf16
// regime: positions before the first routing flip have mean |Δ| ≤ 0.15 and
// max |Δ| ≤ 2.0; routing agrees wherever the margin is ≥ 0.1; argmax agrees
// on ≥ 85 % of all positions.
TEST(CudaBackend, FastModeBf16Regime) {
  ZAYA_REQUIRE_CUDA_BACKEND();
  auto be = make(false);
  ASSERT_NE(be, nullptr);
  const auto& c = be->config();
  const auto expected = read_f32(golden_dir() + "/expected_logits.bin");
  const auto routing = read_json(golden_dir() + "/expected_routing.json");
  std::size_t ci = 0, positions = 0, argmax_same = 0;
  for (const auto& gc : golden_cases()) {
    SCOPED_TRACE(gc.name);
    const CaseResult r = run_case(*be, gc.ids, gc.prefill_len);
    const auto& rc = routing["cases"][ci++];
    bool flipped = false;
    for (std::size_t t = 0; t < gc.ids.size(); ++t) {
      for (std::int64_t l = 0; l < c.num_layers; ++l) {
        const auto& er = rc["routing"][t][l];
        const int got = r.routing[t * c.num_layers + l].expert;
        if (got != er["expert"].get<int>()) {
          flipped = true;
          EXPECT_LT(er["margin"].get<double>(), 0.1) << "token " << t << " layer " << l;
        }
      }
      const float* lg = r.logits.data() + t * c.vocab_size;
      const float* ex = expected.data() + gc.logits_offset + t * c.vocab_size;
      if (!flipped) {
        double sum = 0, mx = 0;
        for (std::int64_t v = 0; v < c.vocab_size; ++v) {
          const double d = std::fabs(static_cast<double>(lg[v]) - ex[v]);
          sum += d, mx = std::max(mx, std::isnan(d) ? INFINITY : d);
        }
        EXPECT_LE(sum / static_cast<double>(c.vocab_size), 0.15) << "position " << t;
        EXPECT_LE(mx, 2.0) << "position " << t;
      }
      ++positions;
      argmax_same += std::max_element(lg, lg + c.vocab_size) - lg == std::max_element(ex, ex + c.vocab_size) - ex;
    }
  }
  EXPECT_GE(static_cast<double>(argmax_same), 0.85 * static_cast<double>(positions));
}

TEST(CudaBackend, RefusesWhatDoesNotFitWithAClearMessage) {
  ZAYA_REQUIRE_CUDA_BACKEND();
  CudaBackendOptions o;
  o.reserve_context = std::int64_t{1} << 40;
  std::string err;
  EXPECT_EQ(create_cuda_backend(tiny(), o, &err), nullptr);
  EXPECT_NE(err.find("not enough GPU memory"), std::string::npos) << err;
  EXPECT_NE(err.find("using the CPU"), std::string::npos) << err;
}

// Runs everywhere: auto picks the GPU when there is one, else the CPU and says why.
TEST(CudaBackend, AutoSelectsGpuOrExplainsTheCpu) {
  std::string why;
  auto be = create_backend(DeviceChoice::Auto, tiny(), 2, CudaBackendOptions{}, &why);
  ASSERT_NE(be, nullptr);
  if (probe_cuda().status == CudaStatus::Available) {
    EXPECT_NE(be->description().find("CUDA"), std::string::npos) << be->description();
    EXPECT_TRUE(why.empty()) << why;
    // The status bar's "VRAM in use": the weights alone are on the device.
    const auto memory = be->device_memory();
    ASSERT_TRUE(memory.has_value());
    EXPECT_GT(memory->total_bytes, 0u);
    EXPECT_GT(memory->used_bytes, 0u);
    EXPECT_LE(memory->used_bytes, memory->total_bytes);
  } else {
    EXPECT_NE(be->description().find("CPU"), std::string::npos);
    EXPECT_FALSE(why.empty());
    EXPECT_FALSE(be->device_memory().has_value());
  }
  auto cpu = create_backend(DeviceChoice::Cpu, tiny(), 2, CudaBackendOptions{}, &why);
  EXPECT_NE(cpu->description().find("CPU"), std::string::npos);
  EXPECT_TRUE(why.empty());
  EXPECT_THROW(parse_device_choice("gpu"), std::invalid_argument);
  EXPECT_EQ(parse_device_choice("cuda"), DeviceChoice::Cuda);
}

}  // namespace
}  // namespace zaya::test
