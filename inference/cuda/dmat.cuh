// A weight matrix in device memory and the per-format loads the kernels use.
//
// Every format is read 16 bytes at a time (F8: 8 bytes), `kVec` weights per
// load, widened to fp32 in registers:
//   F32 4 · BF16/F16 8 · F8_E4M3 8 (× row scale) · Q8_G32 16 · Q4_G32 32
// Q8/Q4 follow quant/quant_format.h: groups of 32 columns, one fp16 scale per
// group; a Q4 load is exactly one group (low nibbles = weights 0..15, high
// nibbles = 16..31).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common.cuh"
#include "kernels.h"

namespace zaya::cuda {

template <DType T>
struct Fmt;

template <>
struct Fmt<DType::F32> {
  static constexpr int kVec = 4;
  __device__ __forceinline__ static void load(const char* row, const char*, std::int64_t c0, float* out) {
    const float4 v = __ldg(reinterpret_cast<const float4*>(row) + c0 / 4);
    out[0] = v.x, out[1] = v.y, out[2] = v.z, out[3] = v.w;
  }
};

template <>
struct Fmt<DType::BF16> {
  static constexpr int kVec = 8;
  __device__ __forceinline__ static void load(const char* row, const char*, std::int64_t c0, float* out) {
    const uint4 v = __ldg(reinterpret_cast<const uint4*>(row + c0 * 2));
    const std::uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      out[2 * i] = __uint_as_float(w[i] << 16);
      out[2 * i + 1] = __uint_as_float(w[i] & 0xffff0000u);
    }
  }
};

template <>
struct Fmt<DType::F16> {
  static constexpr int kVec = 8;
  __device__ __forceinline__ static void load(const char* row, const char*, std::int64_t c0, float* out) {
    const uint4 v = __ldg(reinterpret_cast<const uint4*>(row + c0 * 2));
    const std::uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const float2 f = __half22float2(*reinterpret_cast<const __half2*>(&w[i]));
      out[2 * i] = f.x, out[2 * i + 1] = f.y;
    }
  }
};

template <>
struct Fmt<DType::F8_E4M3> {
  static constexpr int kVec = 8;
  __device__ __forceinline__ static void load(const char* row, const char* scale, std::int64_t c0, float* out) {
    const uint2 v = __ldg(reinterpret_cast<const uint2*>(row + c0));
    const float s = __ldg(reinterpret_cast<const float*>(scale));
    const std::uint32_t w[2] = {v.x, v.y};
#pragma unroll
    for (int i = 0; i < 8; ++i) out[i] = s * f8e4m3_to_f32_dev((w[i / 4] >> (8 * (i % 4))) & 0xffu);
  }
};

template <>
struct Fmt<DType::Q8_G32> {
  static constexpr int kVec = 16;
  __device__ __forceinline__ static void load(const char* row, const char* scale, std::int64_t c0, float* out) {
    const int4 v = __ldg(reinterpret_cast<const int4*>(row + c0));
    const float s = __half2float(__ldg(reinterpret_cast<const __half*>(scale) + c0 / 32));
    const int w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int i = 0; i < 16; ++i) out[i] = s * static_cast<float>(static_cast<signed char>((w[i / 4] >> (8 * (i % 4))) & 0xff));
  }
};

template <>
struct Fmt<DType::Q4_G32> {
  static constexpr int kVec = 32;
  __device__ __forceinline__ static void load(const char* row, const char* scale, std::int64_t c0, float* out) {
    const uint4 v = __ldg(reinterpret_cast<const uint4*>(row + c0 / 2));
    const float s = __half2float(__ldg(reinterpret_cast<const __half*>(scale) + c0 / 32));
    const std::uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
    for (int j = 0; j < 16; ++j) {
      const std::uint32_t b = (w[j / 4] >> (8 * (j % 4))) & 0xffu;
      out[j] = s * static_cast<float>(static_cast<int>(b & 15u) - 8);
      out[j + 16] = s * static_cast<float>(static_cast<int>(b >> 4) - 8);
    }
  }
};

// Runs the statement list with `T` bound to the storage type as a constant.
// Any other format (the CPU's interleaved *_X16 layouts, a format added to the
// engine but not to the device) is an error: launching nothing would leave the
// output as it was and let the step go on with stale numbers.
#define ZAYA_DISPATCH_DTYPE(dtype, T, ...)                                         \
  switch (dtype) {                                                                 \
    case DType::F32: { constexpr DType T = DType::F32; __VA_ARGS__; } break;        \
    case DType::BF16: { constexpr DType T = DType::BF16; __VA_ARGS__; } break;      \
    case DType::F16: { constexpr DType T = DType::F16; __VA_ARGS__; } break;        \
    case DType::F8_E4M3: { constexpr DType T = DType::F8_E4M3; __VA_ARGS__; } break; \
    case DType::Q8_G32: { constexpr DType T = DType::Q8_G32; __VA_ARGS__; } break;  \
    case DType::Q4_G32: { constexpr DType T = DType::Q4_G32; __VA_ARGS__; } break;  \
    default: throw_unknown_dtype(dtype);                                            \
  }

}  // namespace zaya::cuda
