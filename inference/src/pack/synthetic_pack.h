// A random model pack of a real shape, written directly in its final format
// (no float checkpoint in between): for benchmarks, where only the shapes,
// the formats and a plausible routing spread matter, not what the weights say.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tensor/matrix.h"

namespace zaya::pack {

// Per-group formats, as a preset (presets.h) names them; a float choice for
// a matrix group means BF16 (the real checkpoint's type). The member
// defaults are the pack zaya-bench wrote before presets existed (Q4
// matrices, BF16 router, F32 conv); synthetic_pack_options(name) gives
// exactly what `zaya-quantize --preset name` writes.
struct SyntheticPackOptions {
  DType experts = DType::Q4_G32;    // gate_up / down
  DType attention = DType::Q4_G32;  // q, k, v, o projections
  DType head = DType::Q4_G32;       // embedding = tied LM head
  DType router = DType::BF16;       // router down / fc1 / fc2 / out_proj
  DType conv = DType::F32;          // depthwise and grouped conv kernels: BF16 or F32
  std::string preset;               // recorded in pack.json; empty: "custom"
  std::uint64_t seed = 1;
  std::function<void(double fraction)> progress;
};

// The formats of preset `name` ("default", "q4", "q8" or a custom mix;
// throws std::invalid_argument for an unknown one), with `preset` = name.
SyntheticPackOptions synthetic_pack_options(const std::string& name);

// config.json text of the real ZAYA1-8B (shared/docs/zaya1-architecture.md §2).
std::string zaya1_8b_config_json();

// Writes a pack for `config_json` to `path` in the options' formats (small
// vectors F32); pack.json records them as zaya-quantize does, plus
// "synthetic": true and the seed. Returns the file size.
std::uint64_t write_synthetic_pack(const std::string& path, const std::string& config_json,
                                   const SyntheticPackOptions& options);

}  // namespace zaya::pack
