// Which SIMD code path the quantised kernels use. Chosen once at run time
// from the CPU (no -march flag needed); ZAYA_CPU_LEVEL=scalar|avx2|avx2vnni|avx512
// lowers it (never raises it above what the CPU has), and the kernels also
// take an explicit level so tests can run every path this CPU supports.
#pragma once

namespace zaya::quant {

enum class CpuLevel : int {
  Scalar = 0,
  Avx2 = 1,        // AVX2 + FMA + F16C
  // AVX2 with AVX-VNNI (VEX vpdpbusd, 256-bit): most laptops without
  // AVX-512 since 2021. Only the chunk tiles of the interleaved layout differ.
  Avx2Vnni = 2,
  Avx512Vnni = 3,  // AVX-512 F/BW/VL + VNNI
};

const char* cpu_level_name(CpuLevel level);
bool cpu_supports(CpuLevel level);
// The best level of this CPU, lowered by ZAYA_CPU_LEVEL if set.
CpuLevel default_cpu_level();

}  // namespace zaya::quant
