#include "quant/stream_bandwidth.h"

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "quant/cpu_level.h"

namespace zaya::quant {

namespace {

__attribute__((target("avx2"))) std::uint64_t sum_avx2(const std::uint8_t* p, std::size_t n) {
  __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
  std::size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    a = _mm256_add_epi64(a, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
    b = _mm256_add_epi64(b, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    c = _mm256_add_epi64(c, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    d = _mm256_add_epi64(d, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  alignas(32) std::uint64_t t[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(t), _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d)));
  return t[0] + t[1] + t[2] + t[3];
}

std::uint64_t sum_scalar(const std::uint8_t* p, std::size_t n) {
  std::uint64_t s0 = 0, s1 = 0;
  for (std::size_t i = 0; i + 16 <= n; i += 16) {
    std::uint64_t a, b;
    std::memcpy(&a, p + i, 8);
    std::memcpy(&b, p + i + 8, 8);
    s0 += a;
    s1 += b;
  }
  return s0 + s1;
}

}  // namespace

double measure_stream_read_gbs(int threads, std::size_t bytes, int passes) {
  threads = std::max(1, threads);
  bytes = std::max<std::size_t>(bytes, static_cast<std::size_t>(threads) * 4096) / (static_cast<std::size_t>(threads) * 4096) *
          (static_cast<std::size_t>(threads) * 4096);
  struct Free {
    void operator()(std::uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<std::uint8_t, Free> buf(static_cast<std::uint8_t*>(std::aligned_alloc(4096, bytes)));
  std::memset(buf.get(), 1, bytes);  // fault every page in before timing
  const bool avx2 = cpu_supports(CpuLevel::Avx2);
  const std::size_t share = bytes / static_cast<std::size_t>(threads);
  std::vector<std::uint64_t> sums(static_cast<std::size_t>(threads));
  double best = 0;
  for (int pass = 0; pass < passes; ++pass) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        const std::uint8_t* p = buf.get() + share * static_cast<std::size_t>(t);
        sums[static_cast<std::size_t>(t)] = avx2 ? sum_avx2(p, share) : sum_scalar(p, share);
      });
    for (auto& th : pool) th.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, static_cast<double>(bytes) / s / 1e9);
  }
  volatile std::uint64_t sink = 0;
  for (auto v : sums) sink = sink + v;  // keep the sums alive
  return best;
}

}  // namespace zaya::quant
