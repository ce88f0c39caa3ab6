// Which inference devices this machine offers, found without linking CUDA.
//
// The CUDA backend lives in a separate shared library (libzaya_cuda.so) that
// is loaded at run time, so every binary starts on machines without NVIDIA's
// driver or libraries. probe_cuda() looks for the driver (libcuda.so.1),
// checks its version against the CUDA 13 runtime the backend is built with,
// counts devices, and finally loads the backend library and checks that it
// was built with this engine's interface number; each failure is
// reported in words a user can act on. Thread-safe; the result is cached.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zaya {

enum class CudaStatus {
  Available,       // driver, device and backend library all usable
  NotBuilt,        // this build has no CUDA backend (ZAYA_CUDA=OFF or no nvcc)
  NoDriver,        // libcuda.so.1 cannot be loaded: no NVIDIA driver installed
  DriverTooOld,    // driver older than the CUDA runtime the backend needs
  NoDevice,        // driver present, zero usable devices
  BackendMissing,  // libzaya_cuda.so or one of its libraries (cuBLAS) missing
  BackendMismatch, // libzaya_cuda.so from another build: refused (interface number or entry point)
  Error,           // anything else; message says what
};

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  std::uint64_t total_memory_bytes = 0;
  int compute_major = 0;
  int compute_minor = 0;
};

struct CudaProbeResult {
  CudaStatus status = CudaStatus::Error;
  std::string message;              // one sentence for the status bar / logs
  int driver_version = 0;           // e.g. 13000 for CUDA 13.0; 0 when unknown
  int required_driver_version = 0;  // what the backend's runtime needs
  std::string backend_path;         // the libzaya_cuda.so that was loaded (accepted or refused)
  int backend_abi = 0;              // the interface that library reports; 0 when unknown
  int required_backend_abi = 0;     // the interface this engine needs
  std::vector<CudaDeviceInfo> devices;
};

// Lowest driver API version the CUDA 13 runtime accepts (R580 series).
inline constexpr int kRequiredCudaDriverVersion = 13000;

// Probes once per process and caches the answer.
const CudaProbeResult& probe_cuda();

// Probes afresh (used by tests and by "re-check" in the settings screen).
CudaProbeResult probe_cuda_uncached();

// The backend library alone, found and checked as the probe does but without
// asking the driver, so a machine without one still learns whether the
// installed library would be accepted (zaya-devices). status: Available
// (accepted), NotBuilt, BackendMissing or BackendMismatch; devices is empty.
CudaProbeResult inspect_cuda_backend_library();

// True when this build contains a CUDA backend library.
bool cuda_backend_built();

// Opaque handle of the loaded backend library (nullptr unless Available).
void* cuda_backend_handle();

const char* to_string(CudaStatus status);

// Human summary of the device the engine would pick: "NVIDIA H100 (80 GB)"
// or "CPU (16 threads) — no NVIDIA driver".
std::string describe_default_device();

}  // namespace zaya
