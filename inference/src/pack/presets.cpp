#include "pack/presets.h"

#include <stdexcept>

#include "model/weights.h"
#include "pack/pack_format.h"
#include "pack/pack_reader.h"
#include "pack/tensor_list.h"
#include "quant/quant_format.h"

namespace zaya::pack {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// One part of a custom mix: a matrix group's choice.
DType matrix_part(const std::string& part, const std::string& whole) {
  if (part == "q4") return DType::Q4_G32;
  if (part == "q8") return DType::Q8_G32;
  if (part == "f") return DType::BF16;
  throw std::invalid_argument("unknown quantisation preset '" + whole + "' (matrix parts are q4, q8 or f)");
}

DType conv_part(const std::string& part, const std::string& whole) {
  if (part == "bf16") return DType::BF16;
  if (part == "f32") return DType::F32;
  throw std::invalid_argument("unknown quantisation preset '" + whole + "' (the conv part is bf16 or f32)");
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts(1);
  for (char ch : s) {
    if (ch == sep) parts.emplace_back();
    else parts.back() += ch;
  }
  return parts;
}

}  // namespace

const char* group_name(TensorGroup g) {
  switch (g) {
    case TensorGroup::Head: return "head";
    case TensorGroup::Experts: return "experts";
    case TensorGroup::Attention: return "attention";
    case TensorGroup::Router: return "router";
    case TensorGroup::Conv: return "conv";
    case TensorGroup::Vector: return "vector";
  }
  return "?";
}

TensorGroup tensor_group(std::string_view name) {
  if (name == "model.embed_tokens.weight") return TensorGroup::Head;
  if (ends_with(name, "mlp.experts.gate_up_proj") || ends_with(name, "mlp.experts.down_proj")) return TensorGroup::Experts;
  for (const char* p : {"self_attn.qkv_proj.q_proj.weight", "self_attn.qkv_proj.k_proj.weight",
                        "self_attn.qkv_proj.v_proj_current.weight", "self_attn.qkv_proj.v_proj_delayed.weight",
                        "self_attn.o_proj.weight"})
    if (ends_with(name, p)) return TensorGroup::Attention;
  for (const char* p : {"mlp.gate.down_proj.weight", "mlp.gate.router_mlp.fc1.weight", "mlp.gate.router_mlp.fc2.weight",
                        "mlp.gate.router_mlp.out_proj.weight"})
    if (ends_with(name, p)) return TensorGroup::Router;
  if (ends_with(name, "self_attn.qkv_proj.conv_qk_depthwise.weight") || ends_with(name, "self_attn.qkv_proj.conv_qk_grouped.weight"))
    return TensorGroup::Conv;
  return TensorGroup::Vector;
}

DType QuantizePreset::choice(TensorGroup g) const {
  switch (g) {
    case TensorGroup::Head: return head;
    case TensorGroup::Experts: return experts;
    case TensorGroup::Attention: return attention;
    case TensorGroup::Router: return router;
    case TensorGroup::Conv: return conv;
    case TensorGroup::Vector: return DType::F32;
  }
  return DType::F32;
}

QuantizePreset quantize_preset(const std::string& name) {
  // default: the mix of the one published ZAYA1-8B quantisation study — the
  // tied embedding/head and the router MLP at 8 bits (the head is both the
  // input of every token and all 262k logits; the router's top-1 choice
  // flips on small perturbations), the conv kernels at 16 bits, the experts
  // (91 % of the weights) at 4 bits. Attention stays at 4 bits: the study
  // quantises it with the experts, and at 8 bits it would add 105 MB per
  // token (10 %) to the 8B.
  if (name == "default") return {"default", DType::Q4_G32, DType::Q4_G32, DType::Q8_G32, DType::Q8_G32, DType::BF16};
  // q4: the smallest and fastest pack, everything that was ever quantised at
  // 4 bits. The router runs on the int8 path (half the bytes of its bf16
  // copy and the quantised kernels instead of the float matmul); 4-bit
  // routers would save 13 MB per token more and move the top-1 choice.
  if (name == "q4") return {"q4", DType::Q4_G32, DType::Q4_G32, DType::Q4_G32, DType::Q8_G32, DType::BF16};
  if (name == "q8") return {"q8", DType::Q8_G32, DType::Q8_G32, DType::Q8_G32, DType::Q8_G32, DType::BF16};
  const std::vector<std::string> parts = split(name, '/');
  if (parts.size() == 3 || parts.size() == 5) {
    QuantizePreset p = quantize_preset("default");
    p.name = name;
    p.experts = matrix_part(parts[0], name);
    p.attention = matrix_part(parts[1], name);
    p.head = matrix_part(parts[2], name);
    if (parts.size() == 5) {
      p.router = matrix_part(parts[3], name);
      p.conv = conv_part(parts[4], name);
    }
    return p;
  }
  throw std::invalid_argument("unknown quantisation preset '" + name +
                              "' (known: default, q4, q8, or experts/attention/head[/router/conv] with q4|q8|f parts "
                              "and conv bf16|f32)");
}

const std::vector<NamedPreset>& named_presets() {
  static const std::vector<NamedPreset> list = {
      {"default", "4-bit experts and attention, 8-bit head and router, bf16 conv: the mix the published ZAYA1-8B study trusts"},
      {"q4", "4-bit experts, attention and head, 8-bit router, bf16 conv: the smallest and fastest"},
      {"q8", "8-bit experts, attention, head and router, bf16 conv: closest to the checkpoint, about twice the bytes"},
  };
  return list;
}

DType pack_dtype(const QuantizePreset& p, TensorGroup g, DType source) {
  const DType want = p.choice(g);
  if (g == TensorGroup::Vector || g == TensorGroup::Conv) return want;
  return quant::is_quantized(want) ? want : source;
}

std::vector<std::pair<std::string, std::string>> preset_fields(const QuantizePreset& p) {
  auto matrix = [](DType t) -> std::string { return quant::is_quantized(t) ? dtype_name(t) : "checkpoint type"; };
  return {{"preset", p.name},           {"experts", matrix(p.experts)}, {"attention", matrix(p.attention)},
          {"head", matrix(p.head)},     {"router", matrix(p.router)},   {"conv", dtype_name(p.conv)},
          {"vectors", "F32"}};
}

std::uint64_t matrix_bytes(DType t, std::int64_t rows, std::int64_t cols) {
  const auto r = static_cast<std::uint64_t>(rows), n = r * static_cast<std::uint64_t>(cols);
  switch (t) {
    case DType::F32: return n * 4;
    case DType::F16:
    case DType::BF16: return n * 2;
    case DType::F8_E4M3: return n + r * 4;
    case DType::Q8_G32:
    case DType::Q4_G32: return r * (quant::data_row_bytes(t, cols) + quant::scale_row_bytes(t, cols));
    case DType::Q8_G32_X16:
    case DType::Q4_G32_X16: break;
  }
  throw std::invalid_argument(std::string("matrix_bytes: ") + dtype_name(t) + " is a run-time layout, not a storage format");
}

namespace {

// The decode walk for given per-group formats. `conv` is the grouped conv's
// format as the forward pass reads it.
std::uint64_t decode_bytes(const ModelConfig& c, DType head, DType attention, DType router, DType experts, DType conv) {
  const std::int64_t H = c.hidden_size, D = c.router_hidden_size, I = c.moe_intermediate_size, E = c.num_experts;
  const std::int64_t C = c.conv_channels();
  std::uint64_t per_layer = 0;
  for (std::int64_t rows : {c.q_width(), c.kv_width(), c.value_half(), c.value_half()}) per_layer += matrix_bytes(attention, rows, H);
  per_layer += matrix_bytes(attention, H, c.q_width());
  per_layer += matrix_bytes(router, D, H) + 2 * matrix_bytes(router, D, D) + matrix_bytes(router, E + 1, D);
  per_layer += matrix_bytes(experts, 2 * I, H) + matrix_bytes(experts, H, I);
  per_layer += matrix_bytes(conv, C, c.head_dim * c.cca_time1) + matrix_bytes(DType::F32, C, c.cca_time0);
  return matrix_bytes(head, c.vocab_size, H) + static_cast<std::uint64_t>(c.num_layers) * per_layer;
}

// A preset's matrix choice as the bytes of a bf16 checkpoint converted with it.
DType as_stored(const QuantizePreset& p, TensorGroup g) { return pack_dtype(p, g, DType::BF16); }

}  // namespace

std::uint64_t decode_bytes_per_token(const QuantizePreset& p, const ModelConfig& c) {
  return decode_bytes(c, as_stored(p, TensorGroup::Head), as_stored(p, TensorGroup::Attention), as_stored(p, TensorGroup::Router),
                      as_stored(p, TensorGroup::Experts), as_stored(p, TensorGroup::Conv));
}

std::uint64_t decode_bytes_per_token(const ModelWeights& w) {
  if (w.layers.empty()) return matrix_bytes(w.embed.dtype, w.embed.rows, w.embed.cols);
  const LayerWeights& l = w.layers.front();
  const DType conv = l.conv1_bf16.data ? DType::BF16 : DType::F32;
  return decode_bytes(w.config, w.embed.dtype, l.q_proj.dtype, l.router_down.dtype, l.expert_gate_up.front().dtype, conv);
}

std::uint64_t pack_tensor_bytes(const QuantizePreset& p, const ModelConfig& c) {
  std::uint64_t total = 0;
  for (const CheckpointTensor& t : checkpoint_tensors(c)) {
    const std::uint64_t b = tensor_bytes(pack_dtype(p, tensor_group(t.name), DType::BF16), t.shape);
    total += (b + kPackAlignment - 1) / kPackAlignment * kPackAlignment;
  }
  return total;
}

}  // namespace zaya::pack
