// zaya-qgemm-bench: the quantised matmul kernels alone, on the 8B model's
// expert shapes, in the CPU backend's interleaved layout. For each format,
// level and token count it prints the multiply-adds per second per thread
// (prefill is bound by these) and the weight bytes read per second (decode
// is bound by those), so a kernel change can be judged without a model, and
// each rate as a fraction of what the level's dot instruction can issue on
// this core (measured first, quant/int8_peak.h).
//
//   zaya-qgemm-bench [--rows R] [--cols C] [--tokens S,S,...] [--threads N] [--seconds T]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "quant/int8_peak.h"
#include "quant/interleave.h"
#include "quant/qgemm.h"
#include "quant/quant_format.h"
#include "util/thread_pool.h"

namespace {

using namespace zaya;
using namespace zaya::quant;

// A random [rows, cols] matrix quantised to `row_major` and interleaved, in
// 64-byte aligned storage like the backend's arena.
struct Matrix {
  std::vector<std::byte> row_major, storage;
  WeightMatrix W;
};

Matrix make_matrix(DType row_major, std::int64_t rows, std::int64_t cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 0.05f);
  Matrix m;
  const QuantLayout l = quant_layout(row_major, rows, cols);
  m.row_major.resize(l.total_bytes);
  const WeightMatrix src = quant_view(row_major, rows, cols, m.row_major.data());
  std::vector<float> w(static_cast<std::size_t>(cols));
  for (std::int64_t r = 0; r < rows; ++r) {
    for (float& v : w) v = nd(rng);
    quantize_row(row_major, w.data(), cols, m.row_major.data() + r * src.row_stride_bytes,
                 reinterpret_cast<std::uint16_t*>(m.row_major.data() + l.scales_offset + r * src.scale_row_stride_bytes));
  }
  const DType x16 = interleaved_type(row_major);
  m.storage.resize(interleaved_bytes(x16, rows, cols) + 64);
  auto* aligned = reinterpret_cast<std::byte*>((reinterpret_cast<std::uintptr_t>(m.storage.data()) + 63) / 64 * 64);
  m.W = interleaved_view(x16, rows, cols, aligned);
  interleave_blocks(src, 0, row_blocks(rows), aligned);
  return m;
}

std::vector<std::int64_t> parse_list(const char* s) {
  std::vector<std::int64_t> out;
  for (const char* p = s; *p;) {
    out.push_back(std::strtoll(p, nullptr, 10));
    p = std::strchr(p, ',');
    if (!p) break;
    ++p;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t rows = 4096, cols = 2048;  // one expert's gate|up of ZAYA1-8B
  std::vector<std::int64_t> tokens = {1, 8, 32, 128};
  int threads = 1;
  double seconds = 1.0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool more = i + 1 < argc;
    if (a == "--rows" && more) rows = std::atoll(argv[++i]);
    else if (a == "--cols" && more) cols = std::atoll(argv[++i]);
    else if (a == "--tokens" && more) tokens = parse_list(argv[++i]);
    else if (a == "--threads" && more) threads = std::atoi(argv[++i]);
    else if (a == "--seconds" && more) seconds = std::atof(argv[++i]);
    else {
      std::fprintf(stderr,
                   "usage: zaya-qgemm-bench [--rows R] [--cols C] [--tokens S,S,...] [--threads N] [--seconds T]\n");
      return a == "--help" ? 0 : 2;
    }
  }
  if (rows <= 0 || cols <= 0 || threads <= 0 || tokens.empty()) {
    std::fprintf(stderr, "zaya-qgemm-bench: rows, cols, threads and token counts must be positive\n");
    return 2;
  }
  ThreadPool pool(threads);
  std::printf("[%lld, %lld] weights, %d thread(s), best of %.1f s per line\n", static_cast<long long>(rows),
              static_cast<long long>(cols), threads, seconds);
  double peak[4] = {0, 0, 0, 0};  // GMAC/s a thread can issue, by level
  for (CpuLevel level : {CpuLevel::Avx2, CpuLevel::Avx2Vnni, CpuLevel::Avx512Vnni}) {
    peak[static_cast<int>(level)] = measure_int8_peak_gmacs(level);
    if (peak[static_cast<int>(level)] > 0)
      std::printf("issue peak %-8s %7.1f GMAC/s per thread\n", cpu_level_name(level), peak[static_cast<int>(level)]);
  }
  std::printf("%-12s %-8s %6s %12s %14s %8s %10s\n", "format", "level", "tokens", "ms/call", "GMAC/s/thread", "of peak",
              "GB/s");
  for (DType format : {DType::Q4_G32, DType::Q8_G32}) {
    const Matrix m = make_matrix(format, rows, cols, 7);
    const std::size_t weight_bytes = interleaved_bytes(m.W.dtype, rows, cols);
    // The scalar level is the kernels' reference, not a speed path.
    for (CpuLevel level : {CpuLevel::Avx2, CpuLevel::Avx2Vnni, CpuLevel::Avx512Vnni}) {
      if (!cpu_supports(level)) continue;
      for (std::int64_t S : tokens) {
        if (S <= 0) continue;
        std::mt19937 rng(11);
        std::normal_distribution<float> nd(0.0f, 1.0f);
        std::vector<float> x(static_cast<std::size_t>(S * cols)), y(static_cast<std::size_t>(S * rows));
        for (float& v : x) v = nd(rng);
        quant_matmul(m.W, x.data(), S, y.data(), pool, level);  // warm caches and the pool
        double best = 1e30, spent = 0;
        int calls = 0;
        while (spent < seconds || calls < 3) {
          const auto t0 = std::chrono::steady_clock::now();
          quant_matmul(m.W, x.data(), S, y.data(), pool, level);
          const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          best = std::min(best, dt);
          spent += dt;
          ++calls;
        }
        const double macs = static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(S);
        const double rate = macs / best / 1e9 / threads;
        const double of_peak = peak[static_cast<int>(level)] > 0 ? 100.0 * rate / peak[static_cast<int>(level)] : 0.0;
        std::printf("%-12s %-8s %6lld %12.3f %14.1f %7.0f%% %10.1f\n", dtype_name(m.W.dtype), cpu_level_name(level),
                    static_cast<long long>(S), best * 1e3, rate, of_peak, static_cast<double>(weight_bytes) / best / 1e9);
      }
    }
  }
  return 0;
}
