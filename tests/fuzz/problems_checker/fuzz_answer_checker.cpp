// libFuzzer target: the answer checker and extractor on arbitrary bytes.
// Input: gold, a NUL byte, candidate.
#include <cstdint>
#include <string_view>

#include "zaya/problems/answer_checker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 512) return 0;  // long inputs only test the length guard
  std::string_view all(reinterpret_cast<const char*>(data), size);
  auto split = all.find('\0');
  std::string_view gold = all.substr(0, split);
  std::string_view candidate = split == std::string_view::npos ? all : all.substr(split + 1);
  (void)zaya::problems::check_answer(gold, candidate);
  (void)zaya::problems::extract_final_answer(candidate);
  return 0;
}
