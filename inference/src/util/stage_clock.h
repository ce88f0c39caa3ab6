// Where the CPU forward pass spends its wall time, by stage, and how many
// times each stage makes the thread pool meet (every parallel_for is a
// barrier: the caller waits for the slowest share). `zaya-bench --profile`
// switches it on and prints both for decode and prefill; off (the default) a
// scope costs one relaxed atomic load. Scopes are taken on the thread that
// calls forward (its parallel_for shares are inside them).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace zaya {

enum class Stage : int {
  Projections,  // q, k, v_current, v_delayed, o (quantised or float matmuls)
  Convolution,  // CCA's depthwise and grouped convolutions
  QueryKey,     // mean residuals, qk-norm, RoPE, cache append
  Attention,    // scores, softmax, weighted values
  Router,       // router MLP, EDA, top-1
  Experts,      // the chosen experts' SwiGLU (gather, two matmuls, scatter)
  Residual,     // embedding, norms, residual merges
  Head,         // final norm and LM head
  kCount,
};

const char* stage_name(Stage s);
void enable_stage_clock(bool on);
bool stage_clock_enabled();
void reset_stage_clock();
double stage_seconds(Stage s);
// parallel_for calls made while `s` was the calling thread's open stage
// (calls outside every stage count under Stage::kCount).
std::int64_t stage_barriers(Stage s);
// Called by ThreadPool::parallel_for on the calling thread.
void count_stage_barrier();

class StageScope {
 public:
  explicit StageScope(Stage s);
  ~StageScope();
  StageScope(const StageScope&) = delete;
  StageScope& operator=(const StageScope&) = delete;

 private:
  Stage stage_;
  Stage outer_;  // the thread's open stage before this scope
  bool on_;
  std::chrono::steady_clock::time_point t0_;
};

// Consecutive stages of one function: at(s) closes the running stage and
// opens s; the destructor closes the last.
class StageTimeline {
 public:
  explicit StageTimeline(Stage first) : on_(stage_clock_enabled()) { at(first); }
  ~StageTimeline() { close(); }
  StageTimeline(const StageTimeline&) = delete;
  StageTimeline& operator=(const StageTimeline&) = delete;
  void at(Stage s);
  // Closes the running stage without opening another (a callee books its own).
  void pause() { close(); }

 private:
  void close();
  bool on_;
  Stage stage_ = Stage::kCount;
  Stage outer_ = Stage::kCount;  // the thread's open stage before this timeline
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace zaya
