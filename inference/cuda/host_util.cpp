// Error reporting shared by the backend's host code and kernel launchers, and
// the few runtime calls the tests need (they do not link the CUDA runtime).
#include <string>

#include "common_host.h"
#include "kernels.h"

namespace zaya::cuda {

void throw_cuda_error(cudaError_t e, const char* what, const char* file, int line) {
  const char* base = file;
  for (const char* p = file; *p; ++p)
    if (*p == '/') base = p + 1;
  throw Error(std::string("CUDA error: ") + cudaGetErrorString(e) + " (" + what + " at " + base + ":" +
              std::to_string(line) + ")");
}

void throw_cublas_error(cublasStatus_t s, const char* what, const char* file, int line) {
  const char* base = file;
  for (const char* p = file; *p; ++p)
    if (*p == '/') base = p + 1;
  throw Error(std::string("cuBLAS error: ") + cublasGetStatusString(s) + " (" + what + " at " + base + ":" +
              std::to_string(line) + ")");
}

int device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the error so later calls start clean
    return 0;
  }
  return n;
}

void* device_alloc(std::size_t bytes) {
  void* p = nullptr;
  ZAYA_CUDA_CHECK(cudaMalloc(&p, bytes ? bytes : 1));
  return p;
}
void device_free(void* p) { cudaFree(p); }
void copy_to_device(void* dst, const void* src, std::size_t bytes) {
  ZAYA_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice));
}
void copy_to_host(void* dst, const void* src, std::size_t bytes) {
  ZAYA_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost));
}
void device_synchronize() {
  ZAYA_CUDA_CHECK(cudaGetLastError());
  ZAYA_CUDA_CHECK(cudaDeviceSynchronize());
}

}  // namespace zaya::cuda
