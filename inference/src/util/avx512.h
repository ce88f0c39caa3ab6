// AVX-512 code without -march flags: each kernel function opts in with one of
// these target attributes and is only called after a run-time CPU check, so
// the build runs everywhere and the fast path is taken where the CPU has it.
//
// GCC 12's own AVX-512 intrinsics initialise their "undefined" pass-through
// operand from itself, which its -W(maybe-)uninitialized flags once inlined
// into a kernel; the warnings say nothing about our code, so files that
// include this header turn them off.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

// Float kernels (AVX-512 F, DQ for the integer compares and conversions).
#define ZAYA_AVX512F __attribute__((target("avx2,fma,f16c,avx512f,avx512dq")))
// Integer dot-product kernels (AVX-512 F/BW/VL + VNNI).
#define ZAYA_AVX512VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

