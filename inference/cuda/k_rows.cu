// Per-token row operations of the forward pass: embedding, norms, residual
// merges, router head with top-1 selection, SwiGLU, expert grouping and the
// greedy pick. Each CPU counterpart lives in inference/src/cpu/.
#include <cfloat>

#include <cuda_bf16.h>

#include "dmat.cuh"

namespace zaya::cuda {
namespace {

template <DType T>
__global__ void embed_kernel(DMat table, const int* __restrict__ ids, const float* __restrict__ in_bias,
                             const float* __restrict__ in_scale, float* __restrict__ h) {
  pdl_wait();
  constexpr int V = Fmt<T>::kVec;
  const std::int64_t s = blockIdx.x, H = table.cols;
  const std::int64_t id = ids[s];
  const char* row = static_cast<const char*>(table.data) + id * table.row_stride;
  const char* sc = table.scales ? static_cast<const char*>(table.scales) + id * table.scale_stride : nullptr;
  for (std::int64_t c0 = static_cast<std::int64_t>(threadIdx.x) * V; c0 < table.padded_cols(); c0 += blockDim.x * V) {
    float v[V];
    Fmt<T>::load(row, sc, c0, v);
#pragma unroll
    for (int j = 0; j < V; ++j)
      if (c0 + j < H) h[s * H + c0 + j] = (v[j] + in_bias[c0 + j]) * in_scale[c0 + j];
  }
}

__global__ void rmsnorm_kernel(const float* __restrict__ x, const float* __restrict__ w, std::int64_t n, float eps,
                               float* __restrict__ y, __nv_bfloat16* __restrict__ y16) {
  pdl_wait();
  __shared__ float red[32];
  const float* xs = x + blockIdx.x * n;
  float ss = 0.0f;
  for (std::int64_t i = threadIdx.x; i < n; i += blockDim.x) ss += xs[i] * xs[i];
  const float inv = 1.0f / sqrtf(block_sum(ss, red) / static_cast<float>(n) + eps);
  for (std::int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    const float v = w[i] * (xs[i] * inv);
    y[blockIdx.x * n + i] = v;
    if (y16) y16[blockIdx.x * n + i] = __float2bfloat16_rn(v);
  }
}

__global__ void merge_kernel(const float* __restrict__ a, const float* __restrict__ r, MergeParams m, std::int64_t total,
                             std::int64_t H, float* out) {
  const std::int64_t k = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= total) return;
  const std::int64_t i = k % H;
  out[k] = (a[k] + m.hidden_bias[i]) * m.hidden_scale[i] + (r[k] + m.residual_bias[i]) * m.residual_scale[i];
}

__global__ void bias_gelu_kernel(float* x, const float* __restrict__ b, std::int64_t total, std::int64_t n,
                                 __nv_bfloat16* __restrict__ x16) {
  const std::int64_t k = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= total) return;
  const float v = gelu_erf(x[k] + b[k % n]);
  x[k] = v;
  if (x16) x16[k] = __float2bfloat16_rn(v);
}

__global__ void router_state_kernel(const float* __restrict__ down, const float* __restrict__ bias,
                                    const float* __restrict__ eda, std::int64_t total, std::int64_t D, float* rho) {
  const std::int64_t k = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= total) return;
  float v = down[k] + bias[k % D];
  if (eda) v += rho[k] * eda[k % D];
  rho[k] = v;
}

constexpr int kMaxClasses = 256;

template <DType T>
__global__ void router_select_kernel(DMat w, const float* __restrict__ z, const float* __restrict__ balancing,
                                     int num_experts, int layer, int routing_stride, int* __restrict__ choice,
                                     float* __restrict__ weight, RoutingDecision* __restrict__ routing) {
  pdl_wait();
  constexpr int V = Fmt<T>::kVec;
  __shared__ float logit[kMaxClasses];
  __shared__ float bias[kMaxClasses];
  const int classes = num_experts + 1, lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
  for (int k = threadIdx.x; k < classes; k += blockDim.x) bias[k] = balancing[k];  // one parallel load, not a chain
  const std::int64_t s = blockIdx.x, D = w.cols;
  const float* zs = z + s * D;
  for (int k = warp; k < classes; k += nwarps) {
    const char* row = static_cast<const char*>(w.data) + k * w.row_stride;
    const char* sc = w.scales ? static_cast<const char*>(w.scales) + k * w.scale_stride : nullptr;
    float acc = 0.0f;
    for (std::int64_t c0 = static_cast<std::int64_t>(lane) * V; c0 < w.padded_cols(); c0 += kWarp * V) {
      float v[V];
      Fmt<T>::load(row, sc, c0, v);
#pragma unroll
      for (int j = 0; j < V; ++j)
        if (c0 + j < D) acc += v[j] * zs[c0 + j];
    }
    acc = warp_sum(acc);
    if (lane == 0) logit[k] = acc;
  }
  __syncthreads();
  if (threadIdx.x != 0) return;
  // Same arithmetic and order as the CPU reference (cpu/moe.cpp, cpu/ops.cpp).
  float mx = logit[0];
  for (int k = 1; k < classes; ++k) mx = fmaxf(mx, logit[k]);
  float sum = 0.0f;
  for (int k = 0; k < classes; ++k) {
    logit[k] = expf(logit[k] - mx);
    sum += logit[k];
  }
  const float inv = 1.0f / sum;
  for (int k = 0; k < classes; ++k) logit[k] *= inv;
  int best = 0;
  for (int k = 1; k < classes; ++k)
    if (logit[k] + bias[k] > logit[best] + bias[best]) best = k;
  const float wt = best == num_experts ? 0.0f : logit[best];
  choice[s] = best;
  weight[s] = wt;
  if (routing) {
    RoutingDecision r;
    r.layer = layer;
    r.expert = best;
    r.prob = logit[best];
    r.weight = wt;
    routing[s * routing_stride] = r;
  }
}

__global__ void swiglu_kernel(const float* __restrict__ gu, std::int64_t total, std::int64_t I, float* __restrict__ act,
                              __nv_bfloat16* __restrict__ act16) {
  const std::int64_t k = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (k >= total) return;
  const std::int64_t s = k / I, j = k % I;
  const float v = silu(gu[s * 2 * I + j]) * gu[s * 2 * I + I + j];
  act[k] = v;
  if (act16) act16[k] = __float2bfloat16_rn(v);
}

// One block of 1024 threads: for each class, a block-wide stable scan of
// "token chose this class" gives every token its slot.
__global__ void __launch_bounds__(1024) group_kernel(const int* __restrict__ choice, std::int64_t S, int classes,
                                                     int* __restrict__ perm, int* __restrict__ offsets) {
  __shared__ int warp_count[32];
  __shared__ int base;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (threadIdx.x == 0) base = 0;
  __syncthreads();
  for (int k = 0; k < classes; ++k) {
    if (threadIdx.x == 0) offsets[k] = base;
    for (std::int64_t start = 0; start < S; start += blockDim.x) {
      const std::int64_t t = start + threadIdx.x;
      const bool mine = t < S && choice[t] == k;
      const unsigned ballot = __ballot_sync(0xffffffffu, mine);
      if (lane == 0) warp_count[warp] = __popc(ballot);
      __syncthreads();
      int before = 0, total = 0;
      for (int wi = 0; wi < 32; ++wi) {
        const int c = wi < static_cast<int>(blockDim.x >> 5) ? warp_count[wi] : 0;
        if (wi < warp) before += c;
        total += c;
      }
      if (mine) perm[base + before + __popc(ballot & ((1u << lane) - 1u))] = static_cast<int>(t);
      __syncthreads();
      if (threadIdx.x == 0) base += total;
      __syncthreads();
    }
  }
  if (threadIdx.x == 0) offsets[classes] = static_cast<int>(S);
}

__global__ void gather_kernel(const float* __restrict__ x, const int* __restrict__ perm, std::int64_t cols,
                              float* __restrict__ out, __nv_bfloat16* __restrict__ out16) {
  const std::int64_t i = blockIdx.x, src = perm[i];
  for (std::int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    const float v = x[src * cols + c];
    out[i * cols + c] = v;
    if (out16) out16[i * cols + c] = __float2bfloat16_rn(v);
  }
}

__global__ void scatter_kernel(const float* __restrict__ y, const int* __restrict__ perm, const int* __restrict__ choice,
                               const float* __restrict__ weight, std::int64_t H, int num_experts, float* __restrict__ out) {
  const std::int64_t i = blockIdx.x, tok = perm[i];
  const bool skipped = choice[tok] >= num_experts;
  const float wt = weight[tok];
  for (std::int64_t c = threadIdx.x; c < H; c += blockDim.x) out[tok * H + c] = skipped ? 0.0f : wt * y[i * H + c];
}

// Two passes: kArgmaxBlocks blocks each find the best of a stripe (loads
// unrolled so many are in flight), then one warp picks among them.
constexpr int kArgmaxBlocks = 128;

__device__ __forceinline__ void better(float& v, int& i, float ov, int oi) {
  if (ov > v || (ov == v && oi < i)) v = ov, i = oi;
}

__global__ void __launch_bounds__(256) argmax_partial_kernel(const float* __restrict__ x, std::int64_t n,
                                                            float* __restrict__ part_v, int* __restrict__ part_i) {
  pdl_wait();
  __shared__ float bv[8];
  __shared__ int bi[8];
  float v = -FLT_MAX;
  int idx = 0x7fffffff;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
#pragma unroll 4
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    better(v, idx, x[i], static_cast<int>(i));
  for (int o = 16; o > 0; o >>= 1) better(v, idx, __shfl_xor_sync(0xffffffffu, v, o), __shfl_xor_sync(0xffffffffu, idx, o));
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) bv[warp] = v, bi[warp] = idx;
  __syncthreads();
  if (threadIdx.x == 0) {
    for (int w = 1; w < static_cast<int>(blockDim.x >> 5); ++w) better(v, idx, bv[w], bi[w]);
    part_v[blockIdx.x] = v, part_i[blockIdx.x] = idx;
  }
}

__global__ void argmax_final_kernel(const float* __restrict__ part_v, const int* __restrict__ part_i, int parts, int* out) {
  pdl_wait();
  float v = -FLT_MAX;
  int idx = 0x7fffffff;
  for (int k = threadIdx.x; k < parts; k += 32) better(v, idx, part_v[k], part_i[k]);
  for (int o = 16; o > 0; o >>= 1) better(v, idx, __shfl_xor_sync(0xffffffffu, v, o), __shfl_xor_sync(0xffffffffu, idx, o));
  if (threadIdx.x == 0) *out = idx == 0x7fffffff ? 0 : idx;
}

unsigned blocks_for(std::int64_t n) { return ceil_div(n, 256); }

}  // namespace

void embed(const DMat& table, const int* ids, std::int64_t S, const float* in_bias, const float* in_scale, float* h,
           cudaStream_t stream) {
  if (S <= 0) return;
  ZAYA_DISPATCH_DTYPE(table.dtype, T, launch(embed_kernel<T>, static_cast<unsigned>(S), 256, 0, stream, table, ids, in_bias, in_scale, h))
  ZAYA_CUDA_LAUNCHED();
}

void rmsnorm_rows(const float* x, const float* w, std::int64_t S, std::int64_t n, float eps, float* y,
                  std::uint16_t* y_bf16, cudaStream_t stream) {
  if (S <= 0) return;
  launch(rmsnorm_kernel, static_cast<unsigned>(S), 256, 0, stream, x, w, n, eps, y, reinterpret_cast<__nv_bfloat16*>(y_bf16));
  ZAYA_CUDA_LAUNCHED();
}

void merge_rows(const float* a, const float* r, const MergeParams& m, std::int64_t S, std::int64_t H, float* out,
                cudaStream_t stream) {
  if (S <= 0) return;
  merge_kernel<<<blocks_for(S * H), 256, 0, stream>>>(a, r, m, S * H, H, out);
  ZAYA_CUDA_LAUNCHED();
}

void bias_gelu_rows(float* x, const float* b, std::int64_t S, std::int64_t n, std::uint16_t* x_bf16, cudaStream_t stream) {
  if (S <= 0) return;
  bias_gelu_kernel<<<blocks_for(S * n), 256, 0, stream>>>(x, b, S * n, n, reinterpret_cast<__nv_bfloat16*>(x_bf16));
  ZAYA_CUDA_LAUNCHED();
}

void router_state_rows(const float* down, const float* bias, const float* eda_scale, std::int64_t S, std::int64_t D,
                       float* rho, cudaStream_t stream) {
  if (S <= 0) return;
  router_state_kernel<<<blocks_for(S * D), 256, 0, stream>>>(down, bias, eda_scale, S * D, D, rho);
  ZAYA_CUDA_LAUNCHED();
}

void router_select(const DMat& out_proj, const float* z, const float* balancing, std::int64_t S, int num_experts,
                   int layer, int routing_stride, int* choice, float* weight, RoutingDecision* routing,
                   cudaStream_t stream) {
  if (S <= 0) return;
  if (num_experts + 1 > kMaxClasses) throw Error("router_select: more than 255 experts");
  ZAYA_DISPATCH_DTYPE(out_proj.dtype, T,
    launch(router_select_kernel<T>, static_cast<unsigned>(S), 256, 0, stream, out_proj, z, balancing, num_experts, layer,
           routing_stride, choice, weight, routing))
  ZAYA_CUDA_LAUNCHED();
}

void swiglu_rows(const float* gu, std::int64_t S, std::int64_t I, float* act, std::uint16_t* act_bf16,
                 cudaStream_t stream) {
  if (S <= 0) return;
  swiglu_kernel<<<blocks_for(S * I), 256, 0, stream>>>(gu, S * I, I, act, reinterpret_cast<__nv_bfloat16*>(act_bf16));
  ZAYA_CUDA_LAUNCHED();
}

void group_by_class(const int* choice, std::int64_t S, int classes, int* perm, int* offsets, cudaStream_t stream) {
  group_kernel<<<1, 1024, 0, stream>>>(choice, S, classes, perm, offsets);
  ZAYA_CUDA_LAUNCHED();
}

void gather_rows(const float* x, const int* perm, std::int64_t n, std::int64_t cols, float* out, std::uint16_t* out_bf16,
                 cudaStream_t stream) {
  if (n <= 0) return;
  gather_kernel<<<static_cast<unsigned>(n), 256, 0, stream>>>(x, perm, cols, out, reinterpret_cast<__nv_bfloat16*>(out_bf16));
  ZAYA_CUDA_LAUNCHED();
}

void scatter_expert_rows(const float* y, const int* perm, const int* choice, const float* weight, std::int64_t S,
                         std::int64_t H, int num_experts, float* out, cudaStream_t stream) {
  if (S <= 0) return;
  scatter_kernel<<<static_cast<unsigned>(S), 256, 0, stream>>>(y, perm, choice, weight, H, num_experts, out);
  ZAYA_CUDA_LAUNCHED();
}

void argmax(const float* x, std::int64_t n, int* out, float* scratch, cudaStream_t stream) {
  float* part_v = scratch;
  int* part_i = reinterpret_cast<int*>(scratch + kArgmaxBlocks);
  launch(argmax_partial_kernel, kArgmaxBlocks, 256, 0, stream, x, n, part_v, part_i);
  ZAYA_CUDA_LAUNCHED();
  launch(argmax_final_kernel, 1, 32, 0, stream, part_v, part_i, kArgmaxBlocks, out);
  ZAYA_CUDA_LAUNCHED();
}

}  // namespace zaya::cuda
