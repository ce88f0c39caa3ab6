// Converting a checkpoint folder into a model pack, for callers outside the
// engine (the app's "Convert", its model manager). The quantiser itself and
// its per-tensor choices live in the engine (src/pack/presets.h,
// src/pack/quantize.h); this is the part a caller needs: which presets there
// are and what each costs, which one to use, progress, cancel by throwing
// from progress.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "zaya/config.h"

namespace zaya {

struct QuantizePresetInfo {
  std::string name;         // what QuantizeToPackOptions::preset takes
  std::string description;  // one line, for a list
};

// The named presets, the default first: "default" (4-bit experts and
// attention, 8-bit head and router, bf16 conv: the mix the published
// ZAYA1-8B quantisation study trusts), "q4" (the smallest and fastest),
// "q8" (everything 8-bit).
std::vector<QuantizePresetInfo> quantize_presets();

// Weight bytes one batch-1 decode step reads from a pack made with `preset`
// from a (bf16) checkpoint of `config`: the whole tied head, and per layer
// the attention projections, the router matrices, one expert and the conv
// kernels (the small vectors and the K/V cache are not counted). 1.03 GB for
// ZAYA1-8B under "default", 0.76 GB under "q4", 1.38 GB under "q8".
// Throws std::invalid_argument for an unknown preset.
std::uint64_t preset_bytes_per_token(const std::string& preset, const ModelConfig& config);

// Bytes of the tensors of such a pack (5.28 GB for ZAYA1-8B under "default", 5.01 GB under "q4");
// the file adds config and tokenizer files (~33 MB for ZAYA1). Throws
// std::invalid_argument for an unknown preset.
std::uint64_t preset_pack_bytes(const std::string& preset, const ModelConfig& config);

struct QuantizeToPackOptions {
  // "default", "q4" or "q8" (quantize_presets()), or a custom mix
  // "experts/attention/head[/router/conv]" (q4|q8|f parts, conv bf16|f32).
  std::string preset = "default";
  int threads = 0;            // 0 = one per hardware thread
  // Called per tensor with the fraction done; an exception thrown here ends
  // the conversion and reaches the caller (how a caller cancels).
  std::function<void(double fraction, const std::string& tensor)> progress;
};

// Converts the checkpoint directory `model_dir` (config.json, safetensors,
// tokenizer files) into the pack `out_path`, then re-reads the finished file
// and verifies every tensor checksum. Returns the pack's size in bytes.
// Throws std::invalid_argument for an unknown preset, LoadError/PackError
// for a checkpoint or pack at fault.
std::uint64_t quantize_to_pack(const std::string& model_dir, const std::string& out_path,
                               const QuantizeToPackOptions& options);

}  // namespace zaya
