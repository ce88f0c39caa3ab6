#include "pack/tensor_list.h"

namespace zaya::pack {

std::vector<CheckpointTensor> checkpoint_tensors(const ModelConfig& c) {
  const std::int64_t H = c.hidden_size, d = c.head_dim, C = c.conv_channels(), R = c.value_half();
  const std::int64_t D = c.router_hidden_size, E = c.num_experts, I = c.moe_intermediate_size;
  std::vector<CheckpointTensor> t = {
      {"model.embed_tokens.weight", {c.vocab_size, H}},
      {"model.input_hidden_states_scale", {H}},
      {"model.input_hidden_states_bias", {H}},
      {"model.norm.weight", {H}},
  };
  for (std::int64_t i = 0; i < c.num_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    const std::string a = p + "self_attn.qkv_proj.", g = p + "mlp.gate.";
    t.push_back({p + "input_layernorm.weight", {H}});
    t.push_back({a + "q_proj.weight", {c.q_width(), H}});
    t.push_back({a + "k_proj.weight", {c.kv_width(), H}});
    t.push_back({a + "v_proj_current.weight", {R, H}});
    t.push_back({a + "v_proj_delayed.weight", {R, H}});
    t.push_back({a + "conv_qk_depthwise.weight", {C, 1, c.cca_time0}});
    t.push_back({a + "conv_qk_depthwise.bias", {C}});
    t.push_back({a + "conv_qk_grouped.weight", {C, d, c.cca_time1}});
    t.push_back({a + "conv_qk_grouped.bias", {C}});
    t.push_back({p + "self_attn.qk_norm.temp", {c.num_kv_heads}});
    t.push_back({p + "self_attn.o_proj.weight", {H, c.q_width()}});
    for (const char* m : {"post_attention_residual_scale.", "post_mlp_residual_scale."})
      for (const char* v : {"hidden_states_scale", "hidden_states_bias", "residual_scale", "residual_bias"})
        t.push_back({p + m + v, {H}});
    t.push_back({p + "post_attention_layernorm.weight", {H}});
    t.push_back({g + "down_proj.weight", {D, H}});
    t.push_back({g + "down_proj.bias", {D}});
    if (i > 0) t.push_back({g + "router_states_scale", {D}});
    t.push_back({g + "router_mlp.norm.weight", {D}});
    t.push_back({g + "router_mlp.fc1.weight", {D, D}});
    t.push_back({g + "router_mlp.fc1.bias", {D}});
    t.push_back({g + "router_mlp.fc2.weight", {D, D}});
    t.push_back({g + "router_mlp.fc2.bias", {D}});
    t.push_back({g + "router_mlp.out_proj.weight", {E + 1, D}});
    t.push_back({g + "balancing_biases", {E + 1}});
    t.push_back({p + "mlp.experts.gate_up_proj", {E, 2 * I, H}});
    t.push_back({p + "mlp.experts.down_proj", {E, H, I}});
  }
  return t;
}

}  // namespace zaya::pack
