// CCA (compressed convolutional attention, spec §4.4 steps 2–7) for a chunk
// of S tokens: both causal convolutions over the raw [q|k] rows with the
// previous positions' tail, the mean residuals, qk-norm with the key
// temperature, partial RoPE, the delayed value, and the K/V cache append.
//
// Grid: (token tiles of kTile, column blocks). Column block b < nq is query
// head b, nq ≤ b < nq+nkv key head b-nq (each owns d channels of the conv),
// and the last block builds the values. Every block reads and advances only
// the tail columns it owns, so with a single token tile (decode) the tail is
// updated in the same launch without a race.
#include <cfloat>

#include "dmat.cuh"

namespace zaya::cuda {
namespace {

constexpr int kTile = 8;   // tokens per block: each conv weight is loaded once per 8 tokens
constexpr int kParts = 8;  // thread groups splitting the grouped conv's input channels

template <typename KV>
__device__ __forceinline__ KV to_kv(float v);
template <>
__device__ __forceinline__ float to_kv<float>(float v) { return v; }
template <>
__device__ __forceinline__ __half to_kv<__half>(float v) { return __float2half_rn(v); }

// Row j of U = [tail ; u]: j < Tc from the tail, else chunk row j - Tc.
__device__ __forceinline__ const float* urow(const float* tail, const float* u, std::int64_t ldu, int Tc, std::int64_t j) {
  return j < Tc ? tail + j * ldu : u + (j - Tc) * ldu;
}

// Shifts the last Tc rows of U into the tail for columns [c0, c1). Per
// column, row i reads row S+i ≥ i, so ascending order is safe in place.
__device__ __forceinline__ void advance_tail(float* tail, const float* u, std::int64_t ldu, int Tc, std::int64_t S,
                                             std::int64_t c0, std::int64_t c1) {
  for (std::int64_t c = c0 + threadIdx.x; c < c1; c += blockDim.x)
    for (int i = 0; i < Tc; ++i) tail[i * ldu + c] = urow(tail, u, ldu, Tc, S + i)[c];
}

template <typename KV>
__global__ void __launch_bounds__(1024) cca_kernel(CcaParams p, const float* __restrict__ u, std::int64_t S, float* tail, const int* p0_ptr,
                           float* __restrict__ q_out, KV* __restrict__ k_cache, KV* __restrict__ v_cache,
                           bool update_tail) {
  pdl_wait();
  extern __shared__ float smem[];
  __shared__ float red[32];
  const int d = p.d, nq = p.nq, nkv = p.nkv, G = nq / nkv, Tc = p.Tc;
  const std::int64_t ldu = p.ldu, QW = static_cast<std::int64_t>(nq) * d, KW = static_cast<std::int64_t>(nkv) * d;
  const std::int64_t C = QW + KW;
  const int b = blockIdx.y, tid = threadIdx.x;
  const std::int64_t t0 = static_cast<std::int64_t>(blockIdx.x) * kTile;
  const int nt = static_cast<int>(min(static_cast<std::int64_t>(kTile), S - t0));
  const std::int64_t p0 = *p0_ptr;

  if (b == nq + nkv) {  // values: current-token half, then the previous position's delayed half
    const std::int64_t R = KW / 2;
    for (int tt = 0; tt < nt; ++tt) {
      const std::int64_t t = t0 + tt;
      for (std::int64_t e = tid; e < KW; e += blockDim.x) {
        const float v = urow(tail, u, ldu, Tc, Tc + t - (e < R ? 0 : 1))[C + e];
        v_cache[(p0 + t) * KW + e] = to_kv<KV>(v);
      }
    }
    if (update_tail) {
      __syncthreads();
      advance_tail(tail, u, ldu, Tc, S, C, ldu);
    }
    return;
  }

  float* z = smem;                            // [kTile + K1 - 1, d] depthwise-conv output
  float* val = smem + (kTile + p.K1 - 1) * d;  // [kTile, d] head values before RoPE
  const std::int64_t ch0 = static_cast<std::int64_t>(b) * d;

  // Depthwise conv over U rows (padding only ever enters through the tail).
  for (int i = tid; i < (nt + p.K1 - 1) * d; i += blockDim.x) {
    const int zr = i / d, c = i % d;
    const std::int64_t ch = ch0 + c;
    float acc = p.conv0_b[ch];
    for (int a = 0; a < p.K0; ++a) acc += p.conv0_w[ch * p.K0 + a] * urow(tail, u, ldu, Tc, t0 + zr + a)[ch];
    z[zr * d + c] = acc;
  }
  __syncthreads();

  // Grouped conv (one group per head), then the mean residual. The block's
  // threads are kParts groups of `dpad`: thread (part, o) sums input channels
  // [part·d/kParts, (part+1)·d/kParts) for output channel o, so each thread
  // has only a few independent weight loads in flight instead of a long
  // chain of d·K1 (decode runs one token: latency, not bandwidth, decides).
  const bool is_q = b < nq;
  const int g = is_q ? b / G : b - nq;
  const int dpad = static_cast<int>(blockDim.x) / kParts, o = tid % dpad, part = tid / dpad;
  float* psum = val + kTile * d;  // [kParts, kTile, d] partial sums
  if (o < d) {
    float acc[kTile];
#pragma unroll
    for (int tt = 0; tt < kTile; ++tt) acc[tt] = 0.0f;
    const int c0 = part * d / kParts, c1 = (part + 1) * d / kParts;
    for (int j = 0; j < p.K1; ++j) {
      const float* wj = p.conv1_wt + (static_cast<std::int64_t>(b) * p.K1 + j) * d * d;  // [d(in), d(out)]
#pragma unroll 16
      for (int ci = c0; ci < c1; ++ci) {
        const float wv = __ldg(wj + ci * d + o);
#pragma unroll
        for (int tt = 0; tt < kTile; ++tt)
          if (tt < nt) acc[tt] += wv * z[(tt + j) * d + ci];
      }
    }
#pragma unroll
    for (int tt = 0; tt < kTile; ++tt) psum[(part * kTile + tt) * d + o] = acc[tt];
  }
  __syncthreads();
  if (part == 0 && o < d) {
    for (int tt = 0; tt < nt; ++tt) {
      float co = p.conv1_b[ch0 + o];
      for (int q = 0; q < kParts; ++q) co += psum[(q * kTile + tt) * d + o];
      const float* row = urow(tail, u, ldu, Tc, Tc + t0 + tt);  // this token's raw q | k
      const float kraw = row[QW + static_cast<std::int64_t>(g) * d + o];
      float v;
      if (is_q) {
        v = co + 0.5f * (row[static_cast<std::int64_t>(b) * d + o] + kraw);
      } else {
        float mean = 0.0f;
        for (int h = g * G; h < (g + 1) * G; ++h) mean += 0.5f * (row[static_cast<std::int64_t>(h) * d + o] + kraw);
        v = co + mean / static_cast<float>(G);
      }
      val[tt * d + o] = v;
    }
  }

  // qk-norm (keys times their temperature), then RoPE on the first `rot` dims.
  const float temp = is_q ? 1.0f : p.key_temp[g];
  const int half = p.rot / 2;
  for (int tt = 0; tt < nt; ++tt) {
    const float x = tid < d ? val[tt * d + tid] : 0.0f;
    const float ss = block_sum(x * x, red);  // syncs: val of every thread is visible after this
    const float norm = fmaxf(sqrtf(ss), FLT_EPSILON);
    const float f = sqrtf(static_cast<float>(d)) / norm * temp;
    float y = x * f;
    if (tid < p.rot) {
      const int j = tid < half ? tid : tid - half;
      const float ang = static_cast<float>(p0 + t0 + tt) * p.inv_freq[j];
      const float cs = cosf(ang), sn = sinf(ang);
      const float partner = val[tt * d + (tid < half ? tid + half : tid - half)] * f;
      y = tid < half ? y * cs - partner * sn : y * cs + partner * sn;
    }
    if (tid < d) {
      const std::int64_t t = t0 + tt;
      if (is_q) q_out[t * QW + static_cast<std::int64_t>(b) * d + tid] = y;
      else k_cache[(p0 + t) * KW + static_cast<std::int64_t>(g) * d + tid] = to_kv<KV>(y);
    }
  }
  if (update_tail) {
    __syncthreads();
    advance_tail(tail, u, ldu, Tc, S, ch0, ch0 + d);
  }
}

__global__ void tail_kernel(float* tail, const float* __restrict__ u, std::int64_t ldu, int Tc, std::int64_t S) {
  pdl_wait();
  const std::int64_t c = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (c >= ldu) return;
  for (int i = 0; i < Tc; ++i) tail[i * ldu + c] = urow(tail, u, ldu, Tc, S + i)[c];
}

}  // namespace

void cca(const CcaParams& p, const float* u, std::int64_t S, float* tail, const int* p0, float* q_out, void* k_cache,
         void* v_cache, cudaStream_t stream) {
  if (S <= 0) return;
  if (p.rot > p.d || p.rot % 2 != 0) throw Error("cca: unsupported rotary width");
  const int threads = (p.d + 31) / 32 * 32 * kParts;
  if (threads > 1024) throw Error("cca: head dim above 128 is not supported");
  const unsigned tiles = ceil_div(S, kTile);
  const dim3 grid(tiles, static_cast<unsigned>(p.nq + p.nkv + 1));
  // z [kTile+K1-1, d] + val [kTile, d] + partial sums [kParts, kTile, d]
  const std::size_t smem = static_cast<std::size_t>((2 * kTile + p.K1 - 1 + kParts * kTile) * p.d) * sizeof(float);
  const bool single = tiles == 1;
  if (p.kv_half)
    launch(cca_kernel<__half>, grid, threads, smem, stream, p, u, S, tail, p0, q_out, static_cast<__half*>(k_cache),
           static_cast<__half*>(v_cache), single);
  else
    launch(cca_kernel<float>, grid, threads, smem, stream, p, u, S, tail, p0, q_out, static_cast<float*>(k_cache),
           static_cast<float*>(v_cache), single);
  ZAYA_CUDA_LAUNCHED();
  if (!single) {
    launch(tail_kernel, ceil_div(p.ldu, 256), 256, 0, stream, tail, u, p.ldu, p.Tc, S);
    ZAYA_CUDA_LAUNCHED();
  }
}

}  // namespace zaya::cuda
