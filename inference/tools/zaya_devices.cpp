// zaya-devices: prints which inference devices this machine offers and why a
// GPU is or is not usable. Exit code 0 always; the text is the answer.
#include <cstdio>

#include "zaya/device.h"

int main() {
  const auto& p = zaya::probe_cuda();
  std::printf("cuda: %s — %s\n", zaya::to_string(p.status), p.message.c_str());
  if (p.driver_version) std::printf("driver CUDA version: %d (backend needs >= %d)\n", p.driver_version, p.required_driver_version);
  for (const auto& d : p.devices)
    std::printf("device %d: %s, %.1f GiB, compute %d.%d\n", d.index, d.name.c_str(),
                d.total_memory_bytes / 1073741824.0, d.compute_major, d.compute_minor);
  if (!p.backend_path.empty()) std::printf("backend: %s\n", p.backend_path.c_str());
  std::printf("default device: %s\n", zaya::describe_default_device().c_str());
  return 0;
}
