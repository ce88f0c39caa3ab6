// ZAYA1 router (MLP with EDA, E + 1 classes) and top-1 SwiGLU experts.
#include <algorithm>
#include <vector>

#include "cpu/layers.h"
#include "cpu/ops.h"
#include "cpu/scratch.h"
#include "kernels/matmul.h"
#include "util/stage_clock.h"

namespace zaya::cpu {

namespace {

// This thread's temporaries of moe (see scratch.h).
struct MoeScratch {
  std::vector<float> s, z, z2, logits, weight, p, xe, gu, act, ye;
  std::vector<std::int64_t> choice, tokens, first, cursor;
};

}  // namespace

void moe(const ModelConfig& c, const LayerWeights& w, const LayerMatrices& m, std::int64_t layer, const float* x, std::int64_t S, float* rho,
         float* out, RoutingDecision* routing, std::int64_t routing_stride, ThreadPool& pool, const LayerTrace& trace) {
  const std::int64_t H = c.hidden_size, D = c.router_hidden_size, E = c.num_experts, I = c.moe_intermediate_size;
  const std::int64_t classes = E + 1;
  thread_local MoeScratch scratch;
  StageTimeline clock(Stage::Router);

  // Router hidden state s = down(x) + b (+ ρ_prev ⊙ scale after layer 0); it
  // becomes the next layer's ρ before any normalisation.
  std::span<float> s = grow(scratch.s, S * D);  // [S, D]
  matmul(m.router_down, x, S, s.data(), pool);
  for (std::int64_t t = 0; t < S; ++t)
    for (std::int64_t i = 0; i < D; ++i) {
      float v = s[t * D + i] + w.router_down_bias[i];
      if (!w.router_states_scale.empty()) v += rho[t * D + i] * w.router_states_scale[i];
      s[t * D + i] = v;
    }
  std::copy(s.begin(), s.end(), rho);
  trace("router.hidden", s.data(), {S, D});

  std::span<float> z = grow(scratch.z, S * D), z2 = grow(scratch.z2, S * D);  // [S, D]
  rmsnorm(s.data(), w.router_norm.data(), S, D, c.rms_norm_eps, z.data());
  matmul(m.router_fc1, z.data(), S, z2.data(), pool);
  pool.parallel_for(S, [&](std::int64_t t0, std::int64_t t1) {
    for (std::int64_t t = t0; t < t1; ++t)
      for (std::int64_t i = 0; i < D; ++i) z2[t * D + i] = gelu_erf(z2[t * D + i] + w.router_fc1_bias[i]);
  }, kElementwiseRows);
  matmul(m.router_fc2, z2.data(), S, z.data(), pool);
  pool.parallel_for(S, [&](std::int64_t t0, std::int64_t t1) {
    for (std::int64_t t = t0; t < t1; ++t)
      for (std::int64_t i = 0; i < D; ++i) z[t * D + i] = gelu_erf(z[t * D + i] + w.router_fc2_bias[i]);
  }, kElementwiseRows);
  std::span<float> logits = grow(scratch.logits, S * classes);  // [S, E + 1]
  matmul(m.router_out, z.data(), S, logits.data(), pool);
  trace("router.logits", logits.data(), {S, classes});

  // Top-1 on biased probabilities; the applied weight is the unbiased one.
  std::span<std::int64_t> choice = grow(scratch.choice, S);
  std::span<float> weight = grow(scratch.weight, S);
  std::span<float> p = grow(scratch.p, classes);
  for (std::int64_t t = 0; t < S; ++t) {
    std::copy(logits.begin() + t * classes, logits.begin() + (t + 1) * classes, p.begin());
    softmax(p.data(), classes);
    std::int64_t best = 0;
    for (std::int64_t k = 1; k < classes; ++k)
      if (p[k] + w.balancing_biases[k] > p[best] + w.balancing_biases[best]) best = k;
    choice[t] = best;
    weight[t] = best == E ? 0.0f : p[best];
    if (routing) {
      RoutingDecision& r = routing[t * routing_stride];
      r.layer = static_cast<std::int32_t>(layer);
      r.expert = static_cast<std::int32_t>(best);
      r.prob = p[best];
      r.weight = weight[t];
    }
  }

  clock.at(Stage::Experts);
  // Experts: the tokens sorted by their expert (order[first[e] ..
  // first[e + 1]) are expert e's), so the gather, the SwiGLU and the
  // weighted scatter each run once over the whole chunk across the pool, and
  // each expert's two matmuls read one contiguous run of rows.
  std::vector<std::int64_t>& order = scratch.tokens;
  order.resize(static_cast<std::size_t>(S));
  std::vector<std::int64_t>& first = scratch.first;  // [E + 2]: counts, then where each class starts
  first.assign(static_cast<std::size_t>(E + 2), 0);
  for (std::int64_t t = 0; t < S; ++t) ++first[static_cast<std::size_t>(choice[t] + 1)];
  for (std::int64_t e = 0; e <= E; ++e) first[static_cast<std::size_t>(e + 1)] += first[static_cast<std::size_t>(e)];
  std::vector<std::int64_t>& cursor = scratch.cursor;  // [E + 1]
  cursor.assign(first.begin(), first.end() - 1);
  for (std::int64_t t = 0; t < S; ++t) order[static_cast<std::size_t>(cursor[static_cast<std::size_t>(choice[t])]++)] = t;
  const std::int64_t routed = first[static_cast<std::size_t>(E)];  // tokens that chose an expert, not the skip route
  const std::span<float> xe = grow(scratch.xe, routed * H);       // [routed, H] gathered inputs
  const std::span<float> gu = grow(scratch.gu, routed * 2 * I);   // [routed, 2I] gate | up
  const std::span<float> act = grow(scratch.act, routed * I);     // [routed, I]
  const std::span<float> ye = grow(scratch.ye, routed * H);       // [routed, H]
  for_token_rows(pool, routed, [&](std::int64_t i0, std::int64_t i1) {
    for (std::int64_t i = i0; i < i1; ++i) std::copy(x + order[i] * H, x + (order[i] + 1) * H, xe.begin() + i * H);
  });
  for (std::int64_t e = 0; e < E; ++e)
    if (const std::int64_t n = first[e + 1] - first[e]; n > 0)
      matmul(m.expert_gate_up[static_cast<std::size_t>(e)], xe.data() + first[e] * H, n, gu.data() + first[e] * 2 * I, pool);
  for_token_rows(pool, routed, [&](std::int64_t i0, std::int64_t i1) {
    for (std::int64_t i = i0; i < i1; ++i)
      for (std::int64_t j = 0; j < I; ++j) act[i * I + j] = silu(gu[i * 2 * I + j]) * gu[i * 2 * I + I + j];
  });
  for (std::int64_t e = 0; e < E; ++e)
    if (const std::int64_t n = first[e + 1] - first[e]; n > 0)
      matmul(m.expert_down[static_cast<std::size_t>(e)], act.data() + first[e] * I, n, ye.data() + first[e] * H, pool);
  // Every token's output row: its expert's, weighted; zeros for the skip route.
  for_token_rows(pool, S, [&](std::int64_t i0, std::int64_t i1) {
    for (std::int64_t i = i0; i < i1; ++i) {
      float* o = out + order[i] * H;
      if (i >= routed) {
        std::fill(o, o + H, 0.0f);
        continue;
      }
      const float wt = weight[order[i]];
      for (std::int64_t j = 0; j < H; ++j) o[j] = wt * ye[i * H + j];
    }
  });
  trace("moe.out", out, {S, H});
}

}  // namespace zaya::cpu
