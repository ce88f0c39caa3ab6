// Quantisation presets: which storage format each group of a ZAYA1
// checkpoint's tensors gets in a model pack, and what that costs (weight
// bytes per decoded token, pack size). The converter (quantize.h), the
// synthetic pack writer (synthetic_pack.h) and every reported number take
// the format of a tensor from here, so they cannot disagree.
//
// Named presets (the 8B numbers are in docs/performance/engine-quant.md):
//   default  experts Q4_G32, attention Q4_G32, head Q8_G32, router Q8_G32, conv BF16
//   q4       experts, attention, head Q4_G32; router Q8_G32, conv BF16
//   q8       experts, attention, head, router Q8_G32; conv BF16
// Custom mixes: "experts/attention/head" (each q4, q8, or f = keep the
// checkpoint's float type; router and conv as in `default`) or
// "experts/attention/head/router/conv" (router q4|q8|f, conv bf16|f32).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tensor/matrix.h"
#include "zaya/config.h"

namespace zaya {
struct ModelWeights;
}

namespace zaya::pack {

// How a checkpoint tensor is stored in a pack, by what it is.
enum class TensorGroup {
  Head,       // model.embed_tokens.weight (= the tied LM head)
  Experts,    // mlp.experts.gate_up_proj / down_proj
  Attention,  // q / k / v_current / v_delayed / o projections
  Router,     // mlp.gate.down_proj, router_mlp.fc1 / fc2 / out_proj weights
  Conv,       // conv_qk_depthwise / conv_qk_grouped weights
  Vector,     // norms, biases, residual scales, temperatures, balancing biases: always F32
};

// "head", "experts", "attention", "router", "conv", "vector".
const char* group_name(TensorGroup g);

// `name` is a checkpoint (= pack) tensor name.
TensorGroup tensor_group(std::string_view name);

struct QuantizePreset {
  std::string name;
  // Matrix groups: Q4_G32 or Q8_G32, or a float type, meaning "kept in the
  // checkpoint's own float type" (written as BF16 here, the real
  // checkpoint's type).
  DType experts = DType::Q4_G32;
  DType attention = DType::Q4_G32;
  DType head = DType::Q8_G32;
  DType router = DType::Q8_G32;
  // Conv kernels: BF16 (exact for a bf16 checkpoint, half the bytes of
  // F32) or F32 (what every pack held before).
  DType conv = DType::BF16;

  // The choice for `g` (Vector: F32).
  DType choice(TensorGroup g) const;
};

// A named preset or a custom mix (see the top of this file); throws
// std::invalid_argument naming the known presets for anything else.
QuantizePreset quantize_preset(const std::string& name);

inline constexpr const char* kDefaultPresetName = "default";

struct NamedPreset {
  std::string name;
  std::string description;  // one line
};
// default, q4, q8, in that order.
const std::vector<NamedPreset>& named_presets();

// The dtype a tensor of group `g` whose checkpoint dtype is `source` is
// written with under `p`: a quantised choice as chosen; a float choice for a
// matrix group keeps `source`; conv kernels take the preset's conv type;
// vectors F32.
DType pack_dtype(const QuantizePreset& p, TensorGroup g, DType source);

// What pack.json records of a preset, as (key, value) pairs: "preset" (its
// name) and one entry per group ("experts", "attention", "head", "router":
// a dtype name or "checkpoint type"; "conv": BF16 or F32; "vectors": F32).
std::vector<std::pair<std::string, std::string>> preset_fields(const QuantizePreset& p);

// Storage bytes of a [rows, cols] matrix in `t`, data and scales, without
// any alignment padding (what a kernel reads).
std::uint64_t matrix_bytes(DType t, std::int64_t rows, std::int64_t cols);

// Weight bytes one batch-1 decode step reads, for a pack of config `c` made
// with `p` from a bf16 checkpoint: the whole tied head (every row: the
// logits need them all), and per layer the attention projections, the
// router's four matrices, one expert (top-1; gate_up and down) and the conv
// kernels — the grouped conv at the preset's conv width, the depthwise conv
// at fp32 (it is widened at load: C·K0 values, 10 KB a layer for the 8B).
// Left out: the embedding row (one row), the small F32 vectors (norms,
// biases, scales: 0.8 M values for the 8B) and the K/V cache.
std::uint64_t decode_bytes_per_token(const QuantizePreset& p, const ModelConfig& c);

// The same for a loaded model, with each group's format read from its
// weights (the converters write one format per group): the one number
// zaya-bench, zaya-run and the model manager show for a pack.
std::uint64_t decode_bytes_per_token(const ModelWeights& w);

// Bytes of the tensor entries of such a pack (each entry aligned to a page
// as PackWriter lays them out). The file adds its header, entry table and
// blobs: config.json and the tokenizer files (~33 MB for ZAYA1's).
std::uint64_t pack_tensor_bytes(const QuantizePreset& p, const ModelConfig& c);

}  // namespace zaya::pack
