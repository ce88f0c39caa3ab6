// Binds every tensor of the Hugging Face layout (spec §3) into ModelWeights.
// Both loaders — the safetensors checkpoint and the model pack — walk the
// same names and shapes; only how a name becomes a view differs, so the walk
// lives here once and each loader passes its own binder:
//   b.matrix(name, rows, cols)      → WeightMatrix [rows, cols]
//   b.vec(name, shape)              → a small fp32-readable vector
//   b.stacked(name, E, rows, cols)  → E stacked matrices [E, rows, cols]
//   b.grouped_conv(name, shape, f32, bf16)
//                                   → the grouped conv kernel [C, d, K1]: widened into
//                                     `f32`, or (a pack storing it BF16) a [C, d·K1] view in `bf16`
#pragma once

#include <cstdint>
#include <string>

#include "model/weights.h"

namespace zaya {

template <class Binder>
ResidualMerge bind_residual_merge(Binder& b, const std::string& p, std::int64_t H) {
  ResidualMerge m;
  m.hidden_scale = b.vec(p + "hidden_states_scale", {H});
  m.hidden_bias = b.vec(p + "hidden_states_bias", {H});
  m.residual_scale = b.vec(p + "residual_scale", {H});
  m.residual_bias = b.vec(p + "residual_bias", {H});
  return m;
}

// Fills w.embed, the input affine, the final norm and w.layers from `b`,
// using w.config for every shape.
template <class Binder>
void bind_model_tensors(Binder& b, ModelWeights& w) {
  const ModelConfig& c = w.config;
  const std::int64_t H = c.hidden_size, d = c.head_dim, nq = c.num_heads, nkv = c.num_kv_heads;
  const std::int64_t C = c.conv_channels(), R = c.value_half(), D = c.router_hidden_size;
  const std::int64_t E = c.num_experts, I = c.moe_intermediate_size;
  w.embed = b.matrix("model.embed_tokens.weight", c.vocab_size, H);
  w.input_scale = b.vec("model.input_hidden_states_scale", {H});
  w.input_bias = b.vec("model.input_hidden_states_bias", {H});
  w.final_norm = b.vec("model.norm.weight", {H});
  for (std::int64_t i = 0; i < c.num_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    const std::string a = p + "self_attn.qkv_proj.";
    LayerWeights L;
    L.input_norm = b.vec(p + "input_layernorm.weight", {H});
    L.q_proj = b.matrix(a + "q_proj.weight", nq * d, H);
    L.k_proj = b.matrix(a + "k_proj.weight", nkv * d, H);
    L.v_current = b.matrix(a + "v_proj_current.weight", R, H);
    L.v_delayed = b.matrix(a + "v_proj_delayed.weight", R, H);
    L.conv0_weight = b.vec(a + "conv_qk_depthwise.weight", {C, 1, c.cca_time0});
    L.conv0_bias = b.vec(a + "conv_qk_depthwise.bias", {C});
    b.grouped_conv(a + "conv_qk_grouped.weight", {C, d, c.cca_time1}, L.conv1_weight, L.conv1_bf16);
    L.conv1_bias = b.vec(a + "conv_qk_grouped.bias", {C});
    L.key_temperature = b.vec(p + "self_attn.qk_norm.temp", {nkv});
    L.o_proj = b.matrix(p + "self_attn.o_proj.weight", H, nq * d);
    L.post_attention = bind_residual_merge(b, p + "post_attention_residual_scale.", H);
    L.post_attention_norm = b.vec(p + "post_attention_layernorm.weight", {H});
    const std::string g = p + "mlp.gate.";
    L.router_down = b.matrix(g + "down_proj.weight", D, H);
    L.router_down_bias = b.vec(g + "down_proj.bias", {D});
    if (i > 0) L.router_states_scale = b.vec(g + "router_states_scale", {D});
    L.router_norm = b.vec(g + "router_mlp.norm.weight", {D});
    L.router_fc1 = b.matrix(g + "router_mlp.fc1.weight", D, D);
    L.router_fc1_bias = b.vec(g + "router_mlp.fc1.bias", {D});
    L.router_fc2 = b.matrix(g + "router_mlp.fc2.weight", D, D);
    L.router_fc2_bias = b.vec(g + "router_mlp.fc2.bias", {D});
    L.router_out = b.matrix(g + "router_mlp.out_proj.weight", E + 1, D);
    L.balancing_biases = b.vec(g + "balancing_biases", {E + 1});
    L.expert_gate_up = b.stacked(p + "mlp.experts.gate_up_proj", E, 2 * I, H);
    L.expert_down = b.stacked(p + "mlp.experts.down_proj", E, H, I);
    L.post_mlp = bind_residual_merge(b, p + "post_mlp_residual_scale.", H);
    w.layers.push_back(std::move(L));
  }
}

}  // namespace zaya
