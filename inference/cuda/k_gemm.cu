// Matrix × matrix in fp32 for prefill chunks in the exact mode, any weight
// format (widened while the tile is staged), and the conversions the fast
// mode feeds to cuBLAS. A plain 64×64 register-tiled SIMT kernel: the exact
// mode is the reference path, the fast mode's tensor-core GEMMs go through
// cuBLAS.
#include <cuda_bf16.h>

#include "dmat.cuh"

namespace zaya::cuda {
namespace {

constexpr int kBM = 64;  // tokens per tile
constexpr int kBN = 64;  // weight rows per tile
constexpr int kBK = 32;  // columns per step (a whole quantisation group)

template <DType T>
__global__ void __launch_bounds__(256) gemm_f32_kernel(DMat w, const float* __restrict__ x, std::int64_t ldx,
                                                        std::int64_t S, float* __restrict__ y, std::int64_t ldy) {
  constexpr int V = Fmt<T>::kVec;
  __shared__ float xs[kBK][kBM + 4];  // [k][token]
  __shared__ float ws[kBK][kBN + 4];  // [k][weight row]
  const int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  const std::int64_t s0 = static_cast<std::int64_t>(blockIdx.y) * kBM, r0 = static_cast<std::int64_t>(blockIdx.x) * kBN;
  const std::int64_t cols = w.cols, pcols = w.padded_cols();
  float acc[4][4] = {};
  for (std::int64_t k0 = 0; k0 < pcols; k0 += kBK) {
    for (int i = tid; i < kBM * kBK; i += 256) {  // x tile, coalesced along k
      const int kk = i % kBK, ss = i / kBK;
      const std::int64_t s = s0 + ss, c = k0 + kk;
      xs[kk][ss] = (s < S && c < cols) ? x[s * ldx + c] : 0.0f;
    }
    for (int i = tid; i < kBN * (kBK / V); i += 256) {  // weight tile, one vector load per thread
      const int chunk = i % (kBK / V), rr = i / (kBK / V);
      const std::int64_t r = r0 + rr, c0 = k0 + static_cast<std::int64_t>(chunk) * V;
      float v[V];
      if (r < w.rows && c0 < pcols) {
        const char* row = static_cast<const char*>(w.data) + r * w.row_stride;
        const char* sc = w.scales ? static_cast<const char*>(w.scales) + r * w.scale_stride : nullptr;
        Fmt<T>::load(row, sc, c0, v);
      } else {
#pragma unroll
        for (int j = 0; j < V; ++j) v[j] = 0.0f;
      }
#pragma unroll
      for (int j = 0; j < V; ++j) ws[chunk * V + j][rr] = v[j];
    }
    __syncthreads();
#pragma unroll 8
    for (int kk = 0; kk < kBK; ++kk) {
      float a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) a[i] = xs[kk][ty * 4 + i], b[i] = ws[kk][tx * 4 + i];
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] += a[i] * b[j];
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const std::int64_t s = s0 + ty * 4 + i;
    if (s >= S) continue;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const std::int64_t r = r0 + tx * 4 + j;
      if (r < w.rows) y[s * ldy + r] = acc[i][j];
    }
  }
}

template <DType T>
__global__ void dequantize_bf16_kernel(DMat w, __nv_bfloat16* __restrict__ out) {
  constexpr int V = Fmt<T>::kVec;
  const std::int64_t chunks = w.padded_cols() / V;
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= w.rows * chunks) return;
  const std::int64_t r = i / chunks, c0 = (i % chunks) * V;
  float v[V];
  Fmt<T>::load(static_cast<const char*>(w.data) + r * w.row_stride,
               w.scales ? static_cast<const char*>(w.scales) + r * w.scale_stride : nullptr, c0, v);
#pragma unroll
  for (int j = 0; j < V; ++j)
    if (c0 + j < w.cols) out[r * w.cols + c0 + j] = __float2bfloat16_rn(v[j]);
}

__global__ void to_bf16_kernel(const float* __restrict__ x, std::int64_t n, __nv_bfloat16* __restrict__ out) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) out[i] = __float2bfloat16_rn(x[i]);
}

}  // namespace

void gemm_f32(const DMat& w, const float* x, std::int64_t ldx, std::int64_t S, float* y, std::int64_t ldy,
              cudaStream_t stream) {
  if (S <= 0 || w.rows <= 0) return;
  const dim3 grid(ceil_div(w.rows, kBN), ceil_div(S, kBM));
  ZAYA_DISPATCH_DTYPE(w.dtype, T, gemm_f32_kernel<T><<<grid, 256, 0, stream>>>(w, x, ldx, S, y, ldy))
  ZAYA_CUDA_LAUNCHED();
}

void dequantize_bf16(const DMat& w, std::uint16_t* out, cudaStream_t stream) {
  ZAYA_DISPATCH_DTYPE(w.dtype, T,
    const std::int64_t n = w.rows * (w.padded_cols() / Fmt<T>::kVec);
    dequantize_bf16_kernel<T><<<ceil_div(n, 256), 256, 0, stream>>>(w, reinterpret_cast<__nv_bfloat16*>(out)))
  ZAYA_CUDA_LAUNCHED();
}

void to_bf16(const float* x, std::int64_t n, std::uint16_t* out, cudaStream_t stream) {
  if (n <= 0) return;
  to_bf16_kernel<<<ceil_div(n, 256), 256, 0, stream>>>(x, n, reinterpret_cast<__nv_bfloat16*>(out));
  ZAYA_CUDA_LAUNCHED();
}

}  // namespace zaya::cuda
