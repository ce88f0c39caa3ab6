// libFuzzer target: the safetensors header parser and the index-json parser
// on arbitrary bytes. Any input must give a result or a LoadError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/safetensors.h"
#include "zaya/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto tensors = zaya::parse_safetensors(reinterpret_cast<const std::byte*>(data), size, "fuzz.safetensors");
    // Every accepted tensor must lie inside the buffer.
    for (const auto& t : tensors)
      if (t.end > size || t.begin > t.end) __builtin_trap();
  } catch (const zaya::LoadError&) {
  }
  try {
    zaya::parse_safetensors_index(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.index.json");
  } catch (const zaya::LoadError&) {
  }
  return 0;
}
