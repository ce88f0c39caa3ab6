// Run-time CPU checks shared by the float kernels' fast paths.
#pragma once

namespace zaya {

// Whether this CPU runs ZAYA_AVX512F code (util/avx512.h); checked once per process.
inline bool cpu_runs_avx512f() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  }();
  return yes;
}

}  // namespace zaya
