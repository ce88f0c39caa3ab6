#include "cpu/matrices.h"

#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "quant/interleave.h"
#include "quant/quant_format.h"
#include "zaya/errors.h"

namespace zaya::cpu {

namespace {

// Every matrix the forward pass multiplies by, in one list, so sizing and
// copying walk the same set.
template <typename Fn>
void for_each_matrix(CpuMatrices& m, Fn&& fn) {
  fn(m.lm_head);
  for (LayerMatrices& l : m.layers) {
    for (WeightMatrix* w : {&l.q_proj, &l.k_proj, &l.v_current, &l.v_delayed, &l.o_proj, &l.router_down, &l.router_fc1,
                            &l.router_fc2, &l.router_out})
      fn(*w);
    for (WeightMatrix& w : l.expert_gate_up) fn(w);
    for (WeightMatrix& w : l.expert_down) fn(w);
  }
}

// Asks the kernel to drop the whole pages inside [p, p + n) from this
// process's resident set. MADV_PAGEOUT never loses data: clean file pages
// are re-read on the next touch, anonymous ones go to swap (or stay).
void release_pages(const void* p, std::size_t n) {
  if (!p || n == 0) return;
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page;
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + n) / page * page;
#ifdef MADV_PAGEOUT
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_PAGEOUT);
#else
  (void)begin;
  (void)end;
#endif
}

std::string gib(double bytes) {
  char s[32];
  std::snprintf(s, sizeof s, "%.1f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  return s;
}

std::shared_ptr<void> map_arena(std::size_t bytes) {
  // More than the machine has (RAM + swap) can never work, whatever the
  // kernel's overcommit policy would let mmap promise.
  struct sysinfo si {};
  if (::sysinfo(&si) == 0) {
    const double have = (static_cast<double>(si.totalram) + static_cast<double>(si.totalswap)) * si.mem_unit;
    if (static_cast<double>(bytes) > have)
      throw LoadError("not enough memory to run this model on the CPU: its weights need " + gib(static_cast<double>(bytes)) +
                      " and this machine has " + gib(have) + " of memory in all");
  }
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw LoadError("not enough memory to run this model on the CPU: could not reserve " + gib(static_cast<double>(bytes)) +
                    " for its weights (" + std::strerror(errno) + ")");
#ifdef MADV_HUGEPAGE
  // 2 MiB pages: a decode step streams ~0.7 GB through the TLB.
  ::madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return std::shared_ptr<void>(p, [bytes](void* q) { ::munmap(q, bytes); });
}

}  // namespace

LayerMatrices loaded_matrices(const LayerWeights& w) {
  return LayerMatrices{w.q_proj,     w.k_proj,     w.v_current,  w.v_delayed,      w.o_proj,     w.router_down,
                       w.router_fc1, w.router_fc2, w.router_out, w.expert_gate_up, w.expert_down};
}

CpuMatrices prepare_matrices(const ModelWeights& w, bool interleave, ThreadPool& pool, const LoadProgress& progress) {
  CpuMatrices m;
  m.lm_head = w.embed;
  m.layers.reserve(w.layers.size());
  for (const LayerWeights& l : w.layers) m.layers.push_back(loaded_matrices(l));
  if (!interleave) return m;

  // Each copy starts on a 64-byte boundary (every block does too).
  std::size_t total = 0;
  for_each_matrix(m, [&](const WeightMatrix& x) {
    if (quant::is_quantized(x.dtype))
      total += (quant::interleaved_bytes(quant::interleaved_type(x.dtype), x.rows, x.cols) + 63) / 64 * 64;
  });
  if (total == 0) return m;
  m.arena = map_arena(total);
  m.arena_bytes = total;

  auto* next = static_cast<std::byte*>(m.arena.get());
  const char* stage = "preparing weights for this CPU";
  if (progress) progress(0.0, stage);
  for_each_matrix(m, [&](WeightMatrix& x) {
    if (!quant::is_quantized(x.dtype)) return;
    const WeightMatrix src = x;
    const DType t = quant::interleaved_type(src.dtype);
    const std::size_t bytes = quant::interleaved_bytes(t, src.rows, src.cols);
    pool.parallel_for(quant::row_blocks(src.rows),
                      [&](std::int64_t b0, std::int64_t b1) { quant::interleave_blocks(src, b0, b1, next); });
    x = quant::interleaved_view(t, src.rows, src.cols, next);
    next += (bytes + 63) / 64 * 64;
    if (progress)
      progress(static_cast<double>(next - static_cast<std::byte*>(m.arena.get())) / static_cast<double>(total), stage);
    release_pages(src.data, static_cast<std::size_t>(src.rows) * src.row_stride_bytes);
    release_pages(src.scales, static_cast<std::size_t>(src.rows) * src.scale_row_stride_bytes);
  });
  return m;
}

}  // namespace zaya::cpu
