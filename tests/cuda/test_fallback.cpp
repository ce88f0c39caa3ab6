// The GPU → CPU fallback of device/cuda_backend.h, driven by a stand-in
// "GPU" backend that fails on a chosen call (no device needed): sequences
// move to the CPU by replay and produce the CPU reference's logits; old
// checkpoints still restore; cancellation and bad input are not failures.
#include <gtest/gtest.h>

#include <cmath>

#include "cpu/cpu_backend.h"
#include "device/cuda_backend.h"
#include "golden_util.h"
#include "model/load_safetensors.h"
#include "zaya/errors.h"

namespace zaya::test {
namespace {

std::shared_ptr<const ModelWeights> tiny() {
  static auto w = std::make_shared<const ModelWeights>(load_safetensors_model(golden_dir(), {}, nullptr, false));
  return w;
}

// A backend that computes like the CPU but fails with a device error on call
// `fail_at` (1-based) and every call after it, and whose checkpoints have a
// layout of their own (one extra value), like the real CUDA state's.
class FlakyBackend final : public Backend {
 public:
  FlakyBackend(std::shared_ptr<const ModelWeights> w, int fail_at) : cpu_(std::move(w), 1), fail_at_(fail_at) {}
  const ModelConfig& config() const override { return cpu_.config(); }
  std::string description() const override { return "flaky GPU"; }
  std::unique_ptr<SequenceState> new_sequence() override {
    auto s = std::make_unique<State>();
    s->in = cpu_.new_sequence();
    return s;
  }
  void forward(SequenceState& base, const ForwardRequest& req) override {
    if (++calls_ >= fail_at_) throw Error("CUDA error: an illegal memory access was encountered (simulated)");
    cpu_.forward(*dynamic_cast<State&>(base).in, req);
  }

 private:
  struct State final : SequenceState {
    std::unique_ptr<SequenceState> in;
    std::int64_t length() const override { return in->length(); }
    StateCheckpoint checkpoint() const override {
      StateCheckpoint c = in->checkpoint();
      c.fixed_state.push_back(42.0f);
      return c;
    }
    void restore(const StateCheckpoint& c) override {
      in->restore({c.length, std::vector<float>(c.fixed_state.begin(), c.fixed_state.end() - 1)});
    }
    void reset() override { in->reset(); }
  };
  cpu::CpuBackend cpu_;
  int fail_at_;
  int calls_ = 0;
};

std::vector<float> step(Backend& be, SequenceState& st, std::vector<TokenId> ids) {
  std::vector<float> logits(static_cast<std::size_t>(be.config().vocab_size));
  ForwardRequest r;
  r.ids = ids;
  r.logits = logits.data();
  be.forward(st, r);
  return logits;
}

float max_delta(const std::vector<float>& a, const std::vector<float>& b) {
  float m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

TEST(CudaFallback, DeviceFailureMovesSequencesToTheCpu) {
  cpu::CpuBackend ref(tiny(), 1);
  auto be = with_cpu_fallback(std::make_unique<FlakyBackend>(tiny(), 4), tiny(), 1);
  EXPECT_EQ(be->description(), "flaky GPU");
  auto a = be->new_sequence(), b = be->new_sequence();
  auto ra = ref.new_sequence(), rb = ref.new_sequence();
  const std::vector<TokenId> prompt = {2, 17, 99, 300, 5};
  EXPECT_LE(max_delta(step(*be, *a, prompt), step(ref, *ra, prompt)), 1e-4f);       // call 1
  EXPECT_LE(max_delta(step(*be, *b, {2, 9}), step(ref, *rb, {2, 9})), 1e-4f);       // call 2
  const StateCheckpoint before = a->checkpoint();                                   // GPU layout, length 5
  const StateCheckpoint ref_before = ra->checkpoint();
  EXPECT_LE(max_delta(step(*be, *a, {7}), step(ref, *ra, {7})), 1e-4f);             // call 3
  // Call 4 fails on the "GPU": replayed on the CPU, same logits.
  EXPECT_LE(max_delta(step(*be, *a, {8}), step(ref, *ra, {8})), 1e-4f);
  EXPECT_NE(be->description().find("the GPU failed"), std::string::npos) << be->description();
  EXPECT_NE(be->description().find("illegal memory access"), std::string::npos);
  EXPECT_EQ(a->length(), 7);
  // The other sequence moves at its next call.
  EXPECT_LE(max_delta(step(*be, *b, {11}), step(ref, *rb, {11})), 1e-4f);
  EXPECT_EQ(b->length(), 3);
  // A checkpoint from before the move still restores (by replay).
  a->restore(before);
  ra->restore(ref_before);
  EXPECT_EQ(a->length(), 5);
  EXPECT_LE(max_delta(step(*be, *a, {12}), step(ref, *ra, {12})), 1e-4f);
  // New sequences start on the CPU; checkpoints taken there restore directly.
  auto c = be->new_sequence();
  step(*be, *c, prompt);
  const StateCheckpoint cp = c->checkpoint();
  const auto first = step(*be, *c, {13});
  c->restore(cp);
  EXPECT_EQ(step(*be, *c, {13}), first);
}

TEST(CudaFallback, CancellationAndBadInputAreNotDeviceFailures) {
  auto be = with_cpu_fallback(std::make_unique<FlakyBackend>(tiny(), 1000), tiny(), 1);
  auto s = be->new_sequence();
  std::atomic<bool> cancel{true};
  const std::vector<TokenId> ids = {2, 3};
  ForwardRequest r;
  r.ids = ids;
  r.cancel = &cancel;
  EXPECT_THROW(be->forward(*s, r), Cancelled);
  const std::vector<TokenId> bad = {2, 1 << 30};
  ForwardRequest rb;
  rb.ids = bad;
  EXPECT_THROW(be->forward(*s, rb), std::out_of_range);
  EXPECT_EQ(be->description(), "flaky GPU");
  EXPECT_EQ(s->length(), 0);
}

}  // namespace
}  // namespace zaya::test
