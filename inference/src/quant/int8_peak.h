// The int8 multiply-add rate one core can issue at a CPU level (the
// instruction the level's kernels are built on, with nothing else in the
// way): the compute roofline of prefill. About 0.1-0.3 s per call.
#pragma once

#include "quant/cpu_level.h"

namespace zaya::quant {

// GMAC/s of one thread; 0 for the scalar level or a level this CPU lacks.
double measure_int8_peak_gmacs(CpuLevel level);

}  // namespace zaya::quant
