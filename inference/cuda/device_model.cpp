#include "device_model.h"

#include <cmath>
#include <string>

#include "common_host.h"
#include "kernels/convert.h"

namespace zaya::cuda {
namespace {

// Bytes of one row as the device stores it (rows packed, no padding beyond
// the format's own group padding) and of its scales.
std::size_t device_row_bytes(DType t, std::int64_t cols) {
  const auto c = static_cast<std::size_t>(cols), groups = static_cast<std::size_t>((cols + 31) / 32);
  switch (t) {
    case DType::F32: return c * 4;
    case DType::F16:
    case DType::BF16: return c * 2;
    case DType::F8_E4M3: return c;
    case DType::Q8_G32: return groups * 32;
    case DType::Q4_G32: return groups * 16;
  }
  return 0;
}
std::size_t device_scale_bytes(DType t, std::int64_t cols) {
  switch (t) {
    case DType::F8_E4M3: return 4;
    case DType::Q8_G32:
    case DType::Q4_G32: return static_cast<std::size_t>((cols + 31) / 32) * 2;
    default: return 0;
  }
}

void check_matrix(const WeightMatrix& m, const char* what) {
  const bool quant = m.dtype == DType::Q8_G32 || m.dtype == DType::Q4_G32;
  if (!quant && m.cols % 8 != 0)
    throw Error(std::string("CUDA backend: ") + what + " has " + std::to_string(m.cols) +
                " columns; the GPU kernels need a multiple of 8");
  if ((quant || m.dtype == DType::F8_E4M3) && !m.scales)
    throw Error(std::string("CUDA backend: ") + what + " (" + dtype_name(m.dtype) + ") has no scales");
}

// The grouped conv weights [C, d·K1] as fp32, whichever way the loader
// holds them (LayerWeights::conv1_weight or the pack's BF16 view).
std::vector<float> grouped_conv_f32(const LayerWeights& l, std::int64_t C, std::int64_t cols) {
  if (!l.conv1_bf16.data) return l.conv1_weight;
  if (l.conv1_bf16.dtype != DType::BF16 || l.conv1_bf16.rows != C || l.conv1_bf16.cols != cols)
    throw Error("CUDA backend: the grouped conv weights are not a BF16 [" + std::to_string(C) + ", " + std::to_string(cols) + "] matrix");
  std::vector<float> out(static_cast<std::size_t>(C * cols));
  const auto* base = static_cast<const std::byte*>(l.conv1_bf16.data);
  for (std::int64_t r = 0; r < C; ++r)
    for (std::int64_t k = 0; k < cols; ++k)
      out[static_cast<std::size_t>(r * cols + k)] =
          bf16_to_f32(load_u16(base + r * static_cast<std::int64_t>(l.conv1_bf16.row_stride_bytes) + 2 * k));
  return out;
}

std::uint64_t aligned(std::uint64_t b) { return (b + 255) & ~std::uint64_t{255}; }

std::uint64_t matrix_bytes(const WeightMatrix& m) {
  return aligned(static_cast<std::uint64_t>(m.rows) * (device_row_bytes(m.dtype, m.cols) + device_scale_bytes(m.dtype, m.cols)) + 256);
}

}  // namespace

std::uint64_t DeviceModel::estimate_bytes(const ModelWeights& w) {
  std::uint64_t b = matrix_bytes(w.embed);
  const auto& c = w.config;
  for (const auto& l : w.layers) {
    for (const auto* m : {&l.q_proj, &l.k_proj, &l.v_current, &l.v_delayed, &l.o_proj, &l.router_down, &l.router_fc1,
                          &l.router_fc2, &l.router_out})
      b += matrix_bytes(*m);
    for (const auto& m : l.expert_gate_up) b += matrix_bytes(m);
    for (const auto& m : l.expert_down) b += matrix_bytes(m);
    const auto conv1_values = static_cast<std::uint64_t>(c.conv_channels() * c.head_dim * c.cca_time1);  // widened at upload
    b += aligned(4 * (conv1_values + l.conv0_weight.size() + 16 * static_cast<std::uint64_t>(c.hidden_size) +
                      8 * static_cast<std::uint64_t>(c.router_hidden_size) + 4 * static_cast<std::uint64_t>(c.conv_channels())));
  }
  return b + aligned(16 * static_cast<std::uint64_t>(c.hidden_size));
}

void* DeviceModel::alloc(std::size_t bytes) {
  void* p = nullptr;
  ZAYA_CUDA_CHECK(cudaMalloc(&p, bytes ? bytes : 1));
  allocations_.push_back(p);
  bytes_ += bytes;
  return p;
}

const float* DeviceModel::upload(const std::vector<float>& v) {
  if (v.empty()) return nullptr;
  auto* p = static_cast<float*>(alloc(v.size() * sizeof(float)));
  ZAYA_CUDA_CHECK(cudaMemcpy(p, v.data(), v.size() * sizeof(float), cudaMemcpyHostToDevice));
  return p;
}

// Concatenates `parts` (same dtype and width) by rows into one device
// matrix; with as_experts each part is one expert of a stack (equal shapes).
DMat DeviceModel::upload_stack(const std::vector<WeightMatrix>& parts, bool as_experts) {
  const WeightMatrix& f = parts.front();
  std::int64_t rows = 0;
  for (const auto& p : parts) {
    if (p.dtype != f.dtype || p.cols != f.cols || (as_experts && p.rows != f.rows))
      throw Error(std::string("CUDA backend: matrices fused on the device must share dtype and shape (") +
                  dtype_name(p.dtype) + " vs " + dtype_name(f.dtype) + ")");
    check_matrix(p, "a weight matrix");
    rows += p.rows;
  }
  DMat d;
  d.dtype = f.dtype;
  d.rows = as_experts ? f.rows : rows;
  d.cols = f.cols;
  d.row_stride = device_row_bytes(f.dtype, f.cols);
  d.scale_stride = device_scale_bytes(f.dtype, f.cols);
  const std::size_t data_bytes = static_cast<std::size_t>(rows) * d.row_stride;
  const std::size_t scale_bytes = static_cast<std::size_t>(rows) * d.scale_stride;
  char* base = static_cast<char*>(alloc(aligned(data_bytes) + scale_bytes));
  d.data = base;
  d.scales = scale_bytes ? base + aligned(data_bytes) : nullptr;
  if (as_experts) {
    d.expert_stride = static_cast<std::size_t>(f.rows) * d.row_stride;
    d.expert_scale_stride = static_cast<std::size_t>(f.rows) * d.scale_stride;
  }
  std::size_t row0 = 0;
  for (const auto& p : parts) {
    ZAYA_CUDA_CHECK(cudaMemcpy2D(base + row0 * d.row_stride, d.row_stride, p.data, p.row_stride_bytes, d.row_stride,
                                 static_cast<std::size_t>(p.rows), cudaMemcpyHostToDevice));
    if (scale_bytes)
      ZAYA_CUDA_CHECK(cudaMemcpy2D(base + aligned(data_bytes) + row0 * d.scale_stride, d.scale_stride, p.scales,
                                   p.scale_row_stride_bytes ? p.scale_row_stride_bytes : d.scale_stride, d.scale_stride,
                                   static_cast<std::size_t>(p.rows), cudaMemcpyHostToDevice));
    row0 += static_cast<std::size_t>(p.rows);
  }
  return d;
}

DMat DeviceModel::upload_matrix(const WeightMatrix& m) { return upload_stack({m}, false); }

DeviceModel::DeviceModel(const ModelWeights& w) {
  try {
    const ModelConfig& c = w.config;
    const std::int64_t d = c.head_dim, C = c.conv_channels(), K1 = c.cca_time1;
    if (!attention_supported(static_cast<int>(c.num_heads), static_cast<int>(c.num_kv_heads), static_cast<int>(d)))
      throw Error("CUDA backend: no attention kernel for " + std::to_string(c.num_heads) + " query / " +
                  std::to_string(c.num_kv_heads) + " KV heads of width " + std::to_string(d));
    if (c.kv_width() % 2 != 0) throw Error("CUDA backend: odd KV width");
    embed = upload_matrix(w.embed);
    input_scale = upload(w.input_scale);
    input_bias = upload(w.input_bias);
    final_norm = upload(w.final_norm);
    layers.resize(w.layers.size());
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
      const LayerWeights& l = w.layers[i];
      DeviceLayer& o = layers[i];
      o.qkv = upload_stack({l.q_proj, l.k_proj, l.v_current, l.v_delayed}, false);
      o.o_proj = upload_matrix(l.o_proj);
      // Router matrices in whatever the pack holds (BF16 from older packs,
      // Q8_G32 from the presets): the GEMV, GEMM and router-select kernels
      // dispatch on the dtype like every other matrix's.
      o.router_down = upload_matrix(l.router_down);
      o.router_fc1 = upload_matrix(l.router_fc1);
      o.router_fc2 = upload_matrix(l.router_fc2);
      o.router_out = upload_matrix(l.router_out);
      o.gate_up = upload_stack(l.expert_gate_up, true);
      o.down = upload_stack(l.expert_down, true);
      o.input_norm = upload(l.input_norm);
      o.conv0_w = upload(l.conv0_weight);
      o.conv0_b = upload(l.conv0_bias);
      // [C, d(in), K1] → [C/d, K1, d(in), d(out)] so that the threads of a
      // head (one per output channel) read consecutive addresses. The conv
      // kernel reads fp32, so a pack's BF16 weights are widened here (exact;
      // 1.3 MB a layer for the 8B, a small share of a decode step on a GPU).
      const std::vector<float> w1 = grouped_conv_f32(l, C, d * K1);  // [C, d, K1]
      std::vector<float> wt(w1.size());
      for (std::int64_t ch = 0; ch < C; ++ch) {
        const std::int64_t g = ch / d, oc = ch % d;
        for (std::int64_t ci = 0; ci < d; ++ci)
          for (std::int64_t j = 0; j < K1; ++j)
            wt[static_cast<std::size_t>(((g * K1 + j) * d + ci) * d + oc)] = w1[static_cast<std::size_t>((ch * d + ci) * K1 + j)];
      }
      o.conv1_wt = upload(wt);
      o.conv1_b = upload(l.conv1_bias);
      o.key_temp = upload(l.key_temperature);
      o.post_attention = {upload(l.post_attention.hidden_bias), upload(l.post_attention.hidden_scale),
                          upload(l.post_attention.residual_bias), upload(l.post_attention.residual_scale)};
      o.post_attention_norm = upload(l.post_attention_norm);
      o.router_down_bias = upload(l.router_down_bias);
      o.router_states_scale = upload(l.router_states_scale);
      o.router_norm = upload(l.router_norm);
      o.fc1_bias = upload(l.router_fc1_bias);
      o.fc2_bias = upload(l.router_fc2_bias);
      o.balancing = upload(l.balancing_biases);
      o.post_mlp = {upload(l.post_mlp.hidden_bias), upload(l.post_mlp.hidden_scale), upload(l.post_mlp.residual_bias),
                    upload(l.post_mlp.residual_scale)};
      // The angle table in fp32, built exactly as the CPU reference builds it.
      o.rot = static_cast<int>(c.rotary_dims(static_cast<std::int64_t>(i)));
      const float theta = static_cast<float>(c.rope(static_cast<std::int64_t>(i)).theta);
      std::vector<float> inv(static_cast<std::size_t>(std::max(1, o.rot / 2)));
      for (int j = 0; j < o.rot / 2; ++j)
        inv[static_cast<std::size_t>(j)] = 1.0f / std::pow(theta, static_cast<float>(2 * j) / static_cast<float>(o.rot));
      o.inv_freq = upload(inv);
      o.window = c.layer_types[i] == LayerType::HybridSliding ? static_cast<int>(c.sliding_window) : 0;
    }
  } catch (...) {
    for (void* p : allocations_) cudaFree(p);
    allocations_.clear();
    throw;
  }
}

DeviceModel::~DeviceModel() {
  for (void* p : allocations_) cudaFree(p);
}

}  // namespace zaya::cuda
