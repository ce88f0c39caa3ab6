// The model configuration (Hugging Face config.json of a ZAYA1 checkpoint).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zaya {

enum class LayerType { Hybrid, HybridSliding };  // full causal / sliding-window attention

struct RopeParams {
  double theta = 10000.0;
  double partial_rotary_factor = 1.0;
};

struct ModelConfig {
  std::int64_t vocab_size = 0;
  std::int64_t hidden_size = 0;               // H
  std::int64_t num_layers = 0;                // L
  std::int64_t num_heads = 0;                 // query heads nq
  std::int64_t num_kv_heads = 0;              // nkv, nq % nkv == 0
  std::int64_t head_dim = 0;                  // d
  std::int64_t cca_time0 = 0;                 // depthwise conv kernel K0
  std::int64_t cca_time1 = 0;                 // grouped conv kernel K1
  std::int64_t num_experts = 0;               // E; router has E + 1 classes (last = skip)
  std::int64_t moe_intermediate_size = 0;     // I
  std::int64_t router_hidden_size = 0;        // D
  double rms_norm_eps = 1e-5;
  std::int64_t max_position_embeddings = 0;
  std::int64_t sliding_window = 0;            // 0 = none
  std::vector<LayerType> layer_types;         // [L]
  RopeParams rope_hybrid;                     // for LayerType::Hybrid
  RopeParams rope_hybrid_sliding;             // for LayerType::HybridSliding
  std::int64_t bos_token_id = -1, pad_token_id = -1;
  std::vector<std::int64_t> eos_token_ids;
  std::string dtype;                          // informative ("bfloat16")

  // Derived sizes.
  std::int64_t group_size() const { return num_heads / num_kv_heads; }                 // G
  std::int64_t q_width() const { return num_heads * head_dim; }
  std::int64_t kv_width() const { return num_kv_heads * head_dim; }
  std::int64_t conv_channels() const { return (num_heads + num_kv_heads) * head_dim; }  // C
  std::int64_t conv_tail() const { return (cca_time0 - 1) + (cca_time1 - 1); }        // T_c
  std::int64_t value_half() const { return kv_width() / 2; }                          // R
  const RopeParams& rope(std::int64_t layer) const {
    return layer_types[static_cast<std::size_t>(layer)] == LayerType::Hybrid ? rope_hybrid : rope_hybrid_sliding;
  }
  std::int64_t rotary_dims(std::int64_t layer) const {
    return static_cast<std::int64_t>(static_cast<double>(head_dim) * rope(layer).partial_rotary_factor);
  }
};

// Parses and validates config.json text; `source` names the file in errors.
// Throws ConfigError. Safe on any input (fuzzed).
ModelConfig parse_config(std::string_view json_text, const std::string& source = "config.json");

// Reads <dir>/config.json.
ModelConfig load_config(const std::string& model_dir);

}  // namespace zaya
