// Builds ModelWeights from a Hugging Face native ZAYA1 checkpoint directory
// (config.json + model.safetensors or sharded + index json), mapped.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "model/weights.h"

namespace zaya {

// fraction in [0, 1]; `stage` is a short description for a status line.
using LoadProgress = std::function<void(double fraction, const std::string& stage)>;

// Validates every tensor (presence, no extras, dtype, shape) before use.
// `prefault` reads every page once (with progress), so the first token does
// not pay for the disk. Throws LoadError / ConfigError, or Cancelled when
// *cancel becomes true.
ModelWeights load_safetensors_model(const std::string& dir, const LoadProgress& progress = {},
                                    const std::atomic<bool>* cancel = nullptr, bool prefault = true);

}  // namespace zaya
