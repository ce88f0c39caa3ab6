#include "util/thread_pool.h"

#include "util/stage_clock.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace zaya {
namespace {

thread_local bool t_inside_pool = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Polls `done` for up to ThreadPool::kSpin; true when it became true.
template <typename Done>
bool spin_until(const Done& done) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0;; ++i) {
    if (done()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() - start > ThreadPool::kSpin) return done();
  }
}

void part_range(std::int64_t n, int parts, int index, std::int64_t* begin, std::int64_t* end) {
  *begin = n * index / parts;
  *end = n * (index + 1) / parts;
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true, std::memory_order_release);
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::parallel_for(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& fn,
                              std::int64_t min_chunk) {
  if (n <= 0) return;
  const std::int64_t by_chunk = std::max<std::int64_t>(1, n / std::max<std::int64_t>(1, min_chunk));
  const int parts = static_cast<int>(std::min<std::int64_t>(size(), by_chunk));
  if (parts <= 1 || t_inside_pool || workers_.empty()) {
    fn(0, n);
    return;
  }
  count_stage_barrier();
  std::lock_guard<std::mutex> call_lock(call_mutex_);
  job_ = &fn;
  job_n_ = n;
  job_parts_ = parts;
  // Workers past `parts` see the job too and only skip it, so every worker
  // counts itself out: pending_ is the number of workers, not of shares.
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  bool anyone_sleeping;
  {
    // Under the mutex, so a worker about to sleep either sees the new
    // generation in its wait predicate or is counted in sleepers_.
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1, std::memory_order_release);
    anyone_sleeping = sleepers_ > 0;
  }
  if (anyone_sleeping) wake_.notify_all();
  t_inside_pool = true;
  std::int64_t b, e;
  part_range(n, parts, 0, &b, &e);
  fn(b, e);
  t_inside_pool = false;
  const auto finished = [this] { return pending_.load(std::memory_order_acquire) == 0; };
  if (!spin_until(finished)) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, finished);
  }
  job_ = nullptr;
}

void ThreadPool::worker_loop(int index) {
  t_inside_pool = true;
  std::uint64_t seen = 0;
  for (;;) {
    const auto has_news = [&] {
      return generation_.load(std::memory_order_acquire) != seen || stop_.load(std::memory_order_acquire);
    };
    if (!spin_until(has_news)) {
      std::unique_lock<std::mutex> lock(mutex_);
      ++sleepers_;
      wake_.wait(lock, has_news);
      --sleepers_;
    }
    if (stop_.load(std::memory_order_acquire)) return;
    seen = generation_.load(std::memory_order_acquire);
    const int parts = job_parts_;
    if (index < parts) {
      std::int64_t b, e;
      part_range(job_n_, parts, index, &b, &e);
      (*job_)(b, e);
    }
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // The caller may have gone to sleep: wake it (cheap when it has not).
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
  }
}

}  // namespace zaya
