// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the per-tensor
// checksum of the model pack. Uses the SSE4.2 crc32 instruction when the CPU
// has it (about 8 bytes per cycle), a table otherwise; both give the same value.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zaya::pack {

// Continues `crc` (0 for a fresh checksum) over [data, data + size).
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0);

// The table path only (tests compare it with the hardware path).
std::uint32_t crc32c_portable(const void* data, std::size_t size, std::uint32_t crc = 0);

}  // namespace zaya::pack
