// Finds the NVIDIA driver and the zaya_cuda backend with dlopen only, so the
// engine never links cudart/cuBLAS (see include/zaya/device.h). The backend
// library is checked here, not first when a model is loaded: a library from
// another build is "refused" in the probe's answer, with its path and both
// interface numbers, so every screen and tool reports the same reason.
#include "zaya/device.h"

#include <dlfcn.h>

#include <mutex>
#include <thread>

#include "device/backend_library.h"

namespace zaya {
namespace {

// Driver API entry points we need; signatures from the CUDA driver API (C ABI).
using CuInitFn = int (*)(unsigned int);
using CuDriverGetVersionFn = int (*)(int*);
using CuDeviceGetCountFn = int (*)(int*);
using CuDeviceGetFn = int (*)(int*, int);
using CuDeviceGetNameFn = int (*)(char*, int, int);
using CuDeviceTotalMemFn = int (*)(std::size_t*, int);
using CuDeviceGetAttributeFn = int (*)(int*, int, int);
constexpr int kCuAttrComputeMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kCuAttrComputeMinor = 76;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
constexpr int kCudaErrorNoDevice = 100;  // CUDA_ERROR_NO_DEVICE

// The library the probe accepted; the engine's factory calls go through it.
CudaBackendLibrary g_library;

CudaBackendLibrary open_library() {
  return open_cuda_backend_library(cuda_backend_candidates(executable_dir(), ZAYA_CUDA_LIBRARY_NAME),
                                   ZAYA_CUDA_LIBRARY_NAME);
}

// Fills the backend fields of `r` from `lib`; true when the engine can use it.
bool judge_library(const CudaBackendLibrary& lib, CudaProbeResult& r) {
  r.backend_path = lib.path;
  r.backend_abi = lib.abi;
  if (lib.usable()) return true;
  if (!lib.loaded()) {
    r.status = CudaStatus::BackendMissing;
    r.message = lib.refusal() + "; install the zaya-tutor-cuda package and NVIDIA's CUDA 13 libraries; using the CPU";
  } else {
    r.status = CudaStatus::BackendMismatch;
    r.message = lib.refusal() + "; reinstall zaya-tutor-cuda from the same release as the app; using the CPU";
  }
  return false;
}

CudaProbeResult probe_impl() {
  CudaProbeResult r;
  r.required_driver_version = kRequiredCudaDriverVersion;
  r.required_backend_abi = kCudaBackendAbi;
  if (ZAYA_CUDA_LIBRARY_NAME[0] == '\0') {
    r.status = CudaStatus::NotBuilt;
    r.message = "this build has no CUDA backend; using the CPU";
    return r;
  }
  void* cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!cuda) {
    r.status = CudaStatus::NoDriver;
    r.message = "no NVIDIA driver found (libcuda.so.1 is missing); using the CPU";
    return r;
  }
  auto sym = [&](const char* n) { return dlsym(cuda, n); };
  auto cu_init = reinterpret_cast<CuInitFn>(sym("cuInit"));
  auto cu_version = reinterpret_cast<CuDriverGetVersionFn>(sym("cuDriverGetVersion"));
  auto cu_count = reinterpret_cast<CuDeviceGetCountFn>(sym("cuDeviceGetCount"));
  auto cu_get = reinterpret_cast<CuDeviceGetFn>(sym("cuDeviceGet"));
  auto cu_name = reinterpret_cast<CuDeviceGetNameFn>(sym("cuDeviceGetName"));
  auto cu_mem = reinterpret_cast<CuDeviceTotalMemFn>(sym("cuDeviceTotalMem_v2"));
  auto cu_attr = reinterpret_cast<CuDeviceGetAttributeFn>(sym("cuDeviceGetAttribute"));
  if (!cu_init || !cu_version || !cu_count || !cu_get || !cu_name || !cu_mem || !cu_attr) {
    r.status = CudaStatus::Error;
    r.message = "the NVIDIA driver library lacks expected functions; using the CPU";
    return r;
  }
  cu_version(&r.driver_version);
  if (r.driver_version < kRequiredCudaDriverVersion) {
    r.status = CudaStatus::DriverTooOld;
    r.message = "the NVIDIA driver supports CUDA " + std::to_string(r.driver_version / 1000) + "." +
                std::to_string(r.driver_version % 1000 / 10) +
                ", but the GPU backend needs CUDA 13 (driver R580 series or newer; Debian 12's own "
                "driver is older); using the CPU";
    return r;
  }
  int init = cu_init(0);
  int count = 0;
  if (init == kCudaErrorNoDevice || (init == 0 && cu_count(&count) == 0 && count == 0)) {
    r.status = CudaStatus::NoDevice;
    r.message = "the NVIDIA driver reports no CUDA device; using the CPU";
    return r;
  }
  if (init != 0) {
    r.status = CudaStatus::Error;
    r.message = "the NVIDIA driver failed to initialise (cuInit error " + std::to_string(init) + "); using the CPU";
    return r;
  }
  for (int i = 0; i < count; ++i) {
    int dev = 0;
    if (cu_get(&dev, i) != 0) continue;
    CudaDeviceInfo info;
    info.index = i;
    char name[256] = {};
    cu_name(name, sizeof name - 1, dev);
    info.name = name;
    std::size_t mem = 0;
    cu_mem(&mem, dev);
    info.total_memory_bytes = mem;
    cu_attr(&info.compute_major, kCuAttrComputeMajor, dev);
    cu_attr(&info.compute_minor, kCuAttrComputeMinor, dev);
    r.devices.push_back(std::move(info));
  }
  CudaBackendLibrary lib = open_library();
  if (!judge_library(lib, r)) return r;
  g_library = lib;
  r.status = CudaStatus::Available;
  r.message = r.devices.empty() ? "CUDA available" : "GPU: " + r.devices.front().name;
  return r;
}

}  // namespace

CudaProbeResult probe_cuda_uncached() { return probe_impl(); }

const CudaProbeResult& probe_cuda() {
  static std::once_flag once;
  static CudaProbeResult result;
  std::call_once(once, [] { result = probe_impl(); });
  return result;
}

CudaProbeResult inspect_cuda_backend_library() {
  CudaProbeResult r;
  r.required_driver_version = kRequiredCudaDriverVersion;
  r.required_backend_abi = kCudaBackendAbi;
  if (ZAYA_CUDA_LIBRARY_NAME[0] == '\0') {
    r.status = CudaStatus::NotBuilt;
    r.message = "this build has no CUDA backend";
    return r;
  }
  if (judge_library(open_library(), r)) {
    r.status = CudaStatus::Available;
    r.message = "the GPU backend library matches this engine (interface " + std::to_string(r.backend_abi) + ")";
  }
  return r;
}

bool cuda_backend_built() { return ZAYA_CUDA_LIBRARY_NAME[0] != '\0'; }

void* cuda_backend_handle() {
  probe_cuda();
  return g_library.handle;
}

const CudaBackendLibrary& accepted_cuda_backend_library() {
  probe_cuda();
  return g_library;
}

const char* to_string(CudaStatus s) {
  switch (s) {
    case CudaStatus::Available: return "available";
    case CudaStatus::NotBuilt: return "not built";
    case CudaStatus::NoDriver: return "no driver";
    case CudaStatus::DriverTooOld: return "driver too old";
    case CudaStatus::NoDevice: return "no device";
    case CudaStatus::BackendMissing: return "backend missing";
    case CudaStatus::BackendMismatch: return "backend refused";
    case CudaStatus::Error: return "error";
  }
  return "unknown";
}

std::string describe_default_device() {
  const auto& p = probe_cuda();
  if (p.status == CudaStatus::Available && !p.devices.empty()) {
    const auto& d = p.devices.front();
    return d.name + " (" + std::to_string((d.total_memory_bytes + (1ull << 29)) >> 30) + " GB)";
  }
  unsigned threads = std::thread::hardware_concurrency();
  return "CPU (" + std::to_string(threads ? threads : 1) + " threads) — " + p.message;
}

}  // namespace zaya
