// Small device helpers shared by the kernels: error checks, number formats,
// warp and block reductions.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "zaya/errors.h"

namespace zaya::cuda {

// A failed CUDA call: the message names the call and the place.
[[noreturn]] void throw_cuda_error(cudaError_t e, const char* what, const char* file, int line);

#define ZAYA_CUDA_CHECK(call)                                                              \
  do {                                                                                     \
    cudaError_t zaya_err_ = (call);                                                        \
    if (zaya_err_ != cudaSuccess) ::zaya::cuda::throw_cuda_error(zaya_err_, #call, __FILE__, __LINE__); \
  } while (0)

// After a kernel launch: launch-configuration errors surface here.
#define ZAYA_CUDA_LAUNCHED() ZAYA_CUDA_CHECK(cudaGetLastError())

constexpr int kWarp = 32;

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum over the whole block (blockDim.x a multiple of 32, at most 1024).
// `scratch`: [32] floats of shared memory. Every thread gets the total.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = (blockDim.x + 31) >> 5;
  v = warp_sum(v);
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  float t = lane < nwarps ? scratch[lane] : 0.0f;
  return warp_sum(t);
}

__device__ __forceinline__ float bf16_bits_to_f32(std::uint32_t bits16) { return __uint_as_float(bits16 << 16); }

__device__ __forceinline__ float gelu_erf(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f)); }
__device__ __forceinline__ float silu(float x) { return x / (1.0f + expf(-x)); }

// float8 e4m3fn (bias 7, no infinities, S.1111.111 = NaN) to fp32.
__device__ __forceinline__ float f8e4m3_to_f32_dev(std::uint32_t v) {
  const std::uint32_t sign = (v >> 7) & 1u, exp = (v >> 3) & 0xfu, mant = v & 7u;
  float mag;
  if (exp == 0xfu && mant == 7u) mag = __int_as_float(0x7fc00000);
  else if (exp == 0) mag = ldexpf(static_cast<float>(mant) * 0.125f, -6);
  else mag = ldexpf(1.0f + static_cast<float>(mant) * 0.125f, static_cast<int>(exp) - 7);
  return sign ? -mag : mag;
}

inline unsigned ceil_div(std::int64_t a, std::int64_t b) { return static_cast<unsigned>((a + b - 1) / b); }

// Programmatic dependent launch (Hopper+). Kernels of the decode step start
// with pdl_wait(): it blocks until the previous kernel in the stream has
// finished and its writes are visible (a no-op when launched normally), then
// lets the next kernel be scheduled, so its launch overlaps this one's run.
__device__ __forceinline__ void pdl_wait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

bool programmatic_launch();  // kernels.h

// kernel<<<grid, block, smem, stream>>>(args...), with the programmatic
// stream-serialisation attribute when programmatic_launch() is on.
template <typename... KArgs, typename... Args>
void launch(void (*kernel)(KArgs...), dim3 grid, dim3 block, std::size_t smem, cudaStream_t stream, Args... args) {
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = grid;
  cfg.blockDim = block;
  cfg.dynamicSmemBytes = smem;
  cfg.stream = stream;
  cudaLaunchAttribute attr{};
  attr.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attr.val.programmaticStreamSerializationAllowed = 1;
  cfg.attrs = &attr;
  cfg.numAttrs = programmatic_launch() ? 1 : 0;
  ZAYA_CUDA_CHECK(cudaLaunchKernelEx(&cfg, kernel, static_cast<KArgs>(args)...));
}

}  // namespace zaya::cuda
