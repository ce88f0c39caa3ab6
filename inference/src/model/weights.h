// Every weight of a ZAYA1 model, as the forward pass consumes them. Big
// matrices are WeightMatrix views (into a mapped checkpoint, or into a
// quantised pack); small vectors (norms, biases, scales, conv kernels) are
// widened to fp32 once at load. The forward pass depends only on this
// struct, never on where the weights came from.
#pragma once

#include <memory>
#include <vector>

#include "tensor/matrix.h"
#include "zaya/config.h"

namespace zaya {

// out = (a + hidden_bias) ⊙ hidden_scale + (residual + residual_bias) ⊙ residual_scale
struct ResidualMerge {
  std::vector<float> hidden_scale, hidden_bias, residual_scale, residual_bias;  // [H] each
};

struct LayerWeights {
  std::vector<float> input_norm;          // [H]
  // CCA attention
  WeightMatrix q_proj;                    // [nq·d, H]
  WeightMatrix k_proj;                    // [nkv·d, H]
  WeightMatrix v_current;                 // [R, H], R = nkv·d/2
  WeightMatrix v_delayed;                 // [R, H]
  std::vector<float> conv0_weight;        // [C, K0]   depthwise
  std::vector<float> conv0_bias;          // [C]
  // Grouped conv, one group per head, held one of two ways: widened to fp32
  // (float checkpoints and packs that store it F32/F16), or, for a pack that
  // stores it in BF16, read as is from the pack (half the bytes per token);
  // the other one is empty. grouped_conv_matrix() gives either as a matrix.
  std::vector<float> conv1_weight;        // [C, d, K1] fp32, or empty
  WeightMatrix conv1_bf16;                // [C, d·K1] BF16 view into the pack, or data == nullptr
  std::vector<float> conv1_bias;          // [C]
  std::vector<float> key_temperature;     // [nkv]
  WeightMatrix o_proj;                    // [H, nq·d]
  ResidualMerge post_attention;
  std::vector<float> post_attention_norm; // [H]
  // Router
  WeightMatrix router_down;               // [D, H]
  std::vector<float> router_down_bias;    // [D]
  std::vector<float> router_states_scale; // [D]; empty for layer 0 (no EDA)
  std::vector<float> router_norm;         // [D]
  WeightMatrix router_fc1;                // [D, D]
  std::vector<float> router_fc1_bias;     // [D]
  WeightMatrix router_fc2;                // [D, D]
  std::vector<float> router_fc2_bias;     // [D]
  WeightMatrix router_out;                // [E+1, D], last row = skip class
  std::vector<float> balancing_biases;    // [E+1]
  // Experts (SwiGLU)
  std::vector<WeightMatrix> expert_gate_up;  // [E] of [2I, H]: rows 0..I-1 gate, I..2I-1 up
  std::vector<WeightMatrix> expert_down;     // [E] of [H, I]
  ResidualMerge post_mlp;
};

// The grouped conv weights of `w` as a [C, d·K1] matrix (row o = output
// channel o's weights [d, K1]): F32 over conv1_weight, or the BF16 view.
// `C` = conv_channels(), `cols` = d·K1.
inline WeightMatrix grouped_conv_matrix(const LayerWeights& w, std::int64_t C, std::int64_t cols) {
  if (w.conv1_bf16.data) return w.conv1_bf16;
  WeightMatrix m;
  m.dtype = DType::F32;
  m.rows = C;
  m.cols = cols;
  m.data = w.conv1_weight.data();
  m.row_stride_bytes = static_cast<std::size_t>(cols) * sizeof(float);
  return m;
}

struct ModelWeights {
  ModelConfig config;
  WeightMatrix embed;                     // [V, H], also the tied LM head
  std::vector<float> input_scale;         // [H]
  std::vector<float> input_bias;          // [H]
  std::vector<float> final_norm;          // [H]
  std::vector<LayerWeights> layers;       // [L]
  // Whatever the views above point into (mapped files, owned buffers).
  std::vector<std::shared_ptr<const void>> storage;
  std::uint64_t storage_bytes = 0;        // bytes of weight data held in `storage`
};

// Checks every size in `w` against w.config (for loaders other than the
// safetensors one). Throws LoadError naming `source` and the first mismatch.
void validate_weights(const ModelWeights& w, const std::string& source);

}  // namespace zaya
