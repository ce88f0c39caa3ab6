// Matmul for the float storage types (F32, F16, BF16, F8_E4M3 with per-row
// scales). Two code paths: AVX2+FMA+F16C chosen at run time when the CPU has
// them, and portable scalar code otherwise; the build needs no -march flag.
#include "kernels/matmul.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/convert.h"
#include "util/cpu_features.h"
#include "kernels/matmul_tile.h"
#include "quant/interleave.h"
#include "quant/qgemm.h"
#include "quant/quant_format.h"

namespace zaya {

float f8e4m3_to_f32(std::uint8_t v) {
  static const std::array<float, 256> table = [] {
    std::array<float, 256> t{};
    for (int i = 0; i < 256; ++i) {
      const int sign = i >> 7, exp = (i >> 3) & 0xf, mant = i & 7;
      float mag;
      if (exp == 0xf && mant == 7) mag = __builtin_nanf("");
      else if (exp == 0) mag = std::ldexp(static_cast<float>(mant) / 8.0f, -6);
      else mag = std::ldexp(1.0f + static_cast<float>(mant) / 8.0f, exp - 7);
      t[i] = sign ? -mag : mag;
    }
    return t;
  }();
  return table[v];
}

namespace {

// ---------------------------------------------------------------- scalar ---

float dot_f32_scalar(const float* a, const float* b, std::int64_t n) {
  float acc[4] = {0, 0, 0, 0};
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) acc[k] += a[i + k] * b[i + k];
  for (; i < n; ++i) acc[0] += a[i] * b[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

void widen_scalar(DType t, const std::byte* row, float* out, std::int64_t n) {
  switch (t) {
    case DType::F32:
      std::memcpy(out, row, static_cast<std::size_t>(n) * 4);
      break;
    case DType::BF16:
      for (std::int64_t i = 0; i < n; ++i) out[i] = bf16_to_f32(load_u16(row + 2 * i));
      break;
    case DType::F16:
      for (std::int64_t i = 0; i < n; ++i) out[i] = f16_to_f32(load_u16(row + 2 * i));
      break;
    case DType::F8_E4M3:
      for (std::int64_t i = 0; i < n; ++i) out[i] = f8e4m3_to_f32(static_cast<std::uint8_t>(row[i]));
      break;
    default:
      break;
  }
}

// ------------------------------------------------------------------ AVX2 ---

#define ZAYA_AVX2 __attribute__((target("avx2,fma,f16c")))

ZAYA_AVX2 inline float hsum256(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

ZAYA_AVX2 inline __m256 load_bf16x8(const std::byte* p) {
  const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

ZAYA_AVX2 inline __m256 load_f16x8(const std::byte* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

ZAYA_AVX2 float dot_f32_avx2(const float* a, const float* b, std::int64_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  std::int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  float acc = hsum256(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) acc += a[i] * b[i];
  return acc;
}

// Dot of a 16-bit-float row with fp32 x, widening on the fly (decode path:
// the weight row is touched once, so widening into a buffer would only add
// traffic). The additions run in dot_f32_avx2's order, so a bf16 row gives
// the very sum its fp32 widening would (the bf16 conv relies on it).
template <bool kBF16>
ZAYA_AVX2 float dot_half_avx2(const std::byte* w, const float* x, std::int64_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  std::int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 w0 = kBF16 ? load_bf16x8(w + 2 * i) : load_f16x8(w + 2 * i);
    const __m256 w1 = kBF16 ? load_bf16x8(w + 2 * i + 16) : load_f16x8(w + 2 * i + 16);
    s0 = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x + i), s0);
    s1 = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x + i + 8), s1);
  }
  for (; i + 8 <= n; i += 8)
    s0 = _mm256_fmadd_ps(kBF16 ? load_bf16x8(w + 2 * i) : load_f16x8(w + 2 * i), _mm256_loadu_ps(x + i), s0);
  float acc = hsum256(_mm256_add_ps(s0, s1));
  for (; i < n; ++i) {
    const std::uint16_t h = load_u16(w + 2 * i);
    acc += (kBF16 ? bf16_to_f32(h) : f16_to_f32(h)) * x[i];
  }
  return acc;
}

ZAYA_AVX2 void widen_avx2(DType t, const std::byte* row, float* out, std::int64_t n) {
  std::int64_t i = 0;
  if (t == DType::BF16) {
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, load_bf16x8(row + 2 * i));
    for (; i < n; ++i) out[i] = bf16_to_f32(load_u16(row + 2 * i));
  } else if (t == DType::F16) {
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, load_f16x8(row + 2 * i));
    for (; i < n; ++i) out[i] = f16_to_f32(load_u16(row + 2 * i));
  } else {
    widen_scalar(t, row, out, n);
  }
}

// ------------------------------------------------------------- dispatch ---

struct Kernels {
  float (*dot_f32)(const float*, const float*, std::int64_t);
  void (*widen)(DType, const std::byte*, float*, std::int64_t);
  float (*dot_bf16)(const std::byte*, const float*, std::int64_t);
  float (*dot_f16)(const std::byte*, const float*, std::int64_t);
};

float dot_bf16_scalar(const std::byte* w, const float* x, std::int64_t n) {
  float acc[4] = {0, 0, 0, 0};
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k) acc[k] += bf16_to_f32(load_u16(w + 2 * (i + k))) * x[i + k];
  for (; i < n; ++i) acc[0] += bf16_to_f32(load_u16(w + 2 * i)) * x[i];
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

float dot_f16_scalar(const std::byte* w, const float* x, std::int64_t n) {
  float acc = 0;
  for (std::int64_t i = 0; i < n; ++i) acc += f16_to_f32(load_u16(w + 2 * i)) * x[i];
  return acc;
}

const Kernels& kernels() {
  static const Kernels k = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      return Kernels{dot_f32_avx2, widen_avx2, dot_half_avx2<true>, dot_half_avx2<false>};
    return Kernels{dot_f32_scalar, widen_scalar, dot_bf16_scalar, dot_f16_scalar};
  }();
  return k;
}

float row_scale(const WeightMatrix& W, std::int64_t r) {
  if (W.dtype != DType::F8_E4M3 || !W.scales) return 1.0f;
  return load_f32(static_cast<const std::byte*>(W.scales) + r * static_cast<std::int64_t>(W.scale_row_stride_bytes));
}

bool is_float_type(DType t) {
  return t == DType::F32 || t == DType::F16 || t == DType::BF16 || t == DType::F8_E4M3;
}

// Rows widened together, so one x row is reused from L1 across the block.
constexpr std::int64_t kRowBlock = 8;
// With the AVX-512 tile: 32 rows widened (256 KiB at 2048 columns, in L2), so
// each group of 4 token rows fetched from L3 serves 32 weight rows.
constexpr std::int64_t kTileRowBlock = 32;


// Rows [rb, rb + nb) of W widened into buf [nb, cols] fp32, with their
// scales (F8_E4M3; 1 otherwise) in scale [nb].
void widen_rows(const Kernels& k, const WeightMatrix& W, std::int64_t rb, std::int64_t nb, float* buf, float* scale) {
  const auto* base = static_cast<const std::byte*>(W.data);
  const std::int64_t stride = static_cast<std::int64_t>(W.row_stride_bytes);
  for (std::int64_t i = 0; i < nb; ++i) {
    k.widen(W.dtype, base + (rb + i) * stride, buf + i * W.cols, W.cols);
    scale[i] = row_scale(W, rb + i);
  }
}

// S > 1 with the register tile: y[s, r] for rows [r0, r1).
void matmul_float_tiled(const WeightMatrix& W, const float* x, std::int64_t S, float* y, std::int64_t r0,
                        std::int64_t r1) {
  const std::int64_t rows = W.rows, cols = W.cols;
  // buf: [kTileRowBlock, cols] fp32, the block's rows widened
  thread_local std::vector<float> buf;
  if (buf.size() < static_cast<std::size_t>(kTileRowBlock * cols)) buf.resize(static_cast<std::size_t>(kTileRowBlock * cols));
  for (std::int64_t rb = r0; rb < r1; rb += kTileRowBlock) {
    const std::int64_t nb = std::min(kTileRowBlock, r1 - rb);
    float scale[kTileRowBlock];
    widen_rows(kernels(), W, rb, nb, buf.data(), scale);
    for (std::int64_t s = 0; s < S; s += detail::kTileMax) {
      const int nt = static_cast<int>(std::min<std::int64_t>(detail::kTileMax, S - s));
      for (std::int64_t i = 0; i < nb; i += detail::kTileMax) {
        const int nr = static_cast<int>(std::min<std::int64_t>(detail::kTileMax, nb - i));
        float out[detail::kTileMax * detail::kTileMax];
        detail::dot_tile_avx512(buf.data() + i * cols, cols, nr, x + s * cols, cols, nt, cols, out);
        for (int t = 0; t < nt; ++t)
          for (int r = 0; r < nr; ++r) y[(s + t) * rows + rb + i + r] = out[r * detail::kTileMax + t] * scale[i + r];
      }
    }
  }
}

void matmul_float(const WeightMatrix& W, const float* x, std::int64_t S, float* y, ThreadPool& pool) {
  const Kernels& k = kernels();
  const std::int64_t rows = W.rows, cols = W.cols;
  const auto* base = static_cast<const std::byte*>(W.data);
  const std::int64_t stride = static_cast<std::int64_t>(W.row_stride_bytes);
  // Keep each thread's share at >= ~64K multiply-adds so waking workers pays off.
  const std::int64_t min_rows = std::max<std::int64_t>(1, 65536 / std::max<std::int64_t>(1, cols * S));
  pool.parallel_for(rows, [&](std::int64_t r0, std::int64_t r1) {
    // F32 rows are dotted in place only when aligned (safetensors offsets need
    // not be); otherwise they take the copy path below.
    const bool f32_aligned = reinterpret_cast<std::uintptr_t>(base) % alignof(float) == 0 && stride % 4 == 0;
    if (S == 1 && W.dtype != DType::F8_E4M3 && (W.dtype != DType::F32 || f32_aligned)) {
      for (std::int64_t r = r0; r < r1; ++r) {
        const std::byte* row = base + r * stride;
        float v;
        switch (W.dtype) {
          case DType::F32: v = k.dot_f32(reinterpret_cast<const float*>(row), x, cols); break;
          case DType::BF16: v = k.dot_bf16(row, x, cols); break;
          default: v = k.dot_f16(row, x, cols); break;
        }
        y[r] = v;
      }
      return;
    }
    if (S > 1 && cpu_runs_avx512f()) {
      matmul_float_tiled(W, x, S, y, r0, r1);
      return;
    }
    // buf: [kRowBlock, cols] fp32, the block's rows widened
    thread_local std::vector<float> buf;
    buf.resize(static_cast<std::size_t>(kRowBlock * cols));
    for (std::int64_t rb = r0; rb < r1; rb += kRowBlock) {
      const std::int64_t nb = std::min(kRowBlock, r1 - rb);
      float scale[kRowBlock];
      widen_rows(k, W, rb, nb, buf.data(), scale);
      for (std::int64_t s = 0; s < S; ++s) {
        const float* xs = x + s * cols;
        float* ys = y + s * rows + rb;
        for (std::int64_t i = 0; i < nb; ++i) ys[i] = k.dot_f32(buf.data() + i * cols, xs, cols) * scale[i];
      }
    }
  }, min_rows);
}

}  // namespace

void matmul(const WeightMatrix& W, const float* x, std::int64_t S, float* y, ThreadPool& pool) {
  if (S <= 0 || W.rows <= 0) return;
  switch (W.dtype) {
    case DType::F32:
    case DType::F16:
    case DType::BF16:
    case DType::F8_E4M3:
      matmul_float(W, x, S, y, pool);
      return;
    case DType::Q8_G32:
    case DType::Q4_G32:
    case DType::Q8_G32_X16:
    case DType::Q4_G32_X16:
      quant::quant_matmul(W, x, S, y, pool);
      return;
  }
  throw std::logic_error(std::string("matmul: no kernel for weight type ") + dtype_name(W.dtype));
}

void matmul_shared_input(std::span<const WeightMatrix* const> W, std::span<float* const> y, const float* x,
                         std::int64_t S, ThreadPool& pool) {
  if (quant::quant_matmul_shared_input(W, y, x, S, pool)) return;
  for (std::size_t i = 0; i < W.size(); ++i) matmul(*W[i], x, S, y[i], pool);
}

void dequantize_row(const WeightMatrix& W, std::int64_t row, float* out) {
  if (is_float_type(W.dtype)) {
    kernels().widen(W.dtype, static_cast<const std::byte*>(W.data) + row * static_cast<std::int64_t>(W.row_stride_bytes),
                    out, W.cols);
    const float s = row_scale(W, row);
    if (s != 1.0f)
      for (std::int64_t i = 0; i < W.cols; ++i) out[i] *= s;
    return;
  }
  if (quant::is_quantized(W.dtype)) {
    quant::dequantize_quant_row(W, row, out);
    return;
  }
  if (quant::is_interleaved(W.dtype)) {
    quant::dequantize_interleaved_row(W, row, out);
    return;
  }
  throw std::logic_error(std::string("dequantize_row: no kernel for weight type ") + dtype_name(W.dtype));
}

std::size_t row_bytes(const WeightMatrix& W) {
  switch (W.dtype) {
    case DType::F32: return static_cast<std::size_t>(W.cols) * 4;
    case DType::F16:
    case DType::BF16: return static_cast<std::size_t>(W.cols) * 2;
    case DType::F8_E4M3: return static_cast<std::size_t>(W.cols) + 4;
    case DType::Q8_G32_X16:
    case DType::Q4_G32_X16: return W.row_stride_bytes / quant::kInterleaveRows;  // the stride is a 16-row block's
    default: return W.row_stride_bytes + W.scale_row_stride_bytes;
  }
}

float dot_f32(const float* a, const float* b, std::int64_t n) { return kernels().dot_f32(a, b, n); }

float dot_row(const WeightMatrix& W, std::int64_t r, const float* x) {
  const Kernels& k = kernels();
  const std::byte* row = static_cast<const std::byte*>(W.data) + r * static_cast<std::int64_t>(W.row_stride_bytes);
  switch (W.dtype) {
    case DType::F32: return k.dot_f32(reinterpret_cast<const float*>(row), x, W.cols);
    case DType::BF16: return k.dot_bf16(row, x, W.cols);
    case DType::F16: return k.dot_f16(row, x, W.cols);
    default: break;
  }
  throw std::logic_error(std::string("dot_row: not a 16/32-bit float type: ") + dtype_name(W.dtype));
}

}  // namespace zaya
