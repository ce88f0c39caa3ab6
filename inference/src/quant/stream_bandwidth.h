// The machine's streaming read bandwidth: the roofline a bandwidth-bound
// decode step is measured against. Plain multi-threaded sums over a buffer
// much larger than the caches, best of a few passes.
#pragma once

#include <cstddef>

namespace zaya::quant {

// GB/s (1e9 bytes per second) reading `bytes` with `threads` threads.
double measure_stream_read_gbs(int threads, std::size_t bytes = std::size_t{1} << 30, int passes = 5);

}  // namespace zaya::quant
