#include "quant/cpu_level.h"

#include <cstdlib>
#include <cstring>

#include "util/cpu_features.h"

namespace zaya::quant {

const char* cpu_level_name(CpuLevel level) {
  switch (level) {
    case CpuLevel::Scalar: return "scalar";
    case CpuLevel::Avx2: return "avx2";
    case CpuLevel::Avx2Vnni: return "avx2vnni";
    case CpuLevel::Avx512Vnni: return "avx512";
  }
  return "unknown";
}

bool cpu_supports(CpuLevel level) {
  __builtin_cpu_init();
  switch (level) {
    case CpuLevel::Scalar: return true;
    // F16C is not testable by name in every compiler's builtin; every CPU
    // with AVX2 and FMA has it.
    case CpuLevel::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case CpuLevel::Avx2Vnni: return cpu_supports(CpuLevel::Avx2) && cpu_has_avx_vnni();
    case CpuLevel::Avx512Vnni:
      return cpu_supports(CpuLevel::Avx2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
  }
  return false;
}

CpuLevel default_cpu_level() {
  static const CpuLevel level = [] {
    CpuLevel best = CpuLevel::Scalar;
    if (cpu_supports(CpuLevel::Avx512Vnni)) best = CpuLevel::Avx512Vnni;
    else if (cpu_supports(CpuLevel::Avx2Vnni)) best = CpuLevel::Avx2Vnni;
    else if (cpu_supports(CpuLevel::Avx2)) best = CpuLevel::Avx2;
    const char* env = std::getenv("ZAYA_CPU_LEVEL");
    if (env && *env) {
      CpuLevel want = best;
      if (!std::strcmp(env, "scalar")) want = CpuLevel::Scalar;
      else if (!std::strcmp(env, "avx2")) want = CpuLevel::Avx2;
      else if (!std::strcmp(env, "avx2vnni")) want = CpuLevel::Avx2Vnni;
      else if (!std::strcmp(env, "avx512")) want = CpuLevel::Avx512Vnni;
      // A CPU with AVX-512 VNNI need not have AVX-VNNI (Ice Lake has not).
      if (static_cast<int>(want) < static_cast<int>(best)) best = cpu_supports(want) ? want : CpuLevel::Avx2;
    }
    return best;
  }();
  return level;
}

}  // namespace zaya::quant
