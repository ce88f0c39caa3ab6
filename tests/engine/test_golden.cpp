// The zaya-tiny golden vectors in the fp32 regime: logits at every position
// (prefill and decode), routing, greedy ids; and, when something is off, the
// first intermediate tensor that disagrees with the debug trace.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cpu/cpu_backend.h"
#include "cpu/state.h"
#include "golden_util.h"
#include "io/safetensors.h"
#include "model/load_safetensors.h"
#include <unistd.h>
#include <algorithm>

namespace zaya::test {
namespace {

// Runs one full prefill of the traced case and returns the first stage whose
// values differ from debug_trace (or "" when all agree).
std::string first_wrong_stage(const std::string& model_dir, std::string* detail = nullptr) {
  const Trace ref = read_trace(golden_dir());
  auto w = std::make_shared<ModelWeights>(load_safetensors_model(model_dir, {}, nullptr, false));
  cpu::CpuBackend be(w, 2);
  const auto j = read_json(golden_dir() + "/debug_trace.json");
  const auto ids = j["ids"].get<std::vector<std::int32_t>>();
  const auto prefill = j["prefill_len"].get<std::int64_t>();
  StageValues got = traced_forward(be, ids);
  {  // decode state after the prefill part alone
    auto st = be.new_sequence();
    ForwardRequest req;
    req.ids = std::span<const TokenId>(ids.data(), static_cast<std::size_t>(prefill));
    be.forward(*st, req);
    const auto& cs = dynamic_cast<const cpu::CpuSequenceState&>(*st);
    const std::int64_t kw = w->config.kv_width();
    for (std::size_t l = 0; l < cs.layers.size(); ++l) {
      const std::string p = "state_after_prefill.L" + std::to_string(l) + ".";
      got[p + "conv_tail"] = cs.layers[l].conv_tail;
      got[p + "v_delayed"] = cs.layers[l].v_delayed;
      got[p + "k_cache"] = cs.position_major(cs.layers[l].k_cache);
      got[p + "v_cache"] = cs.position_major(cs.layers[l].v_cache);
      EXPECT_EQ(static_cast<std::int64_t>(got[p + "k_cache"].size()), prefill * kw);
    }
  }
  return first_stage_off(ref, got, /*require_all=*/true, detail);
}

class Golden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    weights_ = std::make_shared<ModelWeights>(load_safetensors_model(golden_dir(), {}, nullptr, false));
  }
  static void TearDownTestSuite() { weights_.reset(); }
  static std::shared_ptr<ModelWeights> weights_;
};
std::shared_ptr<ModelWeights> Golden::weights_;

TEST_F(Golden, LogitsAndRoutingEveryCase) {
  cpu::CpuBackend be(weights_, 2);
  const auto& c = be.config();
  const auto expected = read_f32(golden_dir() + "/expected_logits.bin");
  const auto routing = read_json(golden_dir() + "/expected_routing.json");
  bool any_failure = false;
  std::size_t case_index = 0;
  for (const auto& gc : golden_cases()) {
    SCOPED_TRACE(gc.name);
    const auto r = run_case(be, gc.ids, gc.prefill_len);
    float worst = 0;
    for (std::size_t t = 0; t < gc.ids.size(); ++t) {
      float worst_t = 0;
      for (std::int64_t v = 0; v < c.vocab_size; ++v) {
        const float e = expected[gc.logits_offset + t * c.vocab_size + v];
        worst_t = std::max(worst_t, std::fabs(r.logits[t * c.vocab_size + v] - e));
      }
      EXPECT_LE(worst_t, 2e-3f) << "position " << t << (static_cast<std::int64_t>(t) < gc.prefill_len ? " (prefill)" : " (decode)");
      worst = std::max(worst, worst_t);
    }
    const auto& rc = routing["cases"][case_index++];
    ASSERT_EQ(rc["name"].get<std::string>(), gc.name);
    for (std::size_t t = 0; t < gc.ids.size(); ++t)
      for (std::int64_t l = 0; l < c.num_layers; ++l) {
        const auto& er = rc["routing"][t][l];
        const auto& gr = r.routing[t * c.num_layers + l];
        EXPECT_EQ(gr.layer, l);
        EXPECT_EQ(gr.expert, er["expert"].get<int>()) << "token " << t << " layer " << l;
        EXPECT_NEAR(gr.weight, er["weight"].get<double>(), 1e-4) << "token " << t << " layer " << l;
        EXPECT_NEAR(gr.prob, er["prob"].get<double>(), 1e-4) << "token " << t << " layer " << l;
      }
    any_failure |= ::testing::Test::HasFailure();
    RecordProperty(gc.name + "_max_abs_logit_delta", std::to_string(worst));
  }
  if (any_failure) {
    std::string detail;
    const std::string stage = first_wrong_stage(golden_dir(), &detail);
    ADD_FAILURE() << "first intermediate that disagrees with debug_trace: " << (stage.empty() ? "none" : stage) << " " << detail;
  }
}

TEST_F(Golden, TraceMatchesStageByStage) {
  std::string detail;
  EXPECT_EQ(first_wrong_stage(golden_dir(), &detail), "") << detail;
}

TEST_F(Golden, GreedySixteenTokens) {
  cpu::CpuBackend be(weights_, 2);
  const auto g = read_json(golden_dir() + "/greedy.json");
  auto ids = g["prompt"].get<std::vector<std::int32_t>>();
  const auto want = g["generated"].get<std::vector<std::int32_t>>();
  auto st = be.new_sequence();
  std::vector<float> logits(static_cast<std::size_t>(be.config().vocab_size));
  std::vector<std::int32_t> got;
  std::vector<std::int32_t> next = ids;
  for (std::size_t i = 0; i < want.size(); ++i) {
    ForwardRequest req;
    req.ids = next;
    req.logits = logits.data();
    be.forward(*st, req);
    const auto id = static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    got.push_back(id);
    next = {id};
  }
  EXPECT_EQ(got, want);
}

// The golden cases with a narrower K/V cache (LoadOptions::kv_cache): every
// position's logits stay within `tolerance` of the fp32 cache's, and of the
// golden logits within that plus the fp32 test's 2e-3. Measured (AVX-512,
// AVX2 and scalar alike): fp16 moves a logit by at most 0.046, 8-bit by at
// most 0.53. This random model amplifies small changes to the keys: its key
// temperatures (up to ~13) make attention nearly argmax, and 8-bit weights
// move its logits by ~1 for the same reason (tests/quant/test_pack_model.cpp).
// The tolerances are those maxima with a little room, so a cache that
// stores rows coarser than its type (or misreads them) fails.
void expect_cache_keeps_logits_close(const std::shared_ptr<ModelWeights>& weights, KvCacheType type, float tolerance) {
  cpu::CpuBackend fp32(weights, 2), narrow(weights, 2, {}, true, type);
  ASSERT_EQ(narrow.kv_cache_type(), type);
  const std::int64_t V = fp32.config().vocab_size;
  const auto expected = read_f32(golden_dir() + "/expected_logits.bin");
  float worst = 0;
  for (const auto& gc : golden_cases()) {
    SCOPED_TRACE(gc.name);
    const auto want = run_case(fp32, gc.ids, gc.prefill_len), got = run_case(narrow, gc.ids, gc.prefill_len);
    for (std::size_t t = 0; t < gc.ids.size(); ++t) {
      float worst_t = 0, worst_golden = 0;
      for (std::int64_t v = 0; v < V; ++v) {
        const std::size_t i = t * V + v;
        worst_t = std::max(worst_t, std::fabs(got.logits[i] - want.logits[i]));
        worst_golden = std::max(worst_golden, std::fabs(got.logits[i] - expected[gc.logits_offset + i]));
      }
      EXPECT_LE(worst_t, tolerance) << "position " << t;
      EXPECT_LE(worst_golden, tolerance + 2e-3f) << "position " << t;
      worst = std::max(worst, worst_t);
    }
  }
  std::printf("%s K/V cache: largest logit change against fp32 %.5f\n", kv_cache_type_name(type), worst);
  ::testing::Test::RecordProperty(std::string(kv_cache_type_name(type)) + "_max_abs_logit_delta", std::to_string(worst));
}

TEST_F(Golden, HalfCacheKeepsLogitsClose) { expect_cache_keeps_logits_close(weights_, KvCacheType::F16, 0.07f); }
TEST_F(Golden, EightBitCacheKeepsLogitsClose) { expect_cache_keeps_logits_close(weights_, KvCacheType::Q8, 0.75f); }

// A wrong weight in layer 1's o_proj must be pinned on layer 1's o_proj output.
TEST_F(Golden, TraceNamesThePerturbedStage) {
  namespace fs = std::filesystem;
  const fs::path tmp = fs::temp_directory_path() / ("zaya-perturb-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  fs::copy_file(golden_dir() + "/config.json", tmp / "config.json", fs::copy_options::overwrite_existing);
  fs::copy_file(golden_dir() + "/model.safetensors", tmp / "model.safetensors", fs::copy_options::overwrite_existing);
  fs::permissions(tmp / "model.safetensors", fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
  {
    const auto* t = weights_->layers[1].o_proj.data;
    // Find the tensor's offset in the file through the loaded view.
    const Checkpoint ck = Checkpoint::open(golden_dir());
    const auto* info = ck.find("model.layers.1.self_attn.o_proj.weight");
    ASSERT_NE(info, nullptr);
    (void)t;
    std::fstream f(tmp / "model.safetensors", std::ios::in | std::ios::out | std::ios::binary);
    // Flip the sign of the first 16 bf16 values (bit 15 of each).
    for (int i = 0; i < 16; ++i) {
      f.seekg(static_cast<std::streamoff>(info->info.begin + 2 * i + 1));
      char hi;
      f.read(&hi, 1);
      hi = static_cast<char>(hi ^ 0x80);
      f.seekp(static_cast<std::streamoff>(info->info.begin + 2 * i + 1));
      f.write(&hi, 1);
    }
  }
  EXPECT_EQ(first_wrong_stage(tmp.string()), "L1.attn.out");
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace zaya::test
