// Run-time CPU checks shared by the float kernels' fast paths.
// ZAYA_CPU_LEVEL=avx2 (or scalar) turns the AVX-512 paths off, so a machine
// with AVX-512 can measure and test what an AVX2-only CPU runs.
#pragma once

#include <cpuid.h>

#include <cstdlib>
#include <cstring>

namespace zaya {

// Whether this CPU runs ZAYA_AVX512F code (util/avx512.h); checked once per process.
inline bool cpu_runs_avx512f() {
  static const bool yes = [] {
    __builtin_cpu_init();
    const char* level = std::getenv("ZAYA_CPU_LEVEL");
    if (level && (!std::strcmp(level, "avx2") || !std::strcmp(level, "avx2vnni") || !std::strcmp(level, "scalar")))
      return false;
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  }();
  return yes;
}

// Whether this CPU runs AVX2 + FMA code; checked once per process.
inline bool cpu_runs_avx2_fma() {
  static const bool yes = [] {
    __builtin_cpu_init();
    const char* level = std::getenv("ZAYA_CPU_LEVEL");
    if (level && !std::strcmp(level, "scalar")) return false;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
}

// Whether this CPU converts halves with F16C (the fp16 K/V cache's AVX2
// path; AVX-512 F has its own conversions). Not lowered by ZAYA_CPU_LEVEL:
// it only matters where AVX2 runs. Read from CPUID leaf 1 (ECX bit 29):
// clang's __builtin_cpu_supports does not know "f16c".
inline bool cpu_runs_f16c() {
  static const bool yes = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
  }();
  return yes;
}

// Whether this CPU has AVX-VNNI (the 256-bit VEX vpdpbusd). Read from CPUID
// leaf 7 subleaf 1 (EAX bit 4), which not every compiler's builtin names.
inline bool cpu_has_avx_vnni() {
  static const bool yes = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) != 0 && (eax & (1u << 4)) != 0;
  }();
  return yes;
}

}  // namespace zaya
