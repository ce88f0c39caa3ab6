// A random model pack of a real shape, written directly in its final format
// (no float checkpoint in between): for benchmarks, where only the shapes,
// the formats and a plausible routing spread matter, not what the weights say.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tensor/matrix.h"

namespace zaya::pack {

struct SyntheticPackOptions {
  DType experts = DType::Q4_G32;    // gate_up / down
  DType attention = DType::Q4_G32;  // q, k, v, o projections
  DType head = DType::Q4_G32;       // embedding = tied LM head
  std::uint64_t seed = 1;
  std::function<void(double fraction)> progress;
};

// config.json text of the real ZAYA1-8B (shared/docs/zaya1-architecture.md §2).
std::string zaya1_8b_config_json();

// Writes a pack for `config_json` to `path` (router matrices BF16, small
// vectors F32). Returns the file size.
std::uint64_t write_synthetic_pack(const std::string& path, const std::string& config_json,
                                   const SyntheticPackOptions& options);

}  // namespace zaya::pack
