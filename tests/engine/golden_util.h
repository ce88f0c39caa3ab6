// Reading the zaya-tiny golden files (testdata README describes them).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/backend.h"

namespace zaya::test {

std::string golden_dir();
nlohmann::json read_json(const std::string& path);
std::vector<float> read_f32(const std::string& path);

struct GoldenCase {
  std::string name;
  std::vector<std::int32_t> ids;
  std::int64_t prefill_len = 0;
  std::int64_t logits_offset = 0;  // floats into expected_logits.bin
};
std::vector<GoldenCase> golden_cases();

// Named float tensors of debug_trace.{json,bin}.
struct Trace {
  struct Entry {
    std::vector<std::int64_t> shape;
    std::vector<float> data;
  };
  std::vector<std::string> order;  // computation order
  std::map<std::string, Entry> tensors;
};
Trace read_trace(const std::string& dir);

// Logits and routing of every position of `ids` fed to a fresh sequence of
// `backend`: ids[0:prefill] as one chunk, then one token at a time.
struct CaseResult {
  std::vector<float> logits;             // [N, V]
  std::vector<RoutingDecision> routing;  // [N, L]
};
CaseResult run_case(Backend& backend, const std::vector<std::int32_t>& ids, std::int64_t prefill);

// Every stage tensor `backend` reports (TraceSink) for one prefill of `ids`.
using StageValues = std::map<std::string, std::vector<float>>;
StageValues traced_forward(Backend& backend, const std::vector<std::int32_t>& ids);

// The first stage of `reference` (in computation order) whose values in `got`
// are off by more than 1e-4 of the stage's scale; "" when all agree. A stage
// missing from `got` is skipped, or reported when `require_all`.
std::string first_stage_off(const Trace& reference, const StageValues& got, bool require_all, std::string* detail = nullptr);

}  // namespace zaya::test
