// The hand-made tokenizer in data/tiny.json (Gemma-shaped: "▁" normaliser,
// byte fallback, <bos> post-processor) and helpers to derive variants.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "zaya/tokenizer.h"

namespace zaya::test {

inline std::string tiny_json_path() { return std::string(ZAYA_TOKENIZER_TEST_DIR) + "/data/tiny.json"; }

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline nlohmann::json tiny_json() { return nlohmann::json::parse(read_text(tiny_json_path())); }

inline Tokenizer tiny_tokenizer() { return Tokenizer::from_json(read_text(tiny_json_path()), "tiny.json"); }

inline Tokenizer from(const nlohmann::json& j) { return Tokenizer::from_json(j.dump(), "variant.json"); }

// Ids of tiny.json.
enum TinyId : int32_t {
  kPad = 0, kEos = 1, kBos = 2, kUnk = 3, kMark = 4, kA = 5, kB = 6, kC = 7, kAB = 8, kMarkA = 9, kMarkAB = 10,
  kABC = 11, kH = 12, kI = 13, kHI = 14, kMarkHI = 15, kEAcute = 16, kX = 17, kMarkMark = 18,
  kStartOfTurn = 356, kEndOfTurn = 357, kNewline = 358, kNewline2 = 359, kThink = 360, kThinkEnd = 361,
};
constexpr int32_t byte_id(int b) { return 100 + b; }

}  // namespace zaya::test
