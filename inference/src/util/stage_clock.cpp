#include "util/stage_clock.h"

namespace zaya {

namespace {

std::atomic<bool> g_enabled{false};
std::atomic<std::int64_t> g_nanoseconds[static_cast<int>(Stage::kCount)];
std::atomic<std::int64_t> g_barriers[static_cast<int>(Stage::kCount) + 1];  // last: outside every stage
// The stage this thread is in (kCount: none), for counting its barriers.
thread_local Stage t_open = Stage::kCount;

}  // namespace

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::Projections: return "projections";
    case Stage::Convolution: return "convolution";
    case Stage::QueryKey: return "query/key prep";
    case Stage::Attention: return "attention";
    case Stage::Router: return "router";
    case Stage::Experts: return "experts";
    case Stage::Residual: return "norms/residual";
    case Stage::Head: return "head";
    case Stage::kCount: break;
  }
  return "?";
}

void enable_stage_clock(bool on) { g_enabled.store(on, std::memory_order_relaxed); }
bool stage_clock_enabled() { return g_enabled.load(std::memory_order_relaxed); }

void reset_stage_clock() {
  for (auto& n : g_nanoseconds) n.store(0, std::memory_order_relaxed);
  for (auto& n : g_barriers) n.store(0, std::memory_order_relaxed);
}

std::int64_t stage_barriers(Stage s) { return g_barriers[static_cast<int>(s)].load(std::memory_order_relaxed); }

void count_stage_barrier() {
  if (stage_clock_enabled()) g_barriers[static_cast<int>(t_open)].fetch_add(1, std::memory_order_relaxed);
}

double stage_seconds(Stage s) {
  return static_cast<double>(g_nanoseconds[static_cast<int>(s)].load(std::memory_order_relaxed)) * 1e-9;
}

void StageTimeline::at(Stage s) {
  if (!on_) return;
  close();
  stage_ = s;
  outer_ = t_open;
  t_open = s;
  t0_ = std::chrono::steady_clock::now();
}

void StageTimeline::close() {
  if (!on_ || stage_ == Stage::kCount) return;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0_).count();
  g_nanoseconds[static_cast<int>(stage_)].fetch_add(ns, std::memory_order_relaxed);
  stage_ = Stage::kCount;
  t_open = outer_;
}

StageScope::StageScope(Stage s) : stage_(s), outer_(t_open), on_(stage_clock_enabled()) {
  if (!on_) return;
  t_open = s;
  t0_ = std::chrono::steady_clock::now();
}

StageScope::~StageScope() {
  if (!on_) return;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0_).count();
  g_nanoseconds[static_cast<int>(stage_)].fetch_add(ns, std::memory_order_relaxed);
  t_open = outer_;
}

}  // namespace zaya
