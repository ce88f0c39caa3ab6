// Checkpoint → model pack conversion, one tensor at a time.
//
// Which tensors are quantised (the rest keep 16/32 bits):
//   experts    mlp.experts.gate_up_proj / down_proj       preset's expert type
//   attention  q/k/v_current/v_delayed/o projections       preset's attention type
//   head       model.embed_tokens.weight (= tied LM head)  preset's head type
//   router matrices: copied in their checkpoint type (BF16/F16/F32);
//   norms, residual scales, biases, convs, temperatures: F32.
// F8_E4M3 experts (Zyphra's FP8-experts checkpoint) are dequantised row by
// row with their per-row weight_scale and quantised directly, never widened
// as a whole; MXFP4-experts checkpoints are refused.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "tensor/matrix.h"

namespace zaya::pack {

struct QuantizePreset {
  std::string name;
  DType experts = DType::Q4_G32;
  DType attention = DType::Q4_G32;
  DType head = DType::Q4_G32;
};

// "q4" or "q8"; throws std::invalid_argument for anything else.
QuantizePreset quantize_preset(const std::string& name);

struct QuantizeOptions {
  QuantizePreset preset = quantize_preset("q4");
  int threads = 0;  // 0 = one per hardware thread
  std::function<void(double fraction, const std::string& tensor)> progress;
};

// Squared reconstruction error of one tensor group, over all its weights.
struct GroupError {
  double error_sq = 0, reference_sq = 0;
  std::int64_t weights = 0;
  double relative() const;  // sqrt(error_sq / reference_sq)
};

struct QuantizeResult {
  std::map<std::string, GroupError> groups;  // "experts", "attention", "head"
  std::uint64_t pack_bytes = 0;
  std::int64_t tensors = 0;
};

// Converts the checkpoint directory `model_dir` (config.json, safetensors,
// tokenizer files) into the pack `out_path`, then re-reads the finished file
// and verifies every tensor checksum. Throws LoadError/PackError.
QuantizeResult quantize_checkpoint(const std::string& model_dir, const std::string& out_path, const QuantizeOptions& options);

}  // namespace zaya::pack
