// libFuzzer target: problem-set and results import never crash, and either
// return a complete value that exports and re-imports to the same thing, or an error.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "zaya/problems/problem_set.h"

namespace {
bool known(std::string_view id) { return id == "math-test-0001" || id == "aime-2024-I-01"; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto set = zaya::problems::import_problem_set(bytes, known);
  if (set.value.has_value() == !set.error.empty()) std::abort();  // exactly one of value / error
  if (set) {
    auto again = zaya::problems::import_problem_set(zaya::problems::export_problem_set(*set.value), known);
    if (!again || again.value->items.size() != set.value->items.size()) std::abort();
  }
  auto res = zaya::problems::import_results(bytes, set ? &*set.value : nullptr);
  if (res.value.has_value() == !res.error.empty()) std::abort();
  if (res) {
    auto again = zaya::problems::import_results(zaya::problems::export_results(*res.value));
    if (!again || zaya::problems::results_canonical_bytes(*again.value) !=
                      zaya::problems::results_canonical_bytes(*res.value))
      std::abort();
  }
  return 0;
}
