#include "model/load_safetensors.h"

#include <set>

#include "io/safetensors.h"
#include "model/bind_tensors.h"
#include "kernels/convert.h"
#include "zaya/errors.h"

namespace zaya {
namespace {

std::string shape_str(const std::vector<std::int64_t>& s) {
  std::string r = "[";
  for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

class Binder {
 public:
  Binder(const Checkpoint& ck, std::string dir) : ck_(ck), dir_(std::move(dir)) {}

  const Checkpoint::Tensor& get(const std::string& name, const std::vector<std::int64_t>& shape) {
    const auto* t = ck_.find(name);
    if (!t) throw LoadError(dir_ + ": required tensor '" + name + "' is missing from the checkpoint");
    used_.insert(name);
    if (t->info.shape != shape)
      throw LoadError(t->file->path() + ": tensor '" + name + "' has shape " + shape_str(t->info.shape) + ", expected " +
                      shape_str(shape));
    return *t;
  }

  bool has(const std::string& name) const { return ck_.find(name) != nullptr; }

  // A small vector (any float dtype) widened to fp32.
  std::vector<float> vec(const std::string& name, const std::vector<std::int64_t>& shape) {
    const auto& t = get(name, shape);
    std::vector<float> out(static_cast<std::size_t>(t.info.numel()));
    for (std::size_t i = 0; i < out.size(); ++i) {
      switch (t.info.dtype) {
        case DType::F32: out[i] = load_f32(t.data + 4 * i); break;
        case DType::F16: out[i] = f16_to_f32(load_u16(t.data + 2 * i)); break;
        case DType::BF16: out[i] = bf16_to_f32(load_u16(t.data + 2 * i)); break;
        default:
          throw LoadError(t.file->path() + ": tensor '" + name + "' has dtype " + dtype_name(t.info.dtype) +
                          "; expected F32, F16 or BF16");
      }
    }
    return out;
  }

  // A checkpoint's grouped conv is always widened: float checkpoints keep the
  // fp32 path they were validated on.
  void grouped_conv(const std::string& name, const std::vector<std::int64_t>& shape, std::vector<float>& f32, WeightMatrix&) {
    f32 = vec(name, shape);
  }

  // A dense [rows, cols] matrix view; F8 is accepted only where a scale tensor may follow.
  WeightMatrix matrix(const std::string& name, std::int64_t rows, std::int64_t cols) {
    const auto& t = get(name, {rows, cols});
    return view(t, name, rows, cols, false);
  }

  // A stacked [E, rows, cols] tensor cut into E views (F8 needs `<name>.weight_scale` [E, rows, 1] F32).
  std::vector<WeightMatrix> stacked(const std::string& name, std::int64_t E, std::int64_t rows, std::int64_t cols) {
    const auto& t = get(name, {E, rows, cols});
    WeightMatrix all = view(t, name, E * rows, cols, true);
    const std::string scale_name = name + ".weight_scale";
    if (t.info.dtype == DType::F8_E4M3) {
      const auto* s = ck_.find(scale_name);
      if (!s) throw LoadError(dir_ + ": F8_E4M3 tensor '" + name + "' needs its scale tensor '" + scale_name + "', which is missing");
      get(scale_name, {E, rows, 1});
      if (s->info.dtype != DType::F32)
        throw LoadError(s->file->path() + ": tensor '" + scale_name + "' has dtype " + dtype_name(s->info.dtype) + "; expected F32");
      all.scales = s->data;
      all.scale_row_stride_bytes = 4;
    }
    std::vector<WeightMatrix> out;
    for (std::int64_t e = 0; e < E; ++e) out.push_back(all.row_slice(e * rows, rows));
    return out;
  }

  void check_no_extras() const {
    for (const auto& [name, t] : ck_.tensors())
      if (!used_.count(name)) throw LoadError(t.file->path() + ": unexpected tensor '" + name + "' (not part of a ZAYA1 model of this config)");
  }

 private:
  WeightMatrix view(const Checkpoint::Tensor& t, const std::string& name, std::int64_t rows, std::int64_t cols, bool allow_f8) {
    std::size_t elem = 0;
    switch (t.info.dtype) {
      case DType::F32: elem = 4; break;
      case DType::F16:
      case DType::BF16: elem = 2; break;
      case DType::F8_E4M3:
        if (allow_f8) { elem = 1; break; }
        [[fallthrough]];
      default:
        throw LoadError(t.file->path() + ": tensor '" + name + "' has dtype " + dtype_name(t.info.dtype) +
                        (allow_f8 ? "; expected F32, F16, BF16 or F8_E4M3" : "; expected F32, F16 or BF16"));
    }
    WeightMatrix m;
    m.dtype = t.info.dtype;
    m.rows = rows;
    m.cols = cols;
    m.data = t.data;
    m.row_stride_bytes = static_cast<std::size_t>(cols) * elem;
    return m;
  }

  const Checkpoint& ck_;
  std::string dir_;
  std::set<std::string> used_;
};

}  // namespace

ModelWeights load_safetensors_model(const std::string& dir, const LoadProgress& progress, const std::atomic<bool>* cancel,
                                    bool prefault) {
  auto report = [&](double f, const std::string& stage) {
    if (progress) progress(f, stage);
    if (cancel && cancel->load()) throw Cancelled();
  };
  report(0.0, "reading config");
  ModelWeights w;
  w.config = load_config(dir);
  report(0.0, "checking checkpoint");
  auto ck = std::make_shared<Checkpoint>(Checkpoint::open(dir));

  Binder b(*ck, dir);
  bind_model_tensors(b, w);
  b.check_no_extras();
  w.storage.push_back(ck);
  w.storage_bytes = ck->total_bytes();

  if (prefault) {
    // Touch one byte per page so the weights are resident before the first
    // token; reported by bytes so the bar moves evenly.
    const std::uint64_t total = std::max<std::uint64_t>(1, ck->total_bytes());
    std::uint64_t done = 0;
    constexpr std::size_t kPage = 4096, kStep = 64u << 20;
    for (const auto& f : ck->files()) {
      for (std::size_t off = 0; off < f->size(); off += kStep) {
        const std::size_t end = std::min(f->size(), off + kStep);
        volatile unsigned char sink = 0;
        for (std::size_t q = off; q < end; q += kPage) sink = sink + static_cast<unsigned char>(f->data()[q]);
        (void)sink;
        done += end - off;
        report(static_cast<double>(done) / static_cast<double>(total), "reading weights");
      }
    }
  }
  report(1.0, "ready");
  return w;
}

void validate_weights(const ModelWeights& w, const std::string& source) {
  const ModelConfig& c = w.config;
  auto need = [&](bool ok, const std::string& what) {
    if (!ok) throw LoadError(source + ": " + what);
  };
  auto mat = [&](const WeightMatrix& m, std::int64_t r, std::int64_t k, const std::string& name) {
    need(m.data && m.rows == r && m.cols == k,
         name + " is [" + std::to_string(m.rows) + ", " + std::to_string(m.cols) + "], expected [" + std::to_string(r) + ", " +
             std::to_string(k) + "]");
  };
  auto vec = [&](const std::vector<float>& v, std::int64_t n, const std::string& name) {
    need(static_cast<std::int64_t>(v.size()) == n, name + " has " + std::to_string(v.size()) + " values, expected " + std::to_string(n));
  };
  const std::int64_t H = c.hidden_size, d = c.head_dim, D = c.router_hidden_size, E = c.num_experts, I = c.moe_intermediate_size;
  mat(w.embed, c.vocab_size, H, "embed");
  vec(w.input_scale, H, "input_scale");
  vec(w.input_bias, H, "input_bias");
  vec(w.final_norm, H, "final_norm");
  need(static_cast<std::int64_t>(w.layers.size()) == c.num_layers, "wrong number of layers");
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const auto& L = w.layers[i];
    const std::string p = "layer " + std::to_string(i) + " ";
    mat(L.q_proj, c.q_width(), H, p + "q_proj");
    mat(L.k_proj, c.kv_width(), H, p + "k_proj");
    mat(L.v_current, c.value_half(), H, p + "v_current");
    mat(L.v_delayed, c.value_half(), H, p + "v_delayed");
    mat(L.o_proj, H, c.q_width(), p + "o_proj");
    vec(L.conv0_weight, c.conv_channels() * c.cca_time0, p + "conv0_weight");
    vec(L.conv0_bias, c.conv_channels(), p + "conv0_bias");
    if (L.conv1_bf16.data) {
      need(L.conv1_weight.empty() && L.conv1_bf16.dtype == DType::BF16, p + "conv1 is held both ways, or its view is not BF16");
      mat(L.conv1_bf16, c.conv_channels(), d * c.cca_time1, p + "conv1_weight");
    } else {
      vec(L.conv1_weight, c.conv_channels() * d * c.cca_time1, p + "conv1_weight");
    }
    vec(L.conv1_bias, c.conv_channels(), p + "conv1_bias");
    vec(L.key_temperature, c.num_kv_heads, p + "key_temperature");
    vec(L.input_norm, H, p + "input_norm");
    vec(L.post_attention_norm, H, p + "post_attention_norm");
    for (const auto* m : {&L.post_attention, &L.post_mlp}) {
      vec(m->hidden_scale, H, p + "merge");
      vec(m->hidden_bias, H, p + "merge");
      vec(m->residual_scale, H, p + "merge");
      vec(m->residual_bias, H, p + "merge");
    }
    mat(L.router_down, D, H, p + "router_down");
    vec(L.router_down_bias, D, p + "router_down_bias");
    vec(L.router_states_scale, i == 0 ? 0 : D, p + "router_states_scale");
    vec(L.router_norm, D, p + "router_norm");
    mat(L.router_fc1, D, D, p + "router_fc1");
    mat(L.router_fc2, D, D, p + "router_fc2");
    vec(L.router_fc1_bias, D, p + "router_fc1_bias");
    vec(L.router_fc2_bias, D, p + "router_fc2_bias");
    mat(L.router_out, E + 1, D, p + "router_out");
    vec(L.balancing_biases, E + 1, p + "balancing_biases");
    need(static_cast<std::int64_t>(L.expert_gate_up.size()) == E && static_cast<std::int64_t>(L.expert_down.size()) == E,
         p + "expert count");
    for (std::int64_t e = 0; e < E; ++e) {
      mat(L.expert_gate_up[static_cast<std::size_t>(e)], 2 * I, H, p + "expert gate_up");
      mat(L.expert_down[static_cast<std::size_t>(e)], H, I, p + "expert down");
    }
  }
}

}  // namespace zaya
