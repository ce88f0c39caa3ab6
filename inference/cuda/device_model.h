// The model's weights in device memory, in their storage formats (BF16,
// Q8_G32, Q4_G32, ...), laid out for the kernels: q|k|v_current|v_delayed
// fused into one matrix per layer, experts stacked, the grouped-conv weight
// transposed, small vectors in fp32.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels.h"
#include "model/weights.h"

namespace zaya::cuda {

struct DeviceLayer {
  DMat qkv;                     // [QW + KW + 2R, H] = q_proj | k_proj | v_current | v_delayed
  DMat o_proj;                  // [H, QW]
  DMat router_down;             // [D, H]
  DMat router_fc1, router_fc2;  // [D, D]
  DMat router_out;              // [E+1, D]
  DMat gate_up;                 // E stacked [2I, H]
  DMat down;                    // E stacked [H, I]
  const float* input_norm = nullptr;           // [H]
  const float* conv0_w = nullptr;              // [C, K0]
  const float* conv0_b = nullptr;              // [C]
  const float* conv1_wt = nullptr;             // [C/d, K1, d, d]
  const float* conv1_b = nullptr;              // [C]
  const float* key_temp = nullptr;             // [nkv]
  const float* inv_freq = nullptr;             // [rot/2]
  MergeParams post_attention;
  const float* post_attention_norm = nullptr;  // [H]
  const float* router_down_bias = nullptr;     // [D]
  const float* router_states_scale = nullptr;  // [D] or null (layer 0)
  const float* router_norm = nullptr;          // [D]
  const float* fc1_bias = nullptr;             // [D]
  const float* fc2_bias = nullptr;             // [D]
  const float* balancing = nullptr;            // [E+1]
  MergeParams post_mlp;
  int rot = 0;
  int window = 0;
};

class DeviceModel {
 public:
  // Uploads everything; throws zaya::Error on a shape the kernels do not
  // cover or a CUDA failure (device memory is released again).
  explicit DeviceModel(const ModelWeights& w);
  ~DeviceModel();
  DeviceModel(const DeviceModel&) = delete;
  DeviceModel& operator=(const DeviceModel&) = delete;

  // Device bytes the upload will take, computed without touching the device.
  static std::uint64_t estimate_bytes(const ModelWeights& w);
  std::uint64_t bytes() const { return bytes_; }

  DMat embed;                         // [V, H], also the LM head
  const float* input_scale = nullptr;  // [H]
  const float* input_bias = nullptr;   // [H]
  const float* final_norm = nullptr;   // [H]
  std::vector<DeviceLayer> layers;

 private:
  void* alloc(std::size_t bytes);
  const float* upload(const std::vector<float>& v);
  DMat upload_matrix(const WeightMatrix& m);
  DMat upload_stack(const std::vector<WeightMatrix>& parts, bool as_experts);

  std::vector<void*> allocations_;
  std::uint64_t bytes_ = 0;
};

}  // namespace zaya::cuda
