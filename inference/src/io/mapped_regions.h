// The address ranges of the mapped model files now alive, readable from a
// signal handler (fixed slots of atomics, no locks, no allocation).
#pragma once

#include <cstddef>

namespace zaya {

// Returns a slot id for unregister_mapped_region, or -1 when every slot is
// taken (the range is then simply not known to the SIGBUS guard). `path`
// must outlive the registration.
int register_mapped_region(const void* begin, std::size_t size, const char* path);
void unregister_mapped_region(int slot);

// The path of the registered mapping holding `addr`, or nullptr.
// Async-signal-safe.
const char* mapped_region_containing(const void* addr);

}  // namespace zaya
