// Host entry points of the CUDA kernels (one launch or a short fixed sequence
// each, asynchronous on `stream`). Plain C++ so the backend and the tests,
// compiled by the host compiler, can call them. All pointers are device
// pointers unless a comment says otherwise; all activations are fp32 unless
// the name says bf16 (stored as raw 16-bit words).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "tensor/matrix.h"
#include "zaya/types.h"

#ifdef __CUDACC__
#define ZAYA_HOST_DEVICE __host__ __device__
#else
#define ZAYA_HOST_DEVICE
#endif

namespace zaya::cuda {

// A weight matrix in device memory (see dmat.cuh for the per-format loads).
struct DMat {
  DType dtype = DType::F32;
  std::int64_t rows = 0;            // output features
  std::int64_t cols = 0;            // input features (logical, without group padding)
  const void* data = nullptr;       // row r at data + r·row_stride
  std::size_t row_stride = 0;       // bytes
  const void* scales = nullptr;     // Q8/Q4: [rows, G] fp16; F8: [rows] fp32
  std::size_t scale_stride = 0;     // bytes per row of scales
  // Stacked experts: matrix e starts at data + e·expert_stride (scales likewise).
  std::size_t expert_stride = 0;
  std::size_t expert_scale_stride = 0;

  // Columns a kernel iterates over: Q formats are padded to whole groups.
  ZAYA_HOST_DEVICE std::int64_t padded_cols() const {
    return (dtype == DType::Q8_G32 || dtype == DType::Q4_G32) ? (cols + 31) / 32 * 32 : cols;
  }
  ZAYA_HOST_DEVICE DMat expert(int e) const {
    DMat m = *this;
    m.data = static_cast<const char*>(data) + static_cast<std::size_t>(e) * expert_stride;
    if (scales) m.scales = static_cast<const char*>(scales) + static_cast<std::size_t>(e) * expert_scale_stride;
    return m;
  }
};

// out = (a·gate + hidden_bias) ⊙ hidden_scale + (residual + residual_bias) ⊙ residual_scale
struct MergeParams {
  const float* hidden_bias = nullptr;     // [H]
  const float* hidden_scale = nullptr;    // [H]
  const float* residual_bias = nullptr;   // [H]
  const float* residual_scale = nullptr;  // [H]
};

// ---------------------------------------------------------------- GEMV ---
// y = epilogue(W · prologue(x)) for one token (decode). Bandwidth-bound:
// 16-byte weight loads, x staged in shared memory.
enum class GemvEpilogue {
  Store,        // y[r] = acc
  BiasGelu,     // y[r] = gelu(acc + bias[r])
  RouterState,  // y[r] = acc + bias[r] + y[r]·state_scale[r]  (EDA; state_scale may be null → no add)
  Merge,        // y[r] = merge(acc·gate, residual[r])   (gate: device scalar, null = 1)
  SwiGLU,       // rows j and j+rows/2 → y[j] = silu(acc_j)·acc_{j+rows/2}
};

struct GemvArgs {
  DMat w;
  const float* x = nullptr;            // [w.cols]
  float* y = nullptr;                  // [w.rows], SwiGLU: [w.rows / 2]
  const float* norm_weight = nullptr;  // prologue: x ← RMSNorm(x; norm_weight) when set
  float eps = 1e-5f;
  const int* expert = nullptr;         // device scalar: use w.expert(*expert); >= num_experts means skip (acc = 0)
  int num_experts = 0;
  GemvEpilogue epilogue = GemvEpilogue::Store;
  const float* bias = nullptr;
  const float* state_scale = nullptr;
  const float* gate = nullptr;
  const float* residual = nullptr;     // Merge: [w.rows]
  MergeParams merge;
};
void gemv(const GemvArgs& a, cudaStream_t stream);

// ---------------------------------------------------------------- GEMM ---
// y[s, r] = Σ_c W[r, c]·x[s, c], fp32 math (the exact mode's prefill).
//   x: [S, ldx] fp32 (first W.cols columns used), y: [S, ldy] (first W.rows columns written)
void gemm_f32(const DMat& w, const float* x, std::int64_t ldx, std::int64_t S, float* y, std::int64_t ldy,
              cudaStream_t stream);

// W widened to bf16, [rows, cols] contiguous (fast mode, before cuBLAS).
void dequantize_bf16(const DMat& w, std::uint16_t* out, cudaStream_t stream);
// x [n] fp32 → bf16, round to nearest even.
void to_bf16(const float* x, std::int64_t n, std::uint16_t* out, cudaStream_t stream);

// ------------------------------------------------------- row operations ---
// h[s] = (E[ids[s]] + in_bias) ⊙ in_scale.  h: [S, H]
void embed(const DMat& table, const int* ids, std::int64_t S, const float* in_bias, const float* in_scale, float* h,
           cudaStream_t stream);
// y[s] = w ⊙ x[s] / rms(x[s]).  x, y: [S, n]; y_bf16 (optional) gets a bf16 copy.
void rmsnorm_rows(const float* x, const float* w, std::int64_t S, std::int64_t n, float eps, float* y,
                  std::uint16_t* y_bf16, cudaStream_t stream);
// out[s] = (a[s] + hb) ⊙ hs + (r[s] + rb) ⊙ rs.  a, r, out: [S, H]
void merge_rows(const float* a, const float* r, const MergeParams& m, std::int64_t S, std::int64_t H, float* out,
                cudaStream_t stream);
// x[s] = gelu(x[s] + b) in place; x_bf16 (optional) gets a bf16 copy.  x: [S, n]
void bias_gelu_rows(float* x, const float* b, std::int64_t S, std::int64_t n, std::uint16_t* x_bf16, cudaStream_t stream);
// rho[s] = down[s] + bias (+ rho[s] ⊙ eda_scale when eda_scale is set).  [S, D]
void router_state_rows(const float* down, const float* bias, const float* eda_scale, std::int64_t S, std::int64_t D,
                       float* rho, cudaStream_t stream);
// Router head: logits = out_proj · z[s], softmax over E+1 classes, top-1 on
// p + balancing; choice[s], weight[s] (0 for skip) and routing[s·stride]
// (optional) are written.  z: [S, D]
void router_select(const DMat& out_proj, const float* z, const float* balancing, std::int64_t S, int num_experts,
                   int layer, int routing_stride, int* choice, float* weight, RoutingDecision* routing,
                   cudaStream_t stream);
// act[s, j] = silu(gu[s, j]) · gu[s, I + j].  gu: [S, 2I], act: [S, I] (+ optional bf16 copy)
void swiglu_rows(const float* gu, std::int64_t S, std::int64_t I, float* act, std::uint16_t* act_bf16,
                 cudaStream_t stream);
// Stable counting sort of the S tokens by chosen class (0..classes-1):
// perm[i] = token at sorted slot i, offsets[k] = first slot of class k,
// offsets[classes] = S.  One block; S ≤ 65536.
void group_by_class(const int* choice, std::int64_t S, int classes, int* perm, int* offsets, cudaStream_t stream);
// out[i] = x[perm[i]] for i < n.  x, out: [*, cols]; optional bf16 copy.
void gather_rows(const float* x, const int* perm, std::int64_t n, std::int64_t cols, float* out, std::uint16_t* out_bf16,
                 cudaStream_t stream);
// out[perm[i]] = weight[perm[i]] · y[i] for slots of real experts, 0 for skipped tokens.  [S, H]
void scatter_expert_rows(const float* y, const int* perm, const int* choice, const float* weight, std::int64_t S,
                         std::int64_t H, int num_experts, float* out, cudaStream_t stream);
// out[0] = index of the largest x (first on ties).  x: [n]; scratch: kArgmaxScratch floats
inline constexpr int kArgmaxScratch = 256;
void argmax(const float* x, std::int64_t n, int* out, float* scratch, cudaStream_t stream);

// ------------------------------------------------------------------ CCA ---
struct CcaParams {
  int nq = 0, nkv = 0, d = 0;        // heads, head dim
  int K0 = 0, K1 = 0, Tc = 0;        // conv kernels, tail rows (K0-1 + K1-1)
  int rot = 0;                       // rotary dims (first `rot` of each head)
  std::int64_t ldu = 0;              // row width of the projection rows: q | k | v_current | v_delayed
  const float* conv0_w = nullptr;    // [C, K0]
  const float* conv0_b = nullptr;    // [C]
  const float* conv1_wt = nullptr;   // [C/d, K1, d(in), d(out)]  grouped-conv weight, transposed for coalescing
  const float* conv1_b = nullptr;    // [C]
  const float* key_temp = nullptr;   // [nkv]
  const float* inv_freq = nullptr;   // [rot/2]
  bool kv_half = false;              // K/V caches hold fp16 (else fp32)
};
// For the S rows of `u` (this chunk's projections) at positions *p0...:
// convolutions, mean residuals, qk-norm with temperature, partial RoPE;
// writes Q [S, nq·d] and the keys/values at positions *p0+t of the caches
// ([capacity, nkv, d]); then advances `tail` ([Tc, ldu], raw rows of the
// last Tc positions, oldest first).
void cca(const CcaParams& p, const float* u, std::int64_t S, float* tail, const int* p0, float* q_out, void* k_cache,
         void* v_cache, cudaStream_t stream);

// ------------------------------------------------------------ attention ---
struct AttnParams {
  int nq = 0, nkv = 0, d = 0;
  int window = 0;         // sliding window (0 = full causal)
  bool kv_half = false;
};
// ctx[t, h] = softmax(Q[t,h]·K[≤pos]ᵀ/√d)·V for pos = *p0 + t; GQA (head h uses
// KV head h / (nq/nkv)). With nsplit > 1 the keys are cut into nsplit parts
// processed in parallel (decode of long contexts) and merged; `partial`
// must then hold S·nq·nsplit·(d + 2) floats.
//   q: [S, nq·d], ctx: [S, nq·d]
// True when the kernels cover this head layout (G = nq/nkv ∈ {1,2,4,8}, d ∈ {16,32,64,128}).
bool attention_supported(int nq, int nkv, int d);
// The most key splits attention() takes (the backend's decode uses up to this many).
inline constexpr int kMaxAttentionSplits = 256;
void attention(const AttnParams& p, const float* q, const void* k_cache, const void* v_cache, const int* p0,
               std::int64_t S, int nsplit, float* partial, float* ctx, cudaStream_t stream);

// ------------------------------------------------------------ utilities ---
// Programmatic dependent launch for the decode kernels (sm_90+): each
// kernel's launch overlaps the previous kernel's run. Off unless set (the
// backend sets it on Hopper and newer).
void set_programmatic_launch(bool on);
bool programmatic_launch();

// Throws zaya::Error naming a matrix format the device kernels do not read
// (ZAYA_DISPATCH_DTYPE's default case, dmat.cuh).
[[noreturn]] void throw_unknown_dtype(DType dtype);

// Devices the runtime can use (0 when there is no driver or no device; never throws).
int device_count();
// Plain synchronous memory helpers (tests); throw zaya::Error on failure.
void* device_alloc(std::size_t bytes);
void device_free(void* p);
void copy_to_device(void* dst, const void* src, std::size_t bytes);
void copy_to_host(void* dst, const void* src, std::size_t bytes);
void device_synchronize();
// Device-to-device copy bandwidth in GB/s, counting bytes read plus written
// (the ceiling a bandwidth-bound kernel is measured against).
double measure_copy_gbs(std::size_t bytes, int repeats);

}  // namespace zaya::cuda
