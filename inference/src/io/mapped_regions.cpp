#include "io/mapped_regions.h"

#include <atomic>
#include <cstdint>

namespace zaya {

namespace {

// More than any process maps at once (a sharded checkpoint has a few files,
// a pack one; tests keep a handful of models alive).
constexpr int kSlots = 256;

struct Region {
  std::atomic<bool> taken{false};
  std::atomic<std::uintptr_t> begin{0}, end{0};  // end == 0: not published yet
  std::atomic<const char*> path{nullptr};
};

Region g_regions[kSlots];

}  // namespace

int register_mapped_region(const void* begin, std::size_t size, const char* path) {
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!g_regions[i].taken.compare_exchange_strong(expected, true)) continue;
    const auto b = reinterpret_cast<std::uintptr_t>(begin);
    g_regions[i].path.store(path);
    g_regions[i].begin.store(b);
    g_regions[i].end.store(b + size);  // published last
    return i;
  }
  return -1;
}

void unregister_mapped_region(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  g_regions[slot].end.store(0);
  g_regions[slot].begin.store(0);
  g_regions[slot].path.store(nullptr);
  g_regions[slot].taken.store(false);
}

const char* mapped_region_containing(const void* addr) {
  const auto a = reinterpret_cast<std::uintptr_t>(addr);
  for (auto& r : g_regions) {
    const std::uintptr_t end = r.end.load();
    if (end != 0 && a >= r.begin.load() && a < end) return r.path.load();
  }
  return nullptr;
}

}  // namespace zaya
