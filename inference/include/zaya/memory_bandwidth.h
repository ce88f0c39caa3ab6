// The machine's streaming memory read bandwidth, for callers outside the
// engine that estimate CPU decode speed (a bandwidth-bound step reads every
// active weight once). The probe itself is src/quant/stream_bandwidth.h.
#pragma once

#include <cstddef>

namespace zaya {

// GB/s (1e9 bytes per second) reading a `bytes` buffer with `threads`
// threads, best of `passes`; takes roughly passes × bytes / bandwidth.
double measure_memory_read_gbs(int threads, std::size_t bytes, int passes);

}  // namespace zaya
