#include "cpu/cpu_backend.h"

#include <stdexcept>

#include "cpu/layers.h"
#include "cpu/ops.h"
#include "cpu/scratch.h"
#include "cpu/state.h"
#include "kernels/matmul.h"
#include "quant/cpu_level.h"
#include "quant/interleave.h"
#include "util/stage_clock.h"
#include "zaya/errors.h"

namespace zaya::cpu {

CpuBackend::CpuBackend(std::shared_ptr<const ModelWeights> weights, int threads, const LoadProgress& progress,
                       bool fast_layout, KvCacheType kv_cache)
    : weights_(std::move(weights)),
      pool_(threads),
      matrices_(prepare_matrices(*weights_, fast_layout && quant::prefers_interleaved(quant::default_cpu_level()), pool_,
                                 progress)),
      kv_cache_(resolve_kv_cache_type(kv_cache, *weights_)) {}

std::string CpuBackend::description() const { return "CPU (" + std::to_string(pool_.size()) + " threads)"; }

std::unique_ptr<SequenceState> CpuBackend::new_sequence() { return std::make_unique<CpuSequenceState>(weights_->config, kv_cache_); }

void CpuBackend::forward(SequenceState& base_state, const ForwardRequest& req) {
  auto& state = dynamic_cast<CpuSequenceState&>(base_state);
  const ModelWeights& w = *weights_;
  const ModelConfig& c = w.config;
  const std::int64_t S = static_cast<std::int64_t>(req.ids.size());
  const std::int64_t H = c.hidden_size, V = c.vocab_size, L = c.num_layers;
  if (S == 0) return;
  for (TokenId id : req.ids)
    if (id < 0 || id >= V) throw std::out_of_range("token id " + std::to_string(id) + " outside the vocabulary [0, " + std::to_string(V) + ")");
  const std::int64_t p0 = state.length();
  auto trace = [&](const char* name, const float* data, std::vector<std::int64_t> shape) {
    if (req.trace && *req.trace) (*req.trace)(name, data, shape);
  };

  // Fixed-size state is restored if the pass stops half-way; K/V entries
  // past length() are never read, so they need no undo.
  const StateCheckpoint undo = state.checkpoint();
  state.reserve(p0 + S);
  try {
    // h: [S, H] residual stream, fp32 throughout.
    StageTimeline clock(Stage::Residual);
    // The residual stream and its temporaries: this thread's, grown to the
    // largest chunk it has seen (scratch.h).
    thread_local std::vector<float> h_buffer, x_buffer, a_buffer, r_buffer, rho_buffer;
    const std::span<float> h = grow(h_buffer, S * H);
    for (std::int64_t t = 0; t < S; ++t) {
      float* ht = h.data() + t * H;
      dequantize_row(w.embed, req.ids[t], ht);
      for (std::int64_t i = 0; i < H; ++i) ht[i] = (ht[i] + w.input_bias[i]) * w.input_scale[i];
    }
    trace("embed_scaled", h.data(), {S, H});

    const std::span<float> x = grow(x_buffer, S * H), a = grow(a_buffer, S * H), r = grow(r_buffer, S * H);  // [S, H] each
    const std::span<float> rho = grow(rho_buffer, S * c.router_hidden_size);  // [S, D] EDA state
    std::fill(rho.begin(), rho.end(), 0.0f);
    for (std::int64_t l = 0; l < L; ++l) {
      if (req.cancel && req.cancel->load(std::memory_order_relaxed)) throw Cancelled();
      const LayerWeights& lw = w.layers[static_cast<std::size_t>(l)];
      const LayerTrace lt{req.trace, l};
      for_token_rows(pool_, S, [&](std::int64_t t0, std::int64_t t1) {
        rmsnorm(h.data() + t0 * H, lw.input_norm.data(), t1 - t0, H, c.rms_norm_eps, x.data() + t0 * H);
      });
      lt("input_norm", x.data(), {S, H});
      const LayerMatrices& lm = matrices_.layers[static_cast<std::size_t>(l)];
      clock.pause();  // cca_attention books its own stages
      cca_attention(c, lw, lm, l, x.data(), S, p0, state.layers[static_cast<std::size_t>(l)], a.data(), pool_, lt);
      clock.at(Stage::Residual);
      for_token_rows(pool_, S, [&](std::int64_t t0, std::int64_t t1) {
        residual_merge(a.data() + t0 * H, h.data() + t0 * H, lw.post_attention, t1 - t0, H, r.data() + t0 * H);
        rmsnorm(r.data() + t0 * H, lw.post_attention_norm.data(), t1 - t0, H, c.rms_norm_eps, x.data() + t0 * H);
      });
      lt("resid_after_attn", r.data(), {S, H});
      lt("post_attn_norm", x.data(), {S, H});
      clock.pause();  // and so does moe
      moe(c, lw, lm, l, x.data(), S, rho.data(), a.data(), req.routing ? req.routing + l : nullptr, L, pool_, lt);
      clock.at(Stage::Residual);
      for_token_rows(pool_, S, [&](std::int64_t t0, std::int64_t t1) {
        residual_merge(a.data() + t0 * H, r.data() + t0 * H, lw.post_mlp, t1 - t0, H, h.data() + t0 * H);
      });
      lt("layer_out", h.data(), {S, H});
    }
    if (req.cancel && req.cancel->load(std::memory_order_relaxed)) throw Cancelled();

    clock.at(Stage::Head);
    rmsnorm(h.data(), w.final_norm.data(), S, H, c.rms_norm_eps, x.data());
    trace("final_norm", x.data(), {S, H});
    if (req.logits) {
      if (req.all_logits) matmul(matrices_.lm_head, x.data(), S, req.logits, pool_);
      else matmul(matrices_.lm_head, x.data() + (S - 1) * H, 1, req.logits, pool_);
    }
  } catch (...) {
    state.restore(undo);
    throw;
  }
  state.length_ = p0 + S;
}

}  // namespace zaya::cpu
