// A fixed set of worker threads that split index ranges between them.
//
// parallel_for(n, fn) calls fn(begin, end) on disjoint ranges covering
// [0, n); the calling thread takes one share itself and returns when every
// range is done. A call made from inside a worker runs inline (no nesting),
// so kernels may call each other freely. One parallel_for at a time per pool:
// calls from different threads are serialised.
//
// A decode step makes ~440 calls of a few microseconds each. Waking a
// sleeping thread through the kernel costs 10-25 µs (more in a VM), so both
// sides first spin for kSpin on an atomic (the next call usually comes within
// microseconds) and only then sleep on a condition variable: an idle pool
// costs no CPU, a busy one no system calls.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace zaya {

class ThreadPool {
 public:
  // threads <= 0: one per hardware thread.
  explicit ThreadPool(int threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Splits [0, n) into at most size() contiguous ranges. `min_chunk` keeps
  // tiny ranges on one thread where waking workers would cost more.
  void parallel_for(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& fn,
                    std::int64_t min_chunk = 1);

  // How long a thread polls before it sleeps: longer than the gap between
  // two calls of one forward pass, short enough to leave an idle core alone.
  static constexpr std::chrono::microseconds kSpin{200};

 private:
  void worker_loop(int index);

  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // one parallel_for at a time
  std::mutex mutex_;       // guards the sleeping side: sleepers_, stop_ and the condition variables
  std::condition_variable wake_;
  std::condition_variable done_;
  // The job, written before generation_ is advanced (release) and read after
  // it is seen (acquire).
  const std::function<void(std::int64_t, std::int64_t)>* job_ = nullptr;
  std::int64_t job_n_ = 0;
  int job_parts_ = 0;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> pending_{0};  // worker shares of the current job not finished yet
  int sleepers_ = 0;             // workers waiting on wake_
  std::atomic<bool> stop_{false};
};

}  // namespace zaya
