// Error checks for host code of the CUDA backend (compiled by the host compiler).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "zaya/errors.h"

namespace zaya::cuda {

[[noreturn]] void throw_cuda_error(cudaError_t e, const char* what, const char* file, int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t s, const char* what, const char* file, int line);

}  // namespace zaya::cuda

#ifndef ZAYA_CUDA_CHECK
#define ZAYA_CUDA_CHECK(call)                                                                          \
  do {                                                                                                 \
    cudaError_t zaya_err_ = (call);                                                                    \
    if (zaya_err_ != cudaSuccess) ::zaya::cuda::throw_cuda_error(zaya_err_, #call, __FILE__, __LINE__); \
  } while (0)
#endif

#define ZAYA_CUBLAS_CHECK(call)                                                                              \
  do {                                                                                                       \
    cublasStatus_t zaya_st_ = (call);                                                                        \
    if (zaya_st_ != CUBLAS_STATUS_SUCCESS) ::zaya::cuda::throw_cublas_error(zaya_st_, #call, __FILE__, __LINE__); \
  } while (0)
