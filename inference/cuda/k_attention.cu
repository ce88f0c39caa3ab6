// Causal GQA attention over the contiguous K/V cache (spec §4.4 step 8),
// online softmax in fp32.
//
// One warp per (query token, KV head, key split). The warp's 32 lanes are
// 4 key slots × 8 lanes; each lane holds d/8 dims of the G query heads that
// share the KV head, so every K/V row is read once for all G heads. Slots
// walk keys 4 apart and are merged at the end. Prefill runs one split per
// query; decode cuts the keys into `nsplit` ranges processed by separate
// warps (flash-decoding) and a second kernel merges the partial results.
#include <cfloat>

#include "dmat.cuh"

namespace zaya::cuda {
namespace {

template <int N>
__device__ __forceinline__ void load_row(const float* p, float* out) {
  if constexpr (N % 4 == 0) {
#pragma unroll
    for (int i = 0; i < N / 4; ++i) {
      const float4 v = reinterpret_cast<const float4*>(p)[i];
      out[4 * i] = v.x, out[4 * i + 1] = v.y, out[4 * i + 2] = v.z, out[4 * i + 3] = v.w;
    }
  } else {
#pragma unroll
    for (int i = 0; i < N / 2; ++i) {
      const float2 v = reinterpret_cast<const float2*>(p)[i];
      out[2 * i] = v.x, out[2 * i + 1] = v.y;
    }
  }
}

template <int N>
__device__ __forceinline__ void load_row(const __half* p, float* out) {
  if constexpr (N % 8 == 0) {
#pragma unroll
    for (int i = 0; i < N / 8; ++i) {
      const uint4 v = reinterpret_cast<const uint4*>(p)[i];
      const std::uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
      for (int k = 0; k < 4; ++k) {
        const float2 f = __half22float2(*reinterpret_cast<const __half2*>(&w[k]));
        out[8 * i + 2 * k] = f.x, out[8 * i + 2 * k + 1] = f.y;
      }
    }
  } else {
#pragma unroll
    for (int i = 0; i < N / 2; ++i) {
      const float2 f = __half22float2(reinterpret_cast<const __half2*>(p)[i]);
      out[2 * i] = f.x, out[2 * i + 1] = f.y;
    }
  }
}

template <int G, int DPL, typename KV>
__global__ void __launch_bounds__(128) attention_kernel(AttnParams p, const float* __restrict__ q,
                                                        const KV* __restrict__ kc, const KV* __restrict__ vc,
                                                        const int* p0_ptr, std::int64_t S, int nsplit,
                                                        float* __restrict__ partial, float* __restrict__ ctx) {
  pdl_wait();
  constexpr int D = DPL * 8;
  const int lane = threadIdx.x & 31, slot = lane >> 3, sub = lane & 7;
  const std::int64_t unit = static_cast<std::int64_t>(blockIdx.x) * 4 + (threadIdx.x >> 5);
  const int nkv = p.nkv, nq = p.nq;
  if (unit >= S * nkv * nsplit) return;
  const int split = static_cast<int>(unit % nsplit);
  const int g = static_cast<int>((unit / nsplit) % nkv);
  const std::int64_t t = unit / (static_cast<std::int64_t>(nsplit) * nkv);
  const std::int64_t pos = *p0_ptr + t;
  const std::int64_t first = p.window > 0 ? max(static_cast<std::int64_t>(0), pos - p.window + 1) : 0;
  const std::int64_t n = pos + 1 - first, chunk = (n + nsplit - 1) / nsplit;
  const std::int64_t kb = first + split * chunk, ke = min(first + n, kb + chunk);
  const std::int64_t KW = static_cast<std::int64_t>(nkv) * D, QW = static_cast<std::int64_t>(nq) * D;
  const float scale = 1.0f / sqrtf(static_cast<float>(D));

  float qr[G][DPL], acc[G][DPL], m[G], l[G];
#pragma unroll
  for (int h = 0; h < G; ++h) {
    load_row<DPL>(q + t * QW + static_cast<std::int64_t>(g * G + h) * D + sub * DPL, qr[h]);
    m[h] = -INFINITY, l[h] = 0.0f;
#pragma unroll
    for (int i = 0; i < DPL; ++i) acc[h][i] = 0.0f;
  }
  // All lanes run the same number of iterations (the shuffles need the
  // whole warp); a slot past the end skips its update. The next key/value
  // rows are loaded before the current ones are used, so a warp always has
  // loads in flight (decode splits are short: latency decides).
  float kn[DPL], vn[DPL];
#pragma unroll
  for (int i = 0; i < DPL; ++i) kn[i] = 0.0f, vn[i] = 0.0f;
  if (kb + slot < ke) {
    load_row<DPL>(kc + (kb + slot) * KW + static_cast<std::int64_t>(g) * D + sub * DPL, kn);
    load_row<DPL>(vc + (kb + slot) * KW + static_cast<std::int64_t>(g) * D + sub * DPL, vn);
  }
  for (std::int64_t j0 = kb; j0 < ke; j0 += 4) {
    const bool valid = j0 + slot < ke;
    float kv[DPL], vv[DPL];
#pragma unroll
    for (int i = 0; i < DPL; ++i) kv[i] = kn[i], vv[i] = vn[i];
    const std::int64_t jn = j0 + 4 + slot;
    if (jn < ke) {
      load_row<DPL>(kc + jn * KW + static_cast<std::int64_t>(g) * D + sub * DPL, kn);
      load_row<DPL>(vc + jn * KW + static_cast<std::int64_t>(g) * D + sub * DPL, vn);
    }
    float s[G];
#pragma unroll
    for (int h = 0; h < G; ++h) {
      float dot = 0.0f;
#pragma unroll
      for (int i = 0; i < DPL; ++i) dot += qr[h][i] * kv[i];
      dot += __shfl_xor_sync(0xffffffffu, dot, 1);
      dot += __shfl_xor_sync(0xffffffffu, dot, 2);
      dot += __shfl_xor_sync(0xffffffffu, dot, 4);
      s[h] = dot * scale;
    }
    if (!valid) continue;
#pragma unroll
    for (int h = 0; h < G; ++h) {
      const float mn = fmaxf(m[h], s[h]);
      const float corr = expf(m[h] - mn);  // m = -inf → 0
      const float pj = expf(s[h] - mn);
      l[h] = l[h] * corr + pj;
#pragma unroll
      for (int i = 0; i < DPL; ++i) acc[h][i] = acc[h][i] * corr + pj * vv[i];
      m[h] = mn;
    }
  }
  // Merge the 4 slots (lanes 8 and 16 apart hold the same dims).
#pragma unroll
  for (int off = 8; off <= 16; off <<= 1) {
#pragma unroll
    for (int h = 0; h < G; ++h) {
      const float mo = __shfl_xor_sync(0xffffffffu, m[h], off);
      const float lo = __shfl_xor_sync(0xffffffffu, l[h], off);
      const float mn = fmaxf(m[h], mo);
      const float c1 = m[h] == -INFINITY ? 0.0f : expf(m[h] - mn);
      const float c2 = mo == -INFINITY ? 0.0f : expf(mo - mn);
      l[h] = l[h] * c1 + lo * c2;
#pragma unroll
      for (int i = 0; i < DPL; ++i) {
        const float ao = __shfl_xor_sync(0xffffffffu, acc[h][i], off);
        acc[h][i] = acc[h][i] * c1 + ao * c2;
      }
      m[h] = mn;
    }
  }
  if (slot != 0) return;
#pragma unroll
  for (int h = 0; h < G; ++h) {
    const int head = g * G + h;
    if (nsplit == 1) {
      const float inv = 1.0f / l[h];
#pragma unroll
      for (int i = 0; i < DPL; ++i) ctx[t * QW + static_cast<std::int64_t>(head) * D + sub * DPL + i] = acc[h][i] * inv;
    } else {
      float* out = partial + ((t * nq + head) * nsplit + split) * (D + 2);
      if (sub == 0) out[0] = m[h], out[1] = l[h];
#pragma unroll
      for (int i = 0; i < DPL; ++i) out[2 + sub * DPL + i] = acc[h][i];
    }
  }
}

// ctx[t, h] from the nsplit partial (m, l, acc) of each (token, head). The
// per-split maxima and sums are staged in shared memory by parallel loads.
constexpr int kMaxSplits = kMaxAttentionSplits;

__global__ void combine_kernel(const float* __restrict__ partial, int nsplit, int d, float* __restrict__ ctx) {
  pdl_wait();
  __shared__ float scale[kMaxSplits];  // e^(m_s − M), 0 for empty splits
  __shared__ float red[32];
  const std::int64_t th = blockIdx.x;  // t·nq + h, the same order as ctx's heads
  const float* base = partial + th * nsplit * (d + 2);
  float mloc = -INFINITY;
  for (int s = threadIdx.x; s < nsplit; s += blockDim.x) mloc = fmaxf(mloc, base[s * (d + 2)]);
  // block max via the shared sum helper's pattern
  mloc = warp_max(mloc);
  if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = mloc;
  __syncthreads();
  float M = -INFINITY;
  for (int w = 0; w < static_cast<int>((blockDim.x + 31) >> 5); ++w) M = fmaxf(M, red[w]);
  float lsum = 0.0f;
  for (int s = threadIdx.x; s < nsplit; s += blockDim.x) {
    const float ms = base[s * (d + 2)];
    const float e = ms == -INFINITY ? 0.0f : expf(ms - M);
    scale[s] = e;
    lsum += e * base[s * (d + 2) + 1];
  }
  const float L = block_sum(lsum, red);  // syncs: scale[] complete
  const float inv = 1.0f / L;
  for (int o = threadIdx.x; o < d; o += blockDim.x) {
    float acc = 0.0f;
#pragma unroll 8
    for (int s = 0; s < nsplit; ++s) acc += base[s * (d + 2) + 2 + o] * scale[s];
    ctx[th * d + o] = acc * inv;
  }
}

template <int G, int DPL>
bool launch_typed(const AttnParams& p, const float* q, const void* kc, const void* vc, const int* p0, std::int64_t S,
                  int nsplit, float* partial, float* ctx, cudaStream_t stream) {
  const std::int64_t units = S * p.nkv * nsplit;
  const unsigned blocks = ceil_div(units, 4);
  if (p.kv_half)
    launch(attention_kernel<G, DPL, __half>, blocks, 128, 0, stream, p, q, static_cast<const __half*>(kc),
           static_cast<const __half*>(vc), p0, S, nsplit, partial, ctx);
  else
    launch(attention_kernel<G, DPL, float>, blocks, 128, 0, stream, p, q, static_cast<const float*>(kc),
           static_cast<const float*>(vc), p0, S, nsplit, partial, ctx);
  return true;
}

template <int DPL>
bool launch_g(const AttnParams& p, const float* q, const void* kc, const void* vc, const int* p0, std::int64_t S,
              int nsplit, float* partial, float* ctx, cudaStream_t stream) {
  switch (p.nq / p.nkv) {
    case 1: return launch_typed<1, DPL>(p, q, kc, vc, p0, S, nsplit, partial, ctx, stream);
    case 2: return launch_typed<2, DPL>(p, q, kc, vc, p0, S, nsplit, partial, ctx, stream);
    case 4: return launch_typed<4, DPL>(p, q, kc, vc, p0, S, nsplit, partial, ctx, stream);
    case 8: return launch_typed<8, DPL>(p, q, kc, vc, p0, S, nsplit, partial, ctx, stream);
    default: return false;
  }
}

}  // namespace

bool attention_supported(int nq, int nkv, int d) {
  const int G = nkv > 0 ? nq / nkv : 0;
  return nkv > 0 && nq % nkv == 0 && (G == 1 || G == 2 || G == 4 || G == 8) &&
         (d == 16 || d == 32 || d == 64 || d == 128);
}

void attention(const AttnParams& p, const float* q, const void* k_cache, const void* v_cache, const int* p0,
               std::int64_t S, int nsplit, float* partial, float* ctx, cudaStream_t stream) {
  if (S <= 0) return;
  if (!attention_supported(p.nq, p.nkv, p.d)) throw Error("attention: unsupported head layout");
  if (nsplit < 1) nsplit = 1;
  if (nsplit > kMaxSplits) throw Error("attention: at most " + std::to_string(kMaxSplits) + " key splits");
  switch (p.d) {
    case 16: launch_g<2>(p, q, k_cache, v_cache, p0, S, nsplit, partial, ctx, stream); break;
    case 32: launch_g<4>(p, q, k_cache, v_cache, p0, S, nsplit, partial, ctx, stream); break;
    case 64: launch_g<8>(p, q, k_cache, v_cache, p0, S, nsplit, partial, ctx, stream); break;
    case 128: launch_g<16>(p, q, k_cache, v_cache, p0, S, nsplit, partial, ctx, stream); break;
  }
  ZAYA_CUDA_LAUNCHED();
  if (nsplit > 1) {
    launch(combine_kernel, static_cast<unsigned>(S * p.nq), (p.d + 31) / 32 * 32, 0, stream, partial, nsplit, p.d, ctx);
    ZAYA_CUDA_LAUNCHED();
  }
}

}  // namespace zaya::cuda
