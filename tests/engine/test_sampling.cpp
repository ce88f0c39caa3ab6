// Sampling on hand-made distributions: exactly the intended candidate sets.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "zaya/sampling.h"

namespace zaya::test {
namespace {

// logits = log p so the softmax gives back p exactly (up to rounding).
std::vector<float> logits_of(const std::vector<double>& p) {
  std::vector<float> l;
  for (double v : p) l.push_back(static_cast<float>(std::log(v)));
  return l;
}

std::set<TokenId> ids_of(const std::vector<std::pair<TokenId, float>>& c) {
  std::set<TokenId> s;
  for (const auto& [id, p] : c) s.insert(id);
  return s;
}

const std::vector<double> kDist{0.05, 0.40, 0.10, 0.25, 0.15, 0.05};  // sorted: 1, 3, 4, 2, 0/5

TEST(Sampling, TopK) {
  SamplingParams p;
  p.temperature = 1;
  p.top_k = 3;
  const auto c = sampling_candidates(logits_of(kDist), p);
  EXPECT_EQ(ids_of(c), (std::set<TokenId>{1, 3, 4}));
  EXPECT_NEAR(c[0].second, 0.40 / 0.80, 1e-6);
  EXPECT_EQ(c[0].first, 1);
}

TEST(Sampling, TopP) {
  SamplingParams p;
  p.temperature = 1;
  p.top_p = 0.65f;  // 0.40 + 0.25 = 0.65 reaches it
  EXPECT_EQ(ids_of(sampling_candidates(logits_of(kDist), p)), (std::set<TokenId>{1, 3}));
  p.top_p = 0.66f;
  EXPECT_EQ(ids_of(sampling_candidates(logits_of(kDist), p)), (std::set<TokenId>{1, 3, 4}));
  p.top_p = 0.1f;  // always at least one
  EXPECT_EQ(ids_of(sampling_candidates(logits_of(kDist), p)), (std::set<TokenId>{1}));
}

TEST(Sampling, MinP) {
  SamplingParams p;
  p.temperature = 1;
  p.min_p = 0.3f;  // floor 0.12: keeps 0.40, 0.25, 0.15
  EXPECT_EQ(ids_of(sampling_candidates(logits_of(kDist), p)), (std::set<TokenId>{1, 3, 4}));
  p.min_p = 0.2f;  // floor 0.08: adds 0.10
  EXPECT_EQ(ids_of(sampling_candidates(logits_of(kDist), p)), (std::set<TokenId>{1, 2, 3, 4}));
}

TEST(Sampling, FiltersCombineAndTemperatureSharpens) {
  SamplingParams p;
  p.temperature = 1;
  p.top_k = 4;
  p.top_p = 0.9f;
  p.min_p = 0.5f;  // floor 0.2
  EXPECT_EQ(ids_of(sampling_candidates(logits_of(kDist), p)), (std::set<TokenId>{1, 3}));
  SamplingParams cold;
  cold.temperature = 0.5f;
  const auto c = sampling_candidates(logits_of(kDist), cold);
  // p^(1/T) renormalised: 0.40² / Σp² .
  double z = 0;
  for (double v : kDist) z += v * v;
  EXPECT_NEAR(c[0].second, 0.16 / z, 1e-5);
}

TEST(Sampling, DrawsFollowTheKeptDistribution) {
  SamplingParams p;
  p.temperature = 1;
  p.top_k = 2;
  Rng rng(42);
  std::map<TokenId, int> n;
  const auto l = logits_of(kDist);
  for (int i = 0; i < 20000; ++i) ++n[sample_token(l, p, {}, rng)];
  EXPECT_EQ(n.size(), 2u);
  EXPECT_NEAR(n[1] / 20000.0, 0.40 / 0.65, 0.02);
  EXPECT_NEAR(n[3] / 20000.0, 0.25 / 0.65, 0.02);
}

TEST(Sampling, SeededRngIsReproducibleAndPortable) {
  Rng a(7), b(7), c(8);
  std::vector<double> va, vb, vc;
  for (int i = 0; i < 5; ++i) {
    va.push_back(a.uniform());
    vb.push_back(b.uniform());
    vc.push_back(c.uniform());
  }
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
  // MT19937-64 reference: the first output for seed 5489 is 14514284786278117030.
  Rng ref(5489);
  EXPECT_DOUBLE_EQ(ref.uniform(), static_cast<double>(14514284786278117030ULL >> 11) / 9007199254740992.0);
}

TEST(Sampling, GreedyAndRepetitionPenalty) {
  std::vector<float> l{1.0f, 3.0f, 2.9f, -1.0f};
  SamplingParams p;  // greedy
  Rng rng(1);
  EXPECT_EQ(sample_token(l, p, {}, rng), 1);
  p.repetition_penalty = 1.5f;
  const std::vector<TokenId> hist{1, 3};
  EXPECT_EQ(sample_token(l, p, hist, rng), 2);  // 3.0 / 1.5 = 2.0 < 2.9
  std::vector<float> m = l;
  apply_repetition_penalty(m, hist, 1.5f, 0);
  EXPECT_FLOAT_EQ(m[1], 2.0f);
  EXPECT_FLOAT_EQ(m[3], -1.5f);   // negative logits are multiplied
  EXPECT_FLOAT_EQ(m[0], 1.0f);
  std::vector<float> w = l;
  apply_repetition_penalty(w, hist, 1.5f, 1);  // window: only the last token (3)
  EXPECT_FLOAT_EQ(w[1], 3.0f);
  EXPECT_FLOAT_EQ(w[3], -1.5f);
}

TEST(Sampling, Logprob) {
  const auto l = logits_of(kDist);
  EXPECT_NEAR(token_logprob(l, 3), std::log(0.25), 1e-5);
}

}  // namespace
}  // namespace zaya::test
