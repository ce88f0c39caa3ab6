#include "synth/synth.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "kernels/convert.h"

namespace zaya::synth {
namespace {

using nlohmann::json;

// How a tensor's values are drawn: uniform in [center - spread, center + spread].
struct Init {
  double center = 0;
  double spread = 0;
};

struct TensorSpec {
  std::string name;
  std::vector<std::int64_t> shape;
  StorageType type;
  Init init;
  bool fp8_scale_of_prev = false;  // the F32 per-row scale of the preceding F8 tensor
  std::uint64_t bytes = 0;
  std::uint64_t offset = 0;  // within its shard's data section
  int shard = 0;
};

std::uint64_t elem_size(StorageType t) {
  switch (t) {
    case StorageType::F32: return 4;
    case StorageType::F8_E4M3: return 1;
    default: return 2;
  }
}

const char* type_name(StorageType t) {
  switch (t) {
    case StorageType::F32: return "F32";
    case StorageType::F16: return "F16";
    case StorageType::F8_E4M3: return "F8_E4M3";
    default: return "BF16";
  }
}

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t name_hash(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// Value i of a tensor, in [-1, 1), independent of generation order.
double unit(std::uint64_t key, std::uint64_t i) {
  return static_cast<double>(splitmix(key ^ splitmix(i)) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

std::uint16_t f32_to_f16(float f) {
  // Round-to-nearest conversion via the FPU-exact path for normal ranges.
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const int exp = static_cast<int>((x >> 23) & 0xff) - 127 + 15;
  std::uint32_t mant = x & 0x7fffffu;
  if (exp <= 0) {
    if (exp < -10) return static_cast<std::uint16_t>(sign);
    mant |= 0x800000u;
    const int shift = 14 - exp;
    std::uint32_t h = mant >> shift;
    if ((mant >> (shift - 1)) & 1u) h += 1;
    return static_cast<std::uint16_t>(sign | h);
  }
  if (exp >= 31) return static_cast<std::uint16_t>(sign | 0x7c00u);
  std::uint32_t h = sign | (static_cast<std::uint32_t>(exp) << 10) | (mant >> 13);
  if (mant & 0x1000u) h += 1;
  return static_cast<std::uint16_t>(h);
}

// Nearest float8 e4m3fn value (by search over the 126 positive finite codes).
std::uint8_t f32_to_f8(float v) {
  const float a = std::fabs(v);
  int best = 0;
  float best_err = a;
  for (int code = 1; code < 0x7f; ++code) {
    const float err = std::fabs(f8e4m3_to_f32(static_cast<std::uint8_t>(code)) - a);
    if (err < best_err) {
      best_err = err;
      best = code;
    }
  }
  return static_cast<std::uint8_t>(best | (v < 0 ? 0x80 : 0));
}

void store(StorageType t, float v, unsigned char* out) {
  switch (t) {
    case StorageType::F32: std::memcpy(out, &v, 4); break;
    case StorageType::F16: { const std::uint16_t h = f32_to_f16(v); std::memcpy(out, &h, 2); break; }
    case StorageType::BF16: { const std::uint16_t h = f32_to_bf16(v); std::memcpy(out, &h, 2); break; }
    case StorageType::F8_E4M3: *out = f32_to_f8(v); break;
  }
}

std::vector<TensorSpec> plan(const SynthOptions& o) {
  const std::int64_t H = o.hidden_size, d = o.head_dim, nq = o.num_heads, nkv = o.num_kv_heads;
  const std::int64_t C = (nq + nkv) * d, R = nkv * d / 2, D = o.router_hidden_size, E = o.num_experts, I = o.moe_intermediate_size;
  std::vector<TensorSpec> t;
  auto lin = [&](const std::string& n, std::vector<std::int64_t> shape, std::int64_t fan_in, double gain = 1.0) {
    t.push_back({n, std::move(shape), o.dtype, {0.0, gain * std::sqrt(3.0 / static_cast<double>(fan_in))}});
  };
  auto vec = [&](const std::string& n, std::vector<std::int64_t> shape, double center, double spread) {
    t.push_back({n, std::move(shape), o.small_dtype, {center, spread}});
  };
  lin("model.embed_tokens.weight", {o.vocab_size, H}, 3);  // unit-variance rows
  vec("model.input_hidden_states_scale", {H}, 1.0, 0.5);
  vec("model.input_hidden_states_bias", {H}, 0.0, 0.2);
  vec("model.norm.weight", {H}, 1.0, 0.3);
  for (std::int64_t i = 0; i < o.num_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    const std::string a = p + "self_attn.qkv_proj.";
    vec(p + "input_layernorm.weight", {H}, 1.0, 0.3);
    lin(a + "q_proj.weight", {nq * d, H}, H);
    lin(a + "k_proj.weight", {nkv * d, H}, H);
    lin(a + "v_proj_current.weight", {R, H}, H);
    lin(a + "v_proj_delayed.weight", {R, H}, H);
    vec(a + "conv_qk_depthwise.weight", {C, 1, o.cca_time0}, 0.4, 0.4);
    vec(a + "conv_qk_depthwise.bias", {C}, 0.0, 0.2);
    vec(a + "conv_qk_grouped.weight", {C, d, o.cca_time1}, 0.0, 0.5 * std::sqrt(3.0 / static_cast<double>(d * o.cca_time1)));
    vec(a + "conv_qk_grouped.bias", {C}, 0.0, 0.2);
    vec(p + "self_attn.qk_norm.temp", {nkv}, 1.8, 1.0);
    lin(p + "self_attn.o_proj.weight", {H, nq * d}, nq * d);
    vec(p + "post_attention_residual_scale.hidden_states_scale", {H}, 0.8, 0.4);
    vec(p + "post_attention_residual_scale.hidden_states_bias", {H}, 0.0, 0.1);
    vec(p + "post_attention_residual_scale.residual_scale", {H}, 0.85, 0.25);
    vec(p + "post_attention_residual_scale.residual_bias", {H}, 0.0, 0.1);
    vec(p + "post_attention_layernorm.weight", {H}, 1.0, 0.3);
    const std::string g = p + "mlp.gate.";
    lin(g + "down_proj.weight", {D, H}, H);
    vec(g + "down_proj.bias", {D}, 0.0, 0.2);
    if (i > 0) vec(g + "router_states_scale", {D}, 0.6, 0.3);
    vec(g + "router_mlp.norm.weight", {D}, 1.0, 0.3);
    lin(g + "router_mlp.fc1.weight", {D, D}, D, 1.5);
    vec(g + "router_mlp.fc1.bias", {D}, 0.0, 0.2);
    lin(g + "router_mlp.fc2.weight", {D, D}, D, 1.5);
    vec(g + "router_mlp.fc2.bias", {D}, 0.0, 0.2);
    lin(g + "router_mlp.out_proj.weight", {E + 1, D}, D, 3.0);
    // Expert biases near 0; the skip bias sits at -1 in layer 0 (never
    // chosen, as in the real model) and near the expert probabilities
    // elsewhere, so some tokens skip.
    vec(g + "balancing_biases", {E + 1}, 0.0, 0.05);
    const StorageType et = o.fp8_experts ? StorageType::F8_E4M3 : o.dtype;
    t.push_back({p + "mlp.experts.gate_up_proj", {E, 2 * I, H}, et, {0.0, std::sqrt(3.0 / static_cast<double>(H))}});
    if (o.fp8_experts) t.push_back({p + "mlp.experts.gate_up_proj.weight_scale", {E, 2 * I, 1}, StorageType::F32, {}, true});
    t.push_back({p + "mlp.experts.down_proj", {E, H, I}, et, {0.0, std::sqrt(3.0 / static_cast<double>(I))}});
    if (o.fp8_experts) t.push_back({p + "mlp.experts.down_proj.weight_scale", {E, H, 1}, StorageType::F32, {}, true});
    vec(p + "post_mlp_residual_scale.hidden_states_scale", {H}, 1.0, 0.5);
    vec(p + "post_mlp_residual_scale.hidden_states_bias", {H}, 0.0, 0.1);
    vec(p + "post_mlp_residual_scale.residual_scale", {H}, 0.85, 0.25);
    vec(p + "post_mlp_residual_scale.residual_bias", {H}, 0.0, 0.1);
  }
  for (auto& s : t) {
    std::uint64_t n = 1;
    for (auto v : s.shape) n *= static_cast<std::uint64_t>(v);
    s.bytes = n * elem_size(s.type);
  }
  return t;
}

json config_json(const SynthOptions& o) {
  json c;
  c["architectures"] = {"ZayaForCausalLM"};
  c["attention_bias"] = false;
  c["attention_dropout"] = 0.0;
  c["bos_token_id"] = o.bos_token_id;
  c["cca_time0"] = o.cca_time0;
  c["cca_time1"] = o.cca_time1;
  c["dtype"] = o.dtype == StorageType::F32 ? "float32" : "bfloat16";
  c["eos_token_id"] = o.eos_token_id;
  c["head_dim"] = o.head_dim;
  c["hidden_act"] = "silu";
  c["hidden_size"] = o.hidden_size;
  c["initializer_range"] = 0.02;
  c["layer_types"] = std::vector<std::string>(static_cast<std::size_t>(o.num_layers), "hybrid");
  c["lm_head_bias"] = false;
  c["max_position_embeddings"] = 131072;
  c["model_type"] = "zaya";
  c["moe_intermediate_size"] = o.moe_intermediate_size;
  c["num_attention_heads"] = o.num_heads;
  c["num_experts"] = o.num_experts;
  c["num_experts_per_tok"] = 1;
  c["num_hidden_layers"] = o.num_layers;
  c["num_key_value_heads"] = o.num_kv_heads;
  c["output_router_logits"] = false;
  c["pad_token_id"] = o.pad_token_id;
  c["partial_rotary_factor"] = o.partial_rotary_factor;
  c["rms_norm_eps"] = 1e-5;
  c["rope_parameters"] = {
      {"hybrid", {{"partial_rotary_factor", o.partial_rotary_factor}, {"rope_theta", o.rope_theta}, {"rope_type", "default"}}},
      {"hybrid_sliding", {{"partial_rotary_factor", o.partial_rotary_factor}, {"rope_theta", 10000.0}, {"rope_type", "default"}}},
      {"rope_type", "default"}};
  c["router_hidden_size"] = o.router_hidden_size;
  c["sliding_window"] = nullptr;
  c["tie_word_embeddings"] = true;
  c["use_cache"] = true;
  c["vocab_size"] = o.vocab_size;
  return c;
}

// Writes one tensor's bytes through `out` in row-sized pieces. F8 tensors
// get a per-row scale (max |w| / 448) written by the following scale tensor.
class TensorWriter {
 public:
  TensorWriter(const SynthOptions& o) : o_(o) {}

  template <typename Sink>
  void write(const std::vector<TensorSpec>& all, std::size_t index, Sink&& sink) {
    const TensorSpec& s = all[index];
    const std::int64_t cols = s.shape.back();
    const std::int64_t rows = static_cast<std::int64_t>(s.bytes / elem_size(s.type)) / std::max<std::int64_t>(1, cols);
    const TensorSpec& src = s.fp8_scale_of_prev ? all[index - 1] : s;
    const std::int64_t src_cols = src.shape.back();
    const std::uint64_t key = splitmix(o_.seed) ^ name_hash(src.name);
    const bool is_skip_bias = s.name.size() > 16 && s.name.compare(s.name.size() - 16, 16, "balancing_biases") == 0;
    const std::int64_t layer = layer_of(s.name);
    std::vector<float> row(static_cast<std::size_t>(src_cols));
    std::vector<unsigned char> bytes;
    for (std::int64_t r = 0; r < rows; ++r) {
      for (std::int64_t c = 0; c < src_cols; ++c)
        row[c] = static_cast<float>(src.init.center + src.init.spread * unit(key, static_cast<std::uint64_t>(r * src_cols + c)));
      if (is_skip_bias) row[src_cols - 1] = layer == 0 ? -1.0f : static_cast<float>(0.15 + 0.1 * unit(key, ~0ull));
      float scale = 1.0f;
      if (src.type == StorageType::F8_E4M3) {
        float mx = 0;
        for (float v : row) mx = std::max(mx, std::fabs(v));
        scale = mx > 0 ? mx / 448.0f : 1.0f;
      }
      if (s.fp8_scale_of_prev) {
        bytes.resize(4);
        store(StorageType::F32, scale, bytes.data());
      } else {
        bytes.resize(static_cast<std::size_t>(cols) * elem_size(s.type));
        for (std::int64_t c = 0; c < cols; ++c) store(s.type, row[c] / scale, bytes.data() + c * elem_size(s.type));
      }
      sink(bytes.data(), bytes.size());
    }
  }

 private:
  static std::int64_t layer_of(const std::string& name) {
    const std::string p = "model.layers.";
    if (name.rfind(p, 0) != 0) return -1;
    return std::stoll(name.substr(p.size()));
  }
  const SynthOptions& o_;
};

std::string shard_name(int i, int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "model-%05d-of-%05d.safetensors", i + 1, n);
  return buf;
}

}  // namespace

bool apply_preset(const std::string& name, SynthOptions* o) {
  if (name == "tiny") {
    *o = SynthOptions{};
    return true;
  }
  if (name == "small-vocab262k") {
    *o = SynthOptions{};
    o->vocab_size = 262272;
    o->num_layers = 40;
    o->num_experts = 16;
    o->num_heads = 8;
    o->num_kv_heads = 2;
    o->head_dim = 16;
    o->hidden_size = 64;
    o->moe_intermediate_size = 64;
    o->router_hidden_size = 32;
    return true;
  }
  if (name == "zaya1-8b") {
    *o = SynthOptions{};
    o->vocab_size = 262272;
    o->hidden_size = 2048;
    o->num_layers = 40;
    o->num_heads = 8;
    o->num_kv_heads = 2;
    o->head_dim = 128;
    o->num_experts = 16;
    o->moe_intermediate_size = 2048;
    o->router_hidden_size = 256;
    return true;
  }
  return false;
}

void write_model(const SynthOptions& o, const std::string& out_dir,
                 const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  namespace fs = std::filesystem;
  if (o.shards < 1) throw std::runtime_error("shards must be >= 1");
  fs::create_directories(out_dir);
  std::vector<TensorSpec> specs = plan(o);
  std::uint64_t total = 0;
  for (const auto& s : specs) total += s.bytes;
  // Shards: consecutive tensors, cut when a shard reaches total / shards (an
  // F8 tensor and its scale stay together).
  const std::uint64_t target = (total + static_cast<std::uint64_t>(o.shards) - 1) / static_cast<std::uint64_t>(o.shards);
  std::vector<std::uint64_t> shard_bytes(static_cast<std::size_t>(o.shards), 0);
  int shard = 0;
  for (auto& s : specs) {
    if (!s.fp8_scale_of_prev && shard_bytes[static_cast<std::size_t>(shard)] >= target && shard + 1 < o.shards) ++shard;
    s.shard = shard;
    s.offset = shard_bytes[static_cast<std::size_t>(shard)];
    shard_bytes[static_cast<std::size_t>(shard)] += s.bytes;
  }
  const int used_shards = shard + 1;

  {
    std::ofstream cfg(fs::path(out_dir) / "config.json");
    cfg << config_json(o).dump(2) << "\n";
    if (!cfg) throw std::runtime_error(out_dir + "/config.json: write failed");
  }
  json index;
  index["metadata"] = {{"total_size", total}};
  index["weight_map"] = json::object();
  TensorWriter writer(o);
  std::uint64_t done = 0;
  for (int sh = 0; sh < used_shards; ++sh) {
    const std::string file = used_shards == 1 && o.shards == 1 ? "model.safetensors" : shard_name(sh, used_shards);
    json header = json::object();
    header["__metadata__"] = {{"format", "pt"}};
    for (const auto& s : specs) {
      if (s.shard != sh) continue;
      header[s.name] = {{"dtype", type_name(s.type)}, {"shape", s.shape}, {"data_offsets", {s.offset, s.offset + s.bytes}}};
      index["weight_map"][s.name] = file;
    }
    std::string text = header.dump();
    while (text.size() % 8) text += ' ';
    const fs::path path = fs::path(out_dir) / file;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path.string() + ": cannot create");
    std::uint64_t n = text.size();
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(n >> (8 * i));
    out.write(reinterpret_cast<const char*>(len), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    std::vector<char> buffer;
    buffer.reserve(16u << 20);
    auto flush = [&] {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      done += buffer.size();
      buffer.clear();
      if (progress) progress(done, total);
    };
    for (std::size_t i = 0; i < specs.size(); ++i) {
      if (specs[i].shard != sh) continue;
      writer.write(specs, i, [&](const unsigned char* p, std::size_t k) {
        buffer.insert(buffer.end(), p, p + k);
        if (buffer.size() >= (16u << 20)) flush();
      });
    }
    flush();
    if (!out) throw std::runtime_error(path.string() + ": write failed (disk full?)");
  }
  if (used_shards > 1 || o.shards > 1) {
    std::ofstream idx(fs::path(out_dir) / "model.safetensors.index.json");
    idx << index.dump(2) << "\n";
    if (!idx) throw std::runtime_error(out_dir + "/model.safetensors.index.json: write failed");
  }
}

}  // namespace zaya::synth
