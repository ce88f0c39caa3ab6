// zaya-devices: prints which inference devices this machine offers and why a
// GPU is or is not usable, including the backend library the engine found
// and whether it accepts it (its path and both interface numbers). Exit code
// 0 always; the text is the answer.
#include <cstdio>

#include "zaya/device.h"

namespace {

void print_library(const zaya::CudaProbeResult& p) {
  if (p.backend_path.empty()) return;
  if (p.status == zaya::CudaStatus::BackendMismatch)
    std::printf("backend: %s — refused: interface %d, engine needs %d\n", p.backend_path.c_str(), p.backend_abi,
                p.required_backend_abi);
  else
    std::printf("backend: %s (interface %d; engine needs %d)\n", p.backend_path.c_str(), p.backend_abi,
                p.required_backend_abi);
}

}  // namespace

int main() {
  const auto& p = zaya::probe_cuda();
  std::printf("cuda: %s — %s\n", zaya::to_string(p.status), p.message.c_str());
  if (p.driver_version) std::printf("driver CUDA version: %d (backend needs >= %d)\n", p.driver_version, p.required_driver_version);
  for (const auto& d : p.devices)
    std::printf("device %d: %s, %.1f GiB, compute %d.%d\n", d.index, d.name.c_str(),
                d.total_memory_bytes / 1073741824.0, d.compute_major, d.compute_minor);
  print_library(p);
  // Without a driver the probe stops before the library; say whether the
  // installed one would be accepted once a driver is there.
  if (p.backend_path.empty() && p.status != zaya::CudaStatus::NotBuilt) {
    const auto lib = zaya::inspect_cuda_backend_library();
    if (lib.backend_path.empty()) std::printf("backend library: %s\n", lib.message.c_str());
    else print_library(lib);
  }
  std::printf("default device: %s\n", zaya::describe_default_device().c_str());
  return 0;
}
