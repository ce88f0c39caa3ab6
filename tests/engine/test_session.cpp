// Sessions on random models of several shapes: prefill then decode equals one
// full prefill; truncation, forced tokens, stop ids, cancellation, limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <thread>
#include <unistd.h>

#include "cpu/cpu_backend.h"
#include "golden_util.h"
#include "synth/synth.h"
#include "zaya/model.h"
#include "zaya/session.h"

namespace zaya::test {
namespace {

namespace fs = std::filesystem;

// Writes a synthetic model once per shape name and removes it at exit.
class SynthDir {
 public:
  SynthDir(const synth::SynthOptions& o, const std::string& tag) {
    dir_ = fs::temp_directory_path() / ("zaya-synth-" + tag + "-" + std::to_string(::getpid()));
    synth::write_model(o, dir_.string());
  }
  ~SynthDir() { fs::remove_all(dir_); }
  std::string path() const { return dir_.string(); }

 private:
  fs::path dir_;
};

std::vector<TokenId> random_ids(std::size_t n, std::int64_t vocab, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<TokenId> ids(n);
  for (auto& id : ids) id = static_cast<TokenId>(rng.uniform() * static_cast<double>(vocab));
  return ids;
}

LoadOptions cpu_options() {
  LoadOptions o;
  o.device = DeviceKind::Cpu;
  o.threads = 2;
  return o;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float m = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

struct Shape {
  const char* name;
  std::int64_t heads, kv_heads, head_dim, experts, layers, hidden, seq;
  int shards;
  synth::StorageType dtype, small;
  bool fp8;
};

class PrefillDecode : public ::testing::TestWithParam<Shape> {};

// Logits and routing of [prefill chunk, then one token at a time, then a
// second chunk] equal those of one prefill over everything.
TEST_P(PrefillDecode, ChunkedEqualsFull) {
  const Shape s = GetParam();
  synth::SynthOptions o;
  o.num_heads = s.heads;
  o.num_kv_heads = s.kv_heads;
  o.head_dim = s.head_dim;
  o.num_experts = s.experts;
  o.num_layers = s.layers;
  o.hidden_size = s.hidden;
  o.vocab_size = 300;
  o.shards = s.shards;
  o.dtype = s.dtype;
  o.small_dtype = s.small;
  o.fp8_experts = s.fp8;
  o.seed = 11;
  SynthDir dir(o, s.name);
  auto model = Model::load(dir.path(), cpu_options());
  const auto ids = random_ids(static_cast<std::size_t>(s.seq), o.vocab_size, 5);

  SessionOptions so;
  so.prefill_chunk = s.seq;
  Session full(model, so);
  std::vector<float> want;
  const auto want_routing = full.feed(ids, &want);

  Session parts(model);
  std::vector<float> got;
  std::vector<std::vector<RoutingDecision>> got_routing;
  const std::size_t first = static_cast<std::size_t>(s.seq) / 3, decode_end = 2 * static_cast<std::size_t>(s.seq) / 3;
  auto add = [&](std::span<const TokenId> chunk) {
    for (auto& r : parts.feed(chunk, &got)) got_routing.push_back(r);
  };
  add(std::span<const TokenId>(ids).subspan(0, first));
  for (std::size_t i = first; i < decode_end; ++i) add(std::span<const TokenId>(ids).subspan(i, 1));
  add(std::span<const TokenId>(ids).subspan(decode_end));
  EXPECT_LE(max_abs_diff(got, want), 1e-3f);
  ASSERT_EQ(got_routing.size(), want_routing.size());
  int skips = 0;
  for (std::size_t t = 0; t < want_routing.size(); ++t)
    for (std::size_t l = 0; l < want_routing[t].size(); ++l) {
      EXPECT_EQ(got_routing[t][l].expert, want_routing[t][l].expert) << "token " << t << " layer " << l;
      EXPECT_NEAR(got_routing[t][l].weight, want_routing[t][l].weight, 1e-4);
      skips += want_routing[t][l].expert == s.experts;
    }
  // The synthetic models are built so that the skip class wins sometimes.
  EXPECT_GT(skips, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, PrefillDecode,
    ::testing::Values(Shape{"more_heads", 8, 2, 16, 4, 2, 64, 40, 1, synth::StorageType::BF16, synth::StorageType::BF16, false},
                      Shape{"nkv3", 6, 3, 16, 6, 3, 48, 33, 1, synth::StorageType::BF16, synth::StorageType::F32, false},
                      Shape{"nkv4", 8, 4, 12, 5, 2, 40, 29, 2, synth::StorageType::F16, synth::StorageType::F16, false},
                      Shape{"many_experts_sharded", 4, 1, 32, 16, 3, 64, 64, 3, synth::StorageType::BF16, synth::StorageType::BF16, false},
                      Shape{"f32_long", 4, 2, 16, 4, 2, 32, 300, 1, synth::StorageType::F32, synth::StorageType::F32, false},
                      Shape{"fp8_experts", 4, 2, 16, 4, 2, 64, 24, 2, synth::StorageType::BF16, synth::StorageType::F32, true}),
    [](const ::testing::TestParamInfo<Shape>& i) { return std::string(i.param.name); });

class SessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { model_ = Model::load(golden_dir(), cpu_options()); }
  static void TearDownTestSuite() { model_.reset(); }
  static std::shared_ptr<Model> model_;
  const std::vector<TokenId> prompt_{2, 244, 401, 438, 344, 55};
};
std::shared_ptr<Model> SessionTest::model_;

TEST_F(SessionTest, GreedyGoldenThroughGenerate) {
  const auto g = read_json(golden_dir() + "/greedy.json");
  Session s(model_);
  s.feed(g["prompt"].get<std::vector<TokenId>>());
  const auto events = s.generate(16, SamplingParams{});
  std::vector<TokenId> ids;
  for (const auto& e : events) {
    ids.push_back(e.id);
    EXPECT_EQ(e.routing.size(), 3u);
    EXPECT_LE(e.logprob, 0.0f);
  }
  EXPECT_EQ(ids, g["generated"].get<std::vector<TokenId>>());
}

TEST_F(SessionTest, SeededSamplingIsReproducible) {
  SamplingParams p;
  p.temperature = 1.2f;
  p.top_p = 0.95f;
  p.seed = 1234;
  auto run = [&](std::uint64_t seed) {
    Session s(model_);
    s.feed(prompt_);
    SamplingParams q = p;
    q.seed = seed;
    std::vector<TokenId> ids;
    for (const auto& e : s.generate(20, q)) ids.push_back(e.id);
    return ids;
  };
  const auto a = run(1234), b = run(1234), c = run(99);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST_F(SessionTest, StopIdsEndGeneration) {
  const auto g = read_json(golden_dir() + "/greedy.json");
  const auto want = g["generated"].get<std::vector<TokenId>>();
  Session s(model_);
  s.feed(prompt_);
  SamplingParams p;
  p.stop_ids = {want[3]};
  const auto events = s.generate(16, p);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_TRUE(events.back().stop);
  EXPECT_FALSE(events[2].stop);
  EXPECT_EQ(s.length(), static_cast<std::int64_t>(prompt_.size() + 4));
}

TEST_F(SessionTest, ForcedTokensAreEmittedThenSamplingResumes) {
  Session s(model_);
  s.feed(prompt_);
  const std::vector<TokenId> forced{7, 8, 9};
  s.force_tokens(forced);
  const auto ev = s.generate(5, SamplingParams{});
  ASSERT_EQ(ev.size(), 5u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ev[i].id, forced[i]);
    EXPECT_TRUE(ev[i].forced);
  }
  EXPECT_FALSE(ev[3].forced);
  // Same as feeding the forced ids as prompt and continuing greedily.
  Session r(model_);
  r.feed(prompt_);
  r.feed(forced);
  const auto rest = r.generate(2, SamplingParams{});
  EXPECT_EQ(ev[3].id, rest[0].id);
  EXPECT_EQ(ev[4].id, rest[1].id);
}

TEST_F(SessionTest, TruncateThenRefeedEqualsFresh) {
  SessionOptions so;
  so.prefill_chunk = 4;  // several checkpoints
  Session s(model_, so);
  const std::vector<TokenId> ids{2, 283, 405, 6, 446, 157, 255, 324, 257, 368, 134, 22, 46};
  s.feed(ids);
  s.generate(6, SamplingParams{});
  for (std::int64_t cut : {12, 9, 5, 1}) {
    s.truncate(cut);
    EXPECT_EQ(s.length(), cut);
    Session fresh(model_);
    fresh.feed(std::span<const TokenId>(ids).subspan(0, static_cast<std::size_t>(cut)));
    const std::vector<float> a(s.last_logits().begin(), s.last_logits().end());
    const std::vector<float> b(fresh.last_logits().begin(), fresh.last_logits().end());
    EXPECT_LE(max_abs_diff(a, b), 1e-4f) << "cut " << cut;
    // Continuing from both gives the same tokens.
    const std::vector<TokenId> more{100, 200};
    std::vector<float> la, lb;
    s.feed(more, &la);
    fresh.feed(more, &lb);
    EXPECT_LE(max_abs_diff(la, lb), 1e-4f) << "cut " << cut;
    s.truncate(cut);
  }
  s.truncate(0);
  EXPECT_EQ(s.length(), 0);
  EXPECT_TRUE(s.last_logits().empty());
  EXPECT_THROW(s.step(SamplingParams{}), std::logic_error);
}

TEST_F(SessionTest, ContextLimit) {
  SessionOptions so;
  so.context_limit = 8;
  Session s(model_, so);
  s.feed(prompt_);
  EXPECT_THROW(s.feed(std::vector<TokenId>{1, 2, 3}), ContextFullError);
  EXPECT_EQ(s.length(), 6);
  const auto ev = s.generate(10, SamplingParams{});
  EXPECT_EQ(ev.size(), 2u);
  EXPECT_THROW(s.step(SamplingParams{}), ContextFullError);
  EXPECT_THROW(s.feed(std::vector<TokenId>{512}), std::out_of_range);
}

TEST_F(SessionTest, CancelBetweenTokensLeavesSessionIntact) {
  Session s(model_);
  s.feed(prompt_);
  int n = 0;
  EXPECT_THROW(s.generate(10, SamplingParams{}, [&](const TokenEvent&) {
    if (++n == 3) s.request_cancel();
    return true;
  }), Cancelled);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(s.length(), static_cast<std::int64_t>(prompt_.size() + 3));
  // The request was consumed: the session continues like an uncancelled one.
  const auto next = s.step(SamplingParams{});
  Session r(model_);
  r.feed(prompt_);
  const auto ref = r.generate(4, SamplingParams{});
  EXPECT_EQ(next.id, ref[3].id);
}

// Backend level: a cancel raised while layer 1 runs stops the pass and
// leaves the decode state untouched.
TEST_F(SessionTest, CancelInsideForwardRestoresState) {
  auto& be = model_->backend();
  auto st = be.new_sequence();
  std::vector<float> l0(512), l1(512), ref(512);
  ForwardRequest a;
  a.ids = std::span<const TokenId>(prompt_).subspan(0, 3);
  a.logits = l0.data();
  be.forward(*st, a);
  std::atomic<bool> cancel{false};
  TraceSink sink = [&](const std::string& name, const float*, const std::vector<std::int64_t>&) {
    if (name == "L1.attn.conv_out") cancel = true;
  };
  ForwardRequest b;
  b.ids = std::span<const TokenId>(prompt_).subspan(3);
  b.logits = l1.data();
  b.cancel = &cancel;
  b.trace = &sink;
  EXPECT_THROW(be.forward(*st, b), Cancelled);
  EXPECT_EQ(st->length(), 3);
  cancel = false;
  b.trace = nullptr;
  be.forward(*st, b);
  auto fresh = be.new_sequence();
  ForwardRequest c;
  c.ids = prompt_;
  c.logits = ref.data();
  be.forward(*fresh, c);
  EXPECT_LE(max_abs_diff(l1, ref), 1e-4f);
}

// Session level, from another thread, in the middle of a long prefill.
TEST(SessionCancel, FromAnotherThreadDuringPrefill) {
  synth::SynthOptions o;
  o.hidden_size = 128;
  o.num_layers = 4;
  o.vocab_size = 1000;
  SynthDir dir(o, "cancel");
  auto model = Model::load(dir.path(), cpu_options());
  SessionOptions so;
  so.context_limit = 8192;
  so.prefill_chunk = 256;
  Session s(model, so);
  const auto warm = random_ids(4, 1000, 3);
  s.feed(warm);
  const auto ids = random_ids(3000, 1000, 4);
  std::atomic<bool> started{false};
  std::thread canceller([&] {
    while (!started) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    s.request_cancel();
  });
  const auto t0 = std::chrono::steady_clock::now();
  started = true;
  bool cancelled = false;
  try {
    s.feed(ids);
  } catch (const Cancelled&) {
    cancelled = true;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  canceller.join();
  ASSERT_TRUE(cancelled) << "prefill finished in " << secs << " s before the cancel arrived";
  EXPECT_EQ(s.length(), 4);
  // Same state as a session that only saw the warm-up tokens.
  std::vector<float> a, b;
  s.feed(std::span<const TokenId>(ids).subspan(0, 3), &a);
  Session r(model, so);
  r.feed(warm);
  r.feed(std::span<const TokenId>(ids).subspan(0, 3), &b);
  EXPECT_LE(max_abs_diff(a, b), 1e-4f);
}

TEST(ModelLoad, ReportsProgressAndCanBeCancelled) {
  std::vector<double> seen;
  LoadOptions o = cpu_options();
  o.progress = [&](double f, const std::string&) { seen.push_back(f); };
  auto m = Model::load(golden_dir(), o);
  ASSERT_GE(seen.size(), 3u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.back(), 1.0);
  EXPECT_EQ(m->config().num_experts, 4);
  EXPECT_NE(m->device_description().find("CPU"), std::string::npos);
  std::atomic<bool> cancel{false};
  o.cancel = &cancel;
  o.progress = [&](double, const std::string& stage) {
    if (stage == "checking checkpoint") cancel = true;
  };
  EXPECT_THROW(Model::load(golden_dir(), o), Cancelled);
}

TEST(MemoryEstimate, ScalesWithContext) {
  const auto a = estimate_memory(golden_dir(), 1000);
  const auto b = estimate_memory(golden_dir(), 2000);
  EXPECT_EQ(a.weight_bytes, fs::file_size(golden_dir() + "/model.safetensors"));
  EXPECT_EQ(a.kv_bytes_per_token, 3u * 2 * 2 * 16 * 4);
  EXPECT_GT(b.context_bytes, a.context_bytes);
  EXPECT_EQ(a.total_bytes, a.weight_bytes + a.context_bytes + a.scratch_bytes);
  ModelConfig c = load_config(golden_dir());
  c.num_layers = 40;
  c.num_kv_heads = 2;
  c.head_dim = 128;
  // Spec §5: K+V is 80 KiB per token in fp32 for the 8B shape.
  EXPECT_EQ(estimate_memory(c, 0, 1).kv_bytes_per_token, 80u * 1024);
}

}  // namespace
}  // namespace zaya::test
