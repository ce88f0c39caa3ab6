#include "pack/load_pack.h"

#include <set>

#include "io/mapped_file.h"
#include "kernels/convert.h"
#include "quant/quant_format.h"

namespace zaya::pack {

namespace {

std::string shape_str(const std::vector<std::int64_t>& s) {
  std::string r = "[";
  for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

class PackBinder {
 public:
  explicit PackBinder(const PackReader& r) : r_(r) {}

  const PackEntry& get(const std::string& name, const std::vector<std::int64_t>& shape) {
    const PackEntry* e = r_.find(name);
    if (!e || e->kind != EntryKind::Tensor)
      throw PackError(r_.source() + ": required tensor '" + name + "' is missing from the model pack");
    used_.insert(name);
    if (e->shape != shape)
      throw PackError(r_.source() + ": tensor '" + name + "' has shape " + shape_str(e->shape) + ", expected " + shape_str(shape));
    return *e;
  }

  std::vector<float> vec(const std::string& name, const std::vector<std::int64_t>& shape) {
    const PackEntry& e = get(name, shape);
    const auto b = r_.bytes(e);
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<float> out(static_cast<std::size_t>(n));
    switch (e.dtype) {
      case DType::F32:
      case DType::F16:
      case DType::BF16: quant::row_to_f32(e.dtype, b.data(), n, 1.0f, out.data()); break;
      default:
        throw PackError(r_.source() + ": tensor '" + name + "' has dtype " + dtype_name(e.dtype) + "; expected F32, F16 or BF16");
    }
    return out;
  }

  WeightMatrix matrix(const std::string& name, std::int64_t rows, std::int64_t cols) {
    return checked_view(get(name, {rows, cols}), name);
  }

  std::vector<WeightMatrix> stacked(const std::string& name, std::int64_t E, std::int64_t rows, std::int64_t cols) {
    const WeightMatrix all = checked_view(get(name, {E, rows, cols}), name);
    std::vector<WeightMatrix> out;
    for (std::int64_t e = 0; e < E; ++e) out.push_back(all.row_slice(e * rows, rows));
    return out;
  }

  void check_no_extras() const {
    for (const PackEntry& e : r_.entries())
      if (e.kind == EntryKind::Tensor && !used_.count(e.name))
        throw PackError(r_.source() + ": unexpected tensor '" + e.name + "' (not part of a ZAYA1 model of this config)");
  }

 private:
  WeightMatrix checked_view(const PackEntry& e, const std::string& name) {
    if (e.dtype == DType::F8_E4M3)
      throw PackError(r_.source() + ": tensor '" + name + "' is F8_E4M3; packs hold Q4_G32, Q8_G32 or float matrices");
    return r_.matrix(e);
  }

  const PackReader& r_;
  std::set<std::string> used_;
};

ResidualMerge merge(PackBinder& b, const std::string& p, std::int64_t H) {
  ResidualMerge m;
  m.hidden_scale = b.vec(p + "hidden_states_scale", {H});
  m.hidden_bias = b.vec(p + "hidden_states_bias", {H});
  m.residual_scale = b.vec(p + "residual_scale", {H});
  m.residual_bias = b.vec(p + "residual_bias", {H});
  return m;
}

}  // namespace

ModelWeights weights_from_pack(const PackReader& reader, std::shared_ptr<const void> storage) {
  ModelWeights w;
  if (!reader.find("config.json")) throw PackError(reader.source() + ": model pack has no config.json");
  w.config = parse_config(reader.blob_text("config.json"), reader.source() + ":config.json");
  const ModelConfig& c = w.config;
  const std::int64_t H = c.hidden_size, d = c.head_dim, nq = c.num_heads, nkv = c.num_kv_heads;
  const std::int64_t C = c.conv_channels(), R = c.value_half(), D = c.router_hidden_size;
  const std::int64_t E = c.num_experts, I = c.moe_intermediate_size;
  PackBinder b(reader);
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
    L.conv1_weight = b.vec(a + "conv_qk_grouped.weight", {C, d, c.cca_time1});
    L.conv1_bias = b.vec(a + "conv_qk_grouped.bias", {C});
    L.key_temperature = b.vec(p + "self_attn.qk_norm.temp", {nkv});
    L.o_proj = b.matrix(p + "self_attn.o_proj.weight", H, nq * d);
    L.post_attention = merge(b, p + "post_attention_residual_scale.", H);
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
    L.post_mlp = merge(b, p + "post_mlp_residual_scale.", H);
    w.layers.push_back(std::move(L));
  }
  b.check_no_extras();
  validate_weights(w, reader.source());
  for (const PackEntry& e : reader.entries()) w.storage_bytes += e.size;
  w.storage.push_back(std::move(storage));
  return w;
}

ModelWeights load_pack_model(const std::string& path, const PackProgress& progress, const std::atomic<bool>* cancel,
                             bool prefault, bool verify) {
  auto report = [&](double f, const std::string& stage) {
    if (progress) progress(f, stage);
    if (cancel && cancel->load()) throw Cancelled();
  };
  report(0.0, "reading model pack");
  auto pack = std::make_shared<MappedPack>(path);
  const PackReader& r = pack->reader();
  ModelWeights w = weights_from_pack(r, pack);
  if (prefault || verify) {
    // By bytes, so the bar moves evenly; verifying reads every byte anyway.
    std::uint64_t total = 1, done = 0;
    for (const PackEntry& e : r.entries()) total += e.size;
    for (const PackEntry& e : r.entries()) {
      if (verify) {
        r.verify(e);
      } else {
        const auto b = r.bytes(e);
        volatile unsigned char sink = 0;
        for (std::size_t q = 0; q < b.size(); q += 4096) sink = sink + static_cast<unsigned char>(b[q]);
        (void)sink;
      }
      done += e.size;
      report(static_cast<double>(done) / static_cast<double>(total), verify ? "verifying weights" : "reading weights");
    }
  }
  report(1.0, "ready");
  return w;
}

}  // namespace zaya::pack
