// Entry points of libzaya_cuda.so that tell the engine what it was built with
// and what the CUDA runtime sees. C ABI: the engine finds them with dlsym.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstring>

extern "C" {

// Bumped whenever the backend's exported interface changes; equals
// zaya::kCudaBackendAbi (device/cuda_backend.h) of the engine it was built with.
int zaya_cuda_abi_version() { return 2; }

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
