// Creating backends: the CPU reference, or the CUDA backend through the
// factory of the library the probe accepted, with a fall back to the CPU that
// says why (device/cuda_backend.h).
#include <stdexcept>

#include "cpu/cpu_backend.h"
#include "device/backend_library.h"
#include "device/cuda_backend.h"
#include "zaya/device.h"
#include "zaya/errors.h"

namespace zaya {

std::unique_ptr<Backend> create_cuda_backend(std::shared_ptr<const ModelWeights> weights,
                                             const CudaBackendOptions& options, std::string* error) {
  auto fail = [&](const std::string& why) -> std::unique_ptr<Backend> {
    if (error) *error = why;
    return nullptr;
  };
  // The probe has checked the library's interface and entry points.
  const CudaProbeResult& p = probe_cuda();
  if (p.status != CudaStatus::Available) return fail(p.message);
  const CudaBackendLibrary& lib = accepted_cuda_backend_library();
  char message[1024] = {};
  Backend* b = lib.create(kCudaBackendAbi, &weights, &options, message, sizeof message);
  if (!b) return fail(std::string("the GPU backend could not start: ") + message + "; using the CPU");
  return std::unique_ptr<Backend>(b);
}

double measure_cuda_copy_gbs(std::size_t bytes, int repeats) {
  const auto& p = probe_cuda();
  if (p.status != CudaStatus::Available) throw Error(p.message);
  char message[512] = {};
  const double gbs = accepted_cuda_backend_library().measure_copy(bytes, repeats, message, sizeof message);
  if (gbs < 0) throw Error(std::string("measuring the GPU's copy bandwidth failed: ") + message);
  return gbs;
}

DeviceChoice parse_device_choice(std::string_view text) {
  if (text == "cpu") return DeviceChoice::Cpu;
  if (text == "cuda") return DeviceChoice::Cuda;
  if (text == "auto") return DeviceChoice::Auto;
  throw std::invalid_argument("unknown device '" + std::string(text) + "' (expected cpu, cuda or auto)");
}

std::unique_ptr<Backend> create_backend(DeviceChoice choice, std::shared_ptr<const ModelWeights> weights,
                                        int cpu_threads, const CudaBackendOptions& options,
                                        std::string* fallback_reason,
                                        const std::function<void(double, const std::string&)>& cpu_progress,
                                        KvCacheType cpu_kv_cache) {
  if (fallback_reason) fallback_reason->clear();
  if (choice != DeviceChoice::Cpu) {
    std::string why;
    if (auto gpu = create_cuda_backend(weights, options, &why))
      return with_cpu_fallback(std::move(gpu), std::move(weights), cpu_threads,
                               options.exact ? KvCacheType::F32 : KvCacheType::F16, cpu_kv_cache);
    if (fallback_reason) *fallback_reason = why;
  }
  return std::make_unique<cpu::CpuBackend>(std::move(weights), cpu_threads, cpu_progress, true, cpu_kv_cache);
}

}  // namespace zaya
