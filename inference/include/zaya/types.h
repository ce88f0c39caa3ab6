// Small value types shared by the public API.
#pragma once

#include <cstdint>
#include <vector>

namespace zaya {

using TokenId = std::int32_t;

// One router decision for one token in one layer.
struct RoutingDecision {
  std::int32_t layer = 0;
  std::int32_t expert = 0;  // 0..E-1, or E (= num_experts) for the skip class: no expert ran
  float prob = 0;           // unbiased softmax probability of the chosen class
  float weight = 0;         // factor applied to the expert output: prob, or 0 for skip
};

// A token produced by Session::step(), with the routing of its own forward pass.
struct TokenEvent {
  TokenId id = 0;
  float logprob = 0;        // log-probability under the model (temperature 1, no penalties/filters)
  bool forced = false;      // taken from the forced-token queue rather than sampled
  bool stop = false;        // id is one of the stop ids
  std::vector<RoutingDecision> routing;  // [num_layers]
};

// Memory of the device a model runs on, as its driver reports it.
struct DeviceMemoryUse {
  std::uint64_t used_bytes = 0;   // in use on the device, by every process
  std::uint64_t total_bytes = 0;  // the device's memory
};

}  // namespace zaya
