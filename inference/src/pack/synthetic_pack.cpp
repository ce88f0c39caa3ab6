#include "pack/synthetic_pack.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "kernels/convert.h"
#include "pack/pack_writer.h"
#include "pack/presets.h"
#include "quant/quant_format.h"
#include "zaya/config.h"

namespace zaya::pack {

namespace {

// xorshift64*: fast enough to fill gigabytes of weights.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1Dull;
  }
  float normal() {  // Irwin–Hall(4) approximation, mean 0, variance 1
    float a = 0;
    for (int i = 0; i < 4; ++i) a += static_cast<float>(next() >> 40) * (1.0f / 16777216.0f);
    return (a - 2.0f) * 1.7320508f;
  }
};

class Generator {
 public:
  Generator(PackWriter& w, const SyntheticPackOptions& o, std::uint64_t total_bytes)
      : w_(w), o_(o), rng_{o.seed * 0x9E3779B97F4A7C15ull + 1}, total_(total_bytes) {}

  // Random weights with mean ≈ `mean` (float types) and standard deviation
  // ≈ `std` in the given storage type, streamed in slabs of rows.
  void matrix(const std::string& name, DType t, std::vector<std::int64_t> shape, float std, float mean = 0.0f) {
    std::int64_t rows = 1;
    for (std::size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];
    const std::int64_t cols = shape.back();
    w_.begin_tensor(name, t, shape);
    if (quant::is_quantized(t)) {
      // Data: uniformly random bytes (nibbles/int8 codes); scales chosen so
      // the weights have about the requested deviation.
      const quant::QuantLayout l = quant::quant_layout(t, rows, cols);
      const float code_std = t == DType::Q4_G32 ? 4.6f : 73.6f;
      fill_random(l.data_bytes);
      zeros(l.scales_offset - l.data_bytes);
      const std::uint16_t s = quant::f32_to_f16(std / code_std);
      std::vector<std::uint16_t> scales(1 << 16, s);
      std::uint64_t left = l.scales_bytes;
      while (left) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, scales.size() * 2));
        put(scales.data(), n);
        left -= n;
      }
    } else {
      std::vector<std::uint16_t> row(static_cast<std::size_t>(cols));
      for (std::int64_t r = 0; r < rows; ++r) {
        for (auto& v : row) v = f32_to_bf16(mean + std * rng_.normal());
        if (t == DType::BF16) {
          put(row.data(), row.size() * 2);
        } else {
          std::vector<float> f(row.size());
          for (std::size_t i = 0; i < row.size(); ++i) f[i] = bf16_to_f32(row[i]);
          put(f.data(), f.size() * 4);
        }
      }
    }
    w_.end_tensor();
  }

  void vec(const std::string& name, std::vector<std::int64_t> shape, float mean, float spread) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<float> v(static_cast<std::size_t>(n));
    for (float& x : v) x = mean + spread * rng_.normal();
    w_.begin_tensor(name, DType::F32, std::move(shape));
    put(v.data(), v.size() * 4);
    w_.end_tensor();
  }

 private:
  void put(const void* p, std::size_t n) {
    w_.append(std::span<const std::byte>(static_cast<const std::byte*>(p), n));
    done_ += n;
    if (o_.progress && done_ - reported_ > (64u << 20)) {
      reported_ = done_;
      o_.progress(std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_)));
    }
  }
  void zeros(std::size_t n) {
    static const std::byte z[64] = {};
    put(z, n);
  }
  void fill_random(std::uint64_t bytes) {
    std::vector<std::uint64_t> buf(1 << 19);  // 4 MiB
    while (bytes) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, buf.size() * 8));
      for (std::size_t i = 0; i < (n + 7) / 8; ++i) buf[i] = rng_.next();
      put(buf.data(), n);
      bytes -= n;
    }
  }

  PackWriter& w_;
  const SyntheticPackOptions& o_;
  Rng rng_;
  std::uint64_t total_, done_ = 0, reported_ = 0;
};

}  // namespace

std::string zaya1_8b_config_json() {
  nlohmann::json j = {
      {"architectures", {"ZayaForCausalLM"}},
      {"model_type", "zaya"},
      {"vocab_size", 262272},
      {"hidden_size", 2048},
      {"num_hidden_layers", 40},
      {"num_attention_heads", 8},
      {"num_key_value_heads", 2},
      {"head_dim", 128},
      {"cca_time0", 2},
      {"cca_time1", 2},
      {"num_experts", 16},
      {"num_experts_per_tok", 1},
      {"moe_intermediate_size", 2048},
      {"router_hidden_size", 256},
      {"hidden_act", "silu"},
      {"rms_norm_eps", 1e-5},
      {"partial_rotary_factor", 0.5},
      {"rope_parameters",
       {{"hybrid", {{"rope_theta", 5000000.0}, {"partial_rotary_factor", 0.5}, {"rope_type", "default"}}},
        {"hybrid_sliding", {{"rope_theta", 10000.0}, {"partial_rotary_factor", 0.5}, {"rope_type", "default"}}},
        {"rope_type", "default"}}},
      {"layer_types", std::vector<std::string>(40, "hybrid")},
      {"sliding_window", nullptr},
      {"max_position_embeddings", 131072},
      {"attention_bias", false},
      {"lm_head_bias", false},
      {"tie_word_embeddings", true},
      {"bos_token_id", 2},
      {"eos_token_id", 106},
      {"pad_token_id", 0},
      {"dtype", "bfloat16"},
  };
  return j.dump(2);
}

SyntheticPackOptions synthetic_pack_options(const std::string& name) {
  const QuantizePreset p = quantize_preset(name);
  SyntheticPackOptions o;
  // Matrix groups kept in the checkpoint's float type are BF16 here: the
  // synthetic "checkpoint" is bf16, like the real one.
  o.experts = pack_dtype(p, TensorGroup::Experts, DType::BF16);
  o.attention = pack_dtype(p, TensorGroup::Attention, DType::BF16);
  o.head = pack_dtype(p, TensorGroup::Head, DType::BF16);
  o.router = pack_dtype(p, TensorGroup::Router, DType::BF16);
  o.conv = pack_dtype(p, TensorGroup::Conv, DType::BF16);
  o.preset = p.name;
  return o;
}

std::uint64_t write_synthetic_pack(const std::string& path, const std::string& config_json,
                                   const SyntheticPackOptions& o) {
  const ModelConfig c = parse_config(config_json, path + ":config.json");
  const std::int64_t H = c.hidden_size, d = c.head_dim, nq = c.num_heads, nkv = c.num_kv_heads;
  const std::int64_t C = c.conv_channels(), R = c.value_half(), D = c.router_hidden_size;
  const std::int64_t E = c.num_experts, I = c.moe_intermediate_size;
  if (o.conv != DType::BF16 && o.conv != DType::F32)
    throw std::invalid_argument(std::string("write_synthetic_pack: conv kernels are BF16 or F32, not ") + dtype_name(o.conv));
  // The options as a preset, so every tensor's format comes from pack_dtype,
  // the converter's own choice.
  QuantizePreset formats{o.preset.empty() ? "custom" : o.preset, o.experts, o.attention, o.head, o.router, o.conv};
  auto type_of = [&](const std::string& name) {
    const TensorGroup group = tensor_group(name);
    const DType chosen = formats.choice(group);
    // A float choice for a matrix group is the synthetic checkpoint's own
    // type: BF16 as in a preset, or F32 if a caller asks for it.
    return pack_dtype(formats, group, quant::is_quantized(chosen) ? DType::BF16 : chosen);
  };
  for (DType t : {o.experts, o.attention, o.head, o.router})
    if (!quant::is_quantized(t) && t != DType::BF16 && t != DType::F32)
      throw std::invalid_argument(std::string("write_synthetic_pack: matrices are Q4_G32, Q8_G32, BF16 or F32, not ") + dtype_name(t));

  PackWriter w(path);
  w.add_blob("config.json", config_json);
  nlohmann::json made = {{"synthetic", true}, {"seed", o.seed}};
  for (const auto& [key, value] : preset_fields(formats)) made[key] = value;
  w.add_blob("pack.json", made.dump());
  Generator g(w, o, pack_tensor_bytes(formats, c));
  const float wstd = 0.02f;
  auto mat = [&](const std::string& name, std::vector<std::int64_t> shape, float std, float mean = 0.0f) {
    g.matrix(name, type_of(name), std::move(shape), std, mean);
  };
  mat("model.embed_tokens.weight", {c.vocab_size, H}, 1.0f);
  g.vec("model.input_hidden_states_scale", {H}, 1.0f, 0.1f);
  g.vec("model.input_hidden_states_bias", {H}, 0.0f, 0.02f);
  g.vec("model.norm.weight", {H}, 1.0f, 0.05f);
  for (std::int64_t i = 0; i < c.num_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    const std::string a = p + "self_attn.qkv_proj.";
    g.vec(p + "input_layernorm.weight", {H}, 1.0f, 0.05f);
    mat(a + "q_proj.weight", {nq * d, H}, wstd);
    mat(a + "k_proj.weight", {nkv * d, H}, wstd);
    mat(a + "v_proj_current.weight", {R, H}, wstd);
    mat(a + "v_proj_delayed.weight", {R, H}, wstd);
    mat(a + "conv_qk_depthwise.weight", {C, 1, c.cca_time0}, 0.2f, 0.5f);
    g.vec(a + "conv_qk_depthwise.bias", {C}, 0.0f, 0.02f);
    mat(a + "conv_qk_grouped.weight", {C, d, c.cca_time1}, 0.05f);
    g.vec(a + "conv_qk_grouped.bias", {C}, 0.0f, 0.02f);
    g.vec(p + "self_attn.qk_norm.temp", {nkv}, 2.0f, 0.2f);
    mat(p + "self_attn.o_proj.weight", {H, nq * d}, wstd);
    for (const char* m : {"post_attention_residual_scale.", "post_mlp_residual_scale."}) {
      g.vec(p + m + "hidden_states_scale", {H}, 1.0f, 0.1f);
      g.vec(p + m + "hidden_states_bias", {H}, 0.0f, 0.02f);
      g.vec(p + m + "residual_scale", {H}, 1.0f, 0.1f);
      g.vec(p + m + "residual_bias", {H}, 0.0f, 0.02f);
    }
    g.vec(p + "post_attention_layernorm.weight", {H}, 1.0f, 0.05f);
    const std::string r = p + "mlp.gate.";
    mat(r + "down_proj.weight", {D, H}, wstd);
    g.vec(r + "down_proj.bias", {D}, 0.0f, 0.02f);
    if (i > 0) g.vec(r + "router_states_scale", {D}, 0.5f, 0.1f);
    g.vec(r + "router_mlp.norm.weight", {D}, 1.0f, 0.05f);
    mat(r + "router_mlp.fc1.weight", {D, D}, 0.1f);
    g.vec(r + "router_mlp.fc1.bias", {D}, 0.0f, 0.02f);
    mat(r + "router_mlp.fc2.weight", {D, D}, 0.1f);
    g.vec(r + "router_mlp.fc2.bias", {D}, 0.0f, 0.02f);
    mat(r + "router_mlp.out_proj.weight", {E + 1, D}, 0.3f);
    // Expert biases ≥ 0 and skip −1: as in the real checkpoint, skip never wins.
    std::vector<float> bias(static_cast<std::size_t>(E + 1), 0.0f);
    bias.back() = -1.0f;
    w.add_tensor(r + "balancing_biases", DType::F32, {E + 1}, std::as_bytes(std::span(bias)));
    mat(p + "mlp.experts.gate_up_proj", {E, 2 * I, H}, wstd);
    mat(p + "mlp.experts.down_proj", {E, H, I}, wstd);
  }
  return w.finish();
}

}  // namespace zaya::pack
