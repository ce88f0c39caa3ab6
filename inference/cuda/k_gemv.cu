// Matrix × vector for one token (decode): the kernel that moves nearly all
// of a decode step's bytes. Each warp streams two weight rows with 16-byte
// loads (one Q4 group, 16 Q8 / 8 BF16 weights per load); the input vector
// sits in shared memory, padded by 4 floats every 32 so that the lanes'
// vector reads hit distinct banks. The RMSNorm of the input and the
// consumer's element-wise step are fused in, so a layer needs no separate
// norm / bias / activation / residual launches.
#include <algorithm>
#include <cstdint>

#include "dmat.cuh"

namespace zaya::cuda {
namespace {

constexpr int kGemvThreads = 128;  // 4 warps
constexpr int kGemvWarps = kGemvThreads / kWarp;

__device__ __forceinline__ std::int64_t padded_index(std::int64_t c) { return c + (c >> 5) * 4; }

int sm_count() {
  static int n = [] {
    int dev = 0, v = 0;
    cudaGetDevice(&dev);
    cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, dev);
    return v > 0 ? v : 1;
  }();
  return n;
}

template <DType T, GemvEpilogue EPI, bool NORM>
__global__ void __launch_bounds__(kGemvThreads) gemv_kernel(GemvArgs a) {
  pdl_wait();
  extern __shared__ float xs[];  // [padded_cols + padded_cols/8] the (normed) input, bank-padded
  __shared__ float red[32];
  constexpr int V = Fmt<T>::kVec;
  const std::int64_t cols = a.w.cols, pcols = a.w.padded_cols();

  // Stage x (and the norm weights) with all of a thread's loads issued
  // before any is used: a decode step is a chain of small kernels, and a
  // loop of dependent load→store round trips here would cost microseconds.
  const bool vec = (cols & 3) == 0 && (reinterpret_cast<std::uintptr_t>(a.x) & 15) == 0 &&
                   (!NORM || (reinterpret_cast<std::uintptr_t>(a.norm_weight) & 15) == 0);
  float ss = 0.0f;
  if (vec) {
    constexpr int kBatch = 4;  // float4 per thread per pass: 2048 columns in one pass of 128 threads
    const std::int64_t n4 = pcols / 4, c4 = cols / 4;
    for (std::int64_t base = threadIdx.x; base < n4; base += static_cast<std::int64_t>(blockDim.x) * kBatch) {
      float4 v[kBatch];
#pragma unroll
      for (int k = 0; k < kBatch; ++k) {
        const std::int64_t i = base + static_cast<std::int64_t>(k) * blockDim.x;
        v[k] = i < c4 ? __ldg(reinterpret_cast<const float4*>(a.x) + i) : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
      }
#pragma unroll
      for (int k = 0; k < kBatch; ++k) {
        const std::int64_t i = base + static_cast<std::int64_t>(k) * blockDim.x;
        if (i < n4) {
          *reinterpret_cast<float4*>(xs + padded_index(4 * i)) = v[k];
          ss += v[k].x * v[k].x + v[k].y * v[k].y + v[k].z * v[k].z + v[k].w * v[k].w;
        }
      }
    }
  } else {
    for (std::int64_t c = threadIdx.x; c < pcols; c += blockDim.x) {
      const float v = c < cols ? a.x[c] : 0.0f;
      xs[padded_index(c)] = v;
      ss += v * v;
    }
  }
  if (NORM) {
    const float total = block_sum(ss, red);
    const float inv = 1.0f / sqrtf(total / static_cast<float>(cols) + a.eps);
    if (vec) {
      constexpr int kBatch = 4;
      const std::int64_t c4 = cols / 4;
      for (std::int64_t base = threadIdx.x; base < c4; base += static_cast<std::int64_t>(blockDim.x) * kBatch) {
        float4 g[kBatch];
#pragma unroll
        for (int k = 0; k < kBatch; ++k) {
          const std::int64_t i = base + static_cast<std::int64_t>(k) * blockDim.x;
          if (i < c4) g[k] = __ldg(reinterpret_cast<const float4*>(a.norm_weight) + i);
        }
#pragma unroll
        for (int k = 0; k < kBatch; ++k) {
          const std::int64_t i = base + static_cast<std::int64_t>(k) * blockDim.x;
          if (i < c4) {
            float4* p = reinterpret_cast<float4*>(xs + padded_index(4 * i));
            float4 x = *p;
            x.x = g[k].x * (x.x * inv), x.y = g[k].y * (x.y * inv), x.z = g[k].z * (x.z * inv), x.w = g[k].w * (x.w * inv);
            *p = x;
          }
        }
      }
    } else {
      for (std::int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
        const std::int64_t pc = padded_index(c);
        xs[pc] = a.norm_weight[c] * (xs[pc] * inv);
      }
    }
  }
  __syncthreads();

  DMat w = a.w;
  bool skip = false;
  if (a.expert) {
    const int e = *a.expert;
    if (e < 0 || e >= a.num_experts) skip = true;
    else w = w.expert(e);
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const std::int64_t half = w.rows / 2;
  // A unit is what one warp finishes: two output rows, or for SwiGLU one
  // output built from rows j and j + rows/2.
  const std::int64_t units = EPI == GemvEpilogue::SwiGLU ? half : (w.rows + 1) / 2;
  for (std::int64_t u = static_cast<std::int64_t>(blockIdx.x) * kGemvWarps + warp; u < units;
       u += static_cast<std::int64_t>(gridDim.x) * kGemvWarps) {
    std::int64_t r[2];
    if (EPI == GemvEpilogue::SwiGLU) r[0] = u, r[1] = u + half;
    else r[0] = 2 * u, r[1] = 2 * u + 1;
    const bool has1 = r[1] < w.rows;
    float acc[2] = {0.0f, 0.0f};
    if (!skip) {
      const char* rp[2];
      const char* sp[2];
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        const std::int64_t rr = (i == 1 && !has1) ? r[0] : r[i];
        rp[i] = static_cast<const char*>(w.data) + rr * w.row_stride;
        sp[i] = w.scales ? static_cast<const char*>(w.scales) + rr * w.scale_stride : nullptr;
      }
#pragma unroll 4
      for (std::int64_t c0 = static_cast<std::int64_t>(lane) * V; c0 < pcols; c0 += kWarp * V) {
        float w0[V], w1[V];
        Fmt<T>::load(rp[0], sp[0], c0, w0);
        Fmt<T>::load(rp[1], sp[1], c0, w1);
        const float4* xv = reinterpret_cast<const float4*>(xs + padded_index(c0));
#pragma unroll
        for (int k = 0; k < V / 4; ++k) {
          const float4 x4 = xv[k];
          acc[0] += w0[4 * k] * x4.x + w0[4 * k + 1] * x4.y + w0[4 * k + 2] * x4.z + w0[4 * k + 3] * x4.w;
          acc[1] += w1[4 * k] * x4.x + w1[4 * k + 1] * x4.y + w1[4 * k + 2] * x4.z + w1[4 * k + 3] * x4.w;
        }
      }
      acc[0] = warp_sum(acc[0]);
      acc[1] = warp_sum(acc[1]);
    }
    if (lane != 0) continue;
    if constexpr (EPI == GemvEpilogue::SwiGLU) {
      a.y[u] = skip ? 0.0f : silu(acc[0]) * acc[1];
    } else {
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      if (i == 1 && !has1) break;
      const std::int64_t row = r[i];
      const float v = acc[i];
      if (EPI == GemvEpilogue::Store) {
        a.y[row] = v;
      } else if (EPI == GemvEpilogue::BiasGelu) {
        a.y[row] = gelu_erf(v + a.bias[row]);
      } else if (EPI == GemvEpilogue::RouterState) {
        float s = v + a.bias[row];
        if (a.state_scale) s += a.y[row] * a.state_scale[row];
        a.y[row] = s;
      } else {  // Merge
        const float m = a.gate ? v * *a.gate : v;
        a.y[row] = (m + a.merge.hidden_bias[row]) * a.merge.hidden_scale[row] +
                   (a.residual[row] + a.merge.residual_bias[row]) * a.merge.residual_scale[row];
      }
    }
    }
  }
}

template <DType T, GemvEpilogue EPI>
void launch_gemv(const GemvArgs& a, cudaStream_t stream) {
  const std::int64_t pcols = a.w.padded_cols();
  const std::size_t smem = static_cast<std::size_t>(pcols + pcols / 8 + 4) * sizeof(float);
  if (smem > 48 * 1024) throw Error("gemv: input width " + std::to_string(a.w.cols) + " exceeds the kernel's shared memory");
  const std::int64_t units = EPI == GemvEpilogue::SwiGLU ? a.w.rows / 2 : (a.w.rows + 1) / 2;
  // Enough blocks to fill every SM several times; the rest loop (each block
  // then loads and normalises x once for many rows).
  const unsigned blocks = static_cast<unsigned>(std::min<std::int64_t>(ceil_div(units, kGemvWarps), sm_count() * 8));
  if (a.norm_weight)
    launch(gemv_kernel<T, EPI, true>, blocks, kGemvThreads, smem, stream, a);
  else
    launch(gemv_kernel<T, EPI, false>, blocks, kGemvThreads, smem, stream, a);
  ZAYA_CUDA_LAUNCHED();
}

}  // namespace

void gemv(const GemvArgs& a, cudaStream_t stream) {
  if (a.w.rows <= 0) return;
  ZAYA_DISPATCH_DTYPE(a.w.dtype, T,
    switch (a.epilogue) {
      case GemvEpilogue::Store: launch_gemv<T, GemvEpilogue::Store>(a, stream); break;
      case GemvEpilogue::BiasGelu: launch_gemv<T, GemvEpilogue::BiasGelu>(a, stream); break;
      case GemvEpilogue::RouterState: launch_gemv<T, GemvEpilogue::RouterState>(a, stream); break;
      case GemvEpilogue::Merge: launch_gemv<T, GemvEpilogue::Merge>(a, stream); break;
      case GemvEpilogue::SwiGLU: launch_gemv<T, GemvEpilogue::SwiGLU>(a, stream); break;
    })
}

}  // namespace zaya::cuda
