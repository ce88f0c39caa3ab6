// libFuzzer target: the model pack header and entry table parser on arbitrary
// bytes. It must reject or accept, never crash or read out of bounds; an
// accepted pack's entries must lie inside the buffer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "pack/pack_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const zaya::pack::PackReader r(reinterpret_cast<const std::byte*>(data), size, "fuzz");
    for (const auto& e : r.entries()) {
      if (e.offset > size || e.size > size - e.offset) std::abort();
      try {
        r.verify(e);
      } catch (const zaya::pack::PackError&) {
      }
      if (e.kind == zaya::pack::EntryKind::Tensor) (void)r.matrix(e);
    }
  } catch (const zaya::pack::PackError&) {
  }
  return 0;
}
