// Helpers shared by the problem tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "zaya/problems/bank.h"

namespace zaya::problems::testing {

inline std::filesystem::path problems_dir() { return std::filesystem::path(ZAYA_SOURCE_DIR) / "problems"; }

// The bank the project ships, loaded once for every test of the executable.
inline const ProblemBank& shipped_bank() {
  static const ProblemBank bank = ProblemBank::load(problems_dir());
  return bank;
}

inline std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace zaya::problems::testing
