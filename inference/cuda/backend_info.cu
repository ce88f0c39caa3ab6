// Entry points of libzaya_cuda.so that tell the engine what it was built with
// and what the CUDA runtime sees. C ABI: the engine finds them with dlsym.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>

#include "device/cuda_backend_abi.h"

extern "C" {

// The interface this library was built for: the engine's own constant
// (device/cuda_backend_abi.h), never a number of its own.
int zaya_cuda_abi_version() { return zaya::kCudaBackendAbi; }

// CUDA runtime version the backend was compiled against (e.g. 13000).
int zaya_cuda_runtime_version() {
  int v = 0;
  cudaRuntimeGetVersion(&v);
  return v;
}

// Number of devices the runtime can use, or -1 with a message in `error`.
int zaya_cuda_device_count(char* error, int error_len) {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    if (error && error_len > 0) std::snprintf(error, error_len, "%s", cudaGetErrorString(e));
    return e == cudaErrorNoDevice ? 0 : -1;
  }
  return n;
}

}  // extern "C"
