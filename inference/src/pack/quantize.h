// Checkpoint → model pack conversion, one tensor at a time.
//
// Which format each tensor gets is the preset's (pack/presets.h):
//   experts    mlp.experts.gate_up_proj / down_proj       preset's expert type
//   attention  q/k/v_current/v_delayed/o projections       preset's attention type
//   head       model.embed_tokens.weight (= tied LM head)  preset's head type
//   router     mlp.gate down_proj, fc1, fc2, out_proj      preset's router type
//   conv       conv_qk_depthwise / conv_qk_grouped weights preset's conv type (BF16 or F32)
//   norms, residual scales, biases, temperatures: F32.
// A matrix group whose choice is a float type keeps the checkpoint's own
// float type (BF16/F16/F32). The default preset ("default") is the mix the
// published ZAYA1-8B quantisation study trusts: 4-bit experts and attention,
// 8-bit head and router, bf16 conv; "q4" is the smallest, "q8" all 8-bit.
// pack.json records the preset and each group's format.
// F8_E4M3 experts (Zyphra's FP8-experts checkpoint) are dequantised row by
// row with their per-row weight_scale and quantised directly, never widened
// as a whole; MXFP4-experts checkpoints are refused.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "pack/presets.h"
#include "tensor/matrix.h"

namespace zaya::pack {

struct QuantizeOptions {
  QuantizePreset preset = quantize_preset(kDefaultPresetName);
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
  std::map<std::string, GroupError> groups;  // by group_name(): "experts", "attention", "head", "router", "conv"
  std::uint64_t pack_bytes = 0;
  std::int64_t tensors = 0;
};

// Converts the checkpoint directory `model_dir` (config.json, safetensors,
// tokenizer files) into the pack `out_path`, then re-reads the finished file
// and verifies every tensor checksum. Throws LoadError/PackError.
QuantizeResult quantize_checkpoint(const std::string& model_dir, const std::string& out_path, const QuantizeOptions& options);

}  // namespace zaya::pack
