// Converting a checkpoint folder into a model pack, for callers outside the
// engine (the app's "Convert"). The quantiser itself and its per-tensor
// choices live in the engine (src/pack/quantize.h); this is the part a
// caller needs: which preset, progress, cancel by throwing from progress.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace zaya {

struct QuantizeToPackOptions {
  std::string preset = "q4";  // "q4" or "q8" (or a custom mix "experts/attention/head")
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
