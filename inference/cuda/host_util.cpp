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

namespace {
bool g_programmatic_launch = false;
}

[[noreturn]] void throw_unknown_dtype(DType dtype) {
  throw Error(std::string("the GPU backend has no kernels for the matrix format ") + dtype_name(dtype));
}

void set_programmatic_launch(bool on) { g_programmatic_launch = on; }
bool programmatic_launch() { return g_programmatic_launch; }

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

double measure_copy_gbs(std::size_t bytes, int repeats) {
  void *a = nullptr, *b = nullptr;
  ZAYA_CUDA_CHECK(cudaMalloc(&a, bytes));
  ZAYA_CUDA_CHECK(cudaMalloc(&b, bytes));
  cudaEvent_t e0, e1;
  ZAYA_CUDA_CHECK(cudaEventCreate(&e0));
  ZAYA_CUDA_CHECK(cudaEventCreate(&e1));
  ZAYA_CUDA_CHECK(cudaMemset(a, 1, bytes));
  ZAYA_CUDA_CHECK(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice));  // warm-up
  ZAYA_CUDA_CHECK(cudaEventRecord(e0));
  for (int i = 0; i < repeats; ++i) ZAYA_CUDA_CHECK(cudaMemcpyAsync(i % 2 ? a : b, i % 2 ? b : a, bytes, cudaMemcpyDeviceToDevice));
  ZAYA_CUDA_CHECK(cudaEventRecord(e1));
  ZAYA_CUDA_CHECK(cudaEventSynchronize(e1));
  float ms = 0;
  ZAYA_CUDA_CHECK(cudaEventElapsedTime(&ms, e0, e1));
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  cudaFree(a);
  cudaFree(b);
  return 2.0 * static_cast<double>(bytes) * repeats / (static_cast<double>(ms) * 1e-3) / 1e9;
}

}  // namespace zaya::cuda
