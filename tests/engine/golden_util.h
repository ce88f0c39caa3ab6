// Reading the zaya-tiny golden files (testdata README describes them).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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

}  // namespace zaya::test
