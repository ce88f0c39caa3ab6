// zaya/memory_bandwidth.h over the engine's bandwidth probe.
#include "zaya/memory_bandwidth.h"

#include "quant/stream_bandwidth.h"

namespace zaya {

double measure_memory_read_gbs(int threads, std::size_t bytes, int passes) {
  return quant::measure_stream_read_gbs(threads, bytes, passes);
}

}  // namespace zaya
