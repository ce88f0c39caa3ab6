// libFuzzer target: config.json parsing and validation on arbitrary text.
// Any input must give a config whose derived sizes are consistent, or a ConfigError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "zaya/config.h"
#include "zaya/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const zaya::ModelConfig c = zaya::parse_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
    if (c.num_heads % c.num_kv_heads != 0 || static_cast<std::int64_t>(c.layer_types.size()) != c.num_layers) __builtin_trap();
    for (std::int64_t l = 0; l < c.num_layers; ++l)
      if (c.rotary_dims(l) % 2 != 0 || c.rotary_dims(l) > c.head_dim) __builtin_trap();
  } catch (const zaya::ConfigError&) {
  }
  return 0;
}
