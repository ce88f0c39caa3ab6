// Every tensor of a ZAYA1 checkpoint in the native layout (spec §3), by name
// and shape, for a given config: what a pack of that config holds, without
// reading one. Sizes a pack before it is written (presets.h) and lets tests
// check the converters against one list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "zaya/config.h"

namespace zaya::pack {

struct CheckpointTensor {
  std::string name;
  std::vector<std::int64_t> shape;
};

// Global tensors, then layer by layer (layer 0 has no router_states_scale).
std::vector<CheckpointTensor> checkpoint_tensors(const ModelConfig& c);

}  // namespace zaya::pack
