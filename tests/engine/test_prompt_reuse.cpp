// Continuing a session with the next prompt of a conversation
// (Session::reuse_prefix, then feeding the rest) gives the logits, routing
// and greedy tokens of a fresh session fed the whole prompt.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "golden_util.h"
#include "zaya/model.h"
#include "zaya/session.h"

namespace zaya::test {
namespace {

LoadOptions cpu_options() {
  LoadOptions o;
  o.device = DeviceKind::Cpu;
  o.threads = 2;
  return o;
}

// The golden tolerance of the tiny model (testdata README: 1e-4 in fp32).
constexpr float kTolerance = 1e-4f;

class PromptReuse : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { model_ = Model::load(golden_dir(), cpu_options()); }
  static void TearDownTestSuite() { model_.reset(); }

  // Feeds `prompt` to `s` through reuse_prefix and checks the logits of every
  // fed position, their routing and eight greedy tokens after it against a
  // fresh session fed the whole prompt. Returns how many tokens were kept.
  static std::int64_t continue_and_compare(Session& s, const std::vector<TokenId>& prompt) {
    const std::int64_t kept = s.reuse_prefix(prompt);
    EXPECT_GE(kept, 0);
    EXPECT_LT(kept, static_cast<std::int64_t>(prompt.size()));
    EXPECT_EQ(s.length(), kept);
    EXPECT_TRUE(std::equal(s.tokens().begin(), s.tokens().end(), prompt.begin()));
    std::vector<float> got, want;
    const auto got_routing = s.feed(std::span<const TokenId>(prompt).subspan(static_cast<std::size_t>(kept)), &got);
    Session fresh(model_);
    const auto want_routing = fresh.feed(prompt, &want);
    const auto V = static_cast<std::size_t>(model_->config().vocab_size);
    EXPECT_EQ(got.size(), (prompt.size() - static_cast<std::size_t>(kept)) * V);
    float worst = 0;
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
      worst = std::max(worst, std::fabs(got[i] - want[kept * V + i]));
    EXPECT_LE(worst, kTolerance);
    for (std::size_t t = 0; t < got_routing.size(); ++t)
      for (std::size_t l = 0; l < got_routing[t].size(); ++l) {
        const RoutingDecision& a = got_routing[t][l];
        const RoutingDecision& b = want_routing[static_cast<std::size_t>(kept) + t][l];
        EXPECT_EQ(a.expert, b.expert) << "token " << t << " layer " << l;
        EXPECT_NEAR(a.prob, b.prob, kTolerance);
      }
    std::vector<TokenId> a, b;
    for (const auto& e : s.generate(8, SamplingParams{})) a.push_back(e.id);
    for (const auto& e : fresh.generate(8, SamplingParams{})) b.push_back(e.id);
    EXPECT_EQ(a, b);
    return kept;
  }

  static std::shared_ptr<Model> model_;
  const std::vector<TokenId> prompt_{2, 244, 401, 438, 344, 55, 17, 300, 12};
};
std::shared_ptr<Model> PromptReuse::model_;

std::vector<TokenId> concat(std::vector<TokenId> a, const std::vector<TokenId>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_F(PromptReuse, StrictExtensionKeepsTheWholeContext) {
  Session s(model_);
  s.feed(prompt_);
  s.generate(6, SamplingParams{});
  const std::vector<TokenId> context = s.tokens();
  const auto next = concat(context, {106, 10, 105, 77, 88, 99});
  EXPECT_EQ(continue_and_compare(s, next), static_cast<std::int64_t>(context.size()));
}

// The next prompt renders the reply differently after its third token (as a
// template drops the thinking): the state goes back to the end of the
// previous prompt, the latest one saved inside the common prefix.
TEST_F(PromptReuse, DivergenceInsideThePreviousReply) {
  Session s(model_);
  s.feed(prompt_);
  s.generate(6, SamplingParams{});
  std::vector<TokenId> next(s.tokens().begin(), s.tokens().begin() + static_cast<std::ptrdiff_t>(prompt_.size() + 3));
  next = concat(next, {5, 6, 7, 106, 10, 105, 42});
  EXPECT_EQ(continue_and_compare(s, next), static_cast<std::int64_t>(prompt_.size()));
}

TEST_F(PromptReuse, PromptEqualToTheContextRerunsOnlyItsTail) {
  Session s(model_);
  s.feed(prompt_);
  s.generate(4, SamplingParams{});
  const std::vector<TokenId> same = s.tokens();
  const std::int64_t kept = continue_and_compare(s, same);
  EXPECT_EQ(kept, static_cast<std::int64_t>(prompt_.size()));  // the prompt's end; the reply is fed again
}

TEST_F(PromptReuse, ShorterPromptAndDivergenceAtTheFirstToken) {
  Session s(model_);
  s.feed(prompt_);
  s.generate(3, SamplingParams{});
  const std::vector<TokenId> shorter(prompt_.begin(), prompt_.begin() + 5);
  continue_and_compare(s, shorter);
  EXPECT_EQ(continue_and_compare(s, {3, 4, 5}), 0);
  EXPECT_EQ(s.reuse_prefix(std::vector<TokenId>{}), 0);
  EXPECT_EQ(s.length(), 0);
}

// Saved states every few positions (small prefill chunks, a long reply over
// the 256-position spacing): the latest one inside the common prefix is used.
TEST_F(PromptReuse, LongContextWithManyCheckpoints) {
  SessionOptions so;
  so.prefill_chunk = 5;
  Session s(model_, so);
  std::vector<TokenId> prompt;
  for (int i = 0; i < 23; ++i) prompt.push_back(static_cast<TokenId>((i * 37 + 11) % 500));
  s.feed(prompt);
  s.generate(270, SamplingParams{});
  std::vector<TokenId> next(s.tokens().begin(), s.tokens().begin() + 262);
  next = concat(next, {1, 2, 3});
  EXPECT_EQ(continue_and_compare(s, next), 256);
}

// The state at the end of every prompt is kept, also when the last prefill
// chunk is a single token.
TEST_F(PromptReuse, PromptEndIsSavedAfterASingleTokenChunk) {
  SessionOptions so;
  so.prefill_chunk = 4;
  Session s(model_, so);
  s.feed(prompt_);  // chunks of 4, 4, 1
  s.generate(5, SamplingParams{});
  const auto next = concat(prompt_, {400, 401, 402});
  EXPECT_EQ(continue_and_compare(s, next), static_cast<std::int64_t>(prompt_.size()));
}

TEST_F(PromptReuse, QueuedForcedTokensOfThePreviousReplyAreDropped) {
  Session s(model_);
  s.feed(prompt_);
  s.force_tokens(std::vector<TokenId>{7, 8, 9});
  s.step(SamplingParams{});  // the reply ended after the first forced token
  const auto next = concat(prompt_, {50, 60});
  continue_and_compare(s, next);  // the greedy tokens after it are sampled, as for the fresh session
}

TEST_F(PromptReuse, StepRefusesUntilTheRestIsFed) {
  Session s(model_);
  s.feed(prompt_);
  s.generate(3, SamplingParams{});
  const auto next = concat(prompt_, {1, 2});
  EXPECT_EQ(s.reuse_prefix(next), static_cast<std::int64_t>(prompt_.size()));
  EXPECT_TRUE(s.last_logits().empty());
  EXPECT_THROW(s.step(SamplingParams{}), std::logic_error);
}

}  // namespace
}  // namespace zaya::test
