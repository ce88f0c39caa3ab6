// The GPU → CPU fallback of device/cuda_backend.h: a CUDA backend wrapped so
// that a device failure during a forward pass moves every sequence to a CPU
// backend over the same weights, by replaying its tokens there.
#include <cstdio>
#include <mutex>

#include "cpu/cpu_backend.h"
#include "device/cuda_backend.h"
#include "zaya/errors.h"

namespace zaya {
namespace {

// Runs on the CUDA backend until it fails with a device error (zaya::Error
// from a CUDA call: lost device, out of memory, a kernel fault), then moves
// every sequence to the CPU by replaying its tokens there. Bad input and
// cancellation pass through unchanged.
class FallbackBackend final : public Backend {
 public:
  FallbackBackend(std::unique_ptr<Backend> gpu, std::shared_ptr<const ModelWeights> weights, int cpu_threads,
                  KvCacheType gpu_kv_cache, KvCacheType cpu_kv_cache)
      : gpu_(std::move(gpu)),
        weights_(std::move(weights)),
        cpu_threads_(cpu_threads),
        gpu_kv_cache_(gpu_kv_cache),
        cpu_kv_cache_(cpu_kv_cache) {}

  const ModelConfig& config() const override { return weights_->config; }
  // Why this backend now runs on the CPU; "" while the GPU works.
  std::string cpu_note() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cpu_ ? "the GPU failed during generation (" + failure_ + "); continuing on the CPU" : std::string();
  }
  std::string description() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return cpu_ ? cpu_->description() + " — the GPU failed: " + failure_ : gpu_->description();
  }
  KvCacheType kv_cache_type() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return cpu_ ? cpu_->kv_cache_type() : gpu_kv_cache_;
  }
  std::unique_ptr<SequenceState> new_sequence() override {
    auto s = std::make_unique<State>();
    s->owner = this;
    if (failed()) {
      s->inner = cpu_->new_sequence();
      s->on_cpu = true;
    } else {
      s->inner = gpu_->new_sequence();
    }
    return s;
  }
  void forward(SequenceState& base, const ForwardRequest& req) override {
    auto& s = dynamic_cast<State&>(base);
    if (!s.on_cpu && !failed()) {
      try {
        gpu_->forward(*s.inner, req);
        s.history.insert(s.history.end(), req.ids.begin(), req.ids.end());
        return;
      } catch (const Cancelled&) {
        throw;
      } catch (const LoadError&) {
        throw;
      } catch (const Error& e) {
        switch_to_cpu(e.what());
      }
    }
    if (!s.on_cpu) move_to_cpu(s);
    cpu_->forward(*s.inner, req);
    s.history.insert(s.history.end(), req.ids.begin(), req.ids.end());
  }

 private:
  // Checkpoints carry one extra value: which backend's layout the rest has.
  static constexpr float kGpuLayout = 0.0f, kCpuLayout = 1.0f;

  struct State final : SequenceState {
    FallbackBackend* owner = nullptr;
    std::unique_ptr<SequenceState> inner;
    std::vector<TokenId> history;  // every token fed so far, for a replay on the CPU
    bool on_cpu = false;
    std::int64_t length() const override { return inner->length(); }
    StateCheckpoint checkpoint() const override {
      StateCheckpoint c = inner->checkpoint();
      c.fixed_state.push_back(on_cpu ? kCpuLayout : kGpuLayout);
      return c;
    }
    void restore(const StateCheckpoint& c) override {
      if (c.fixed_state.empty() || c.length > static_cast<std::int64_t>(history.size()))
        throw std::logic_error("restore: checkpoint does not belong to this state");
      const bool cpu_layout = c.fixed_state.back() == kCpuLayout;
      if (cpu_layout == on_cpu) {
        StateCheckpoint own{c.length, std::vector<float>(c.fixed_state.begin(), c.fixed_state.end() - 1)};
        inner->restore(own);
        history.resize(static_cast<std::size_t>(c.length));
        return;
      }
      // Taken on the GPU before the move to the CPU: rebuild by replay.
      history.resize(static_cast<std::size_t>(c.length));
      inner->reset();
      owner->replay(*this);
    }
    void reset() override {
      inner->reset();
      history.clear();
    }
  };

  bool failed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cpu_ != nullptr;
  }

  void switch_to_cpu(const std::string& why) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cpu_) return;
    failure_ = why;
    std::fprintf(stderr, "zaya: the GPU backend failed (%s); continuing on the CPU\n", why.c_str());
    cpu_ = std::make_unique<cpu::CpuBackend>(weights_, cpu_threads_, cpu::LoadProgress{}, true, cpu_kv_cache_);
  }

  void move_to_cpu(State& s) {
    s.inner = cpu_->new_sequence();
    s.on_cpu = true;
    replay(s);
  }

  void replay(State& s) {
    if (s.history.empty()) return;
    ForwardRequest r;
    r.ids = s.history;
    cpu_->forward(*s.inner, r);
  }

  std::unique_ptr<Backend> gpu_;
  std::shared_ptr<const ModelWeights> weights_;
  int cpu_threads_;
  KvCacheType gpu_kv_cache_;  // what the GPU backend keeps
  KvCacheType cpu_kv_cache_;  // asked of the CPU backend after a failure (Auto: by the weights)
  mutable std::mutex mutex_;
  std::unique_ptr<cpu::CpuBackend> cpu_;
  std::string failure_;
};

}  // namespace

std::unique_ptr<Backend> with_cpu_fallback(std::unique_ptr<Backend> gpu, std::shared_ptr<const ModelWeights> weights,
                                           int cpu_threads, KvCacheType gpu_kv_cache, KvCacheType cpu_kv_cache) {
  return std::make_unique<FallbackBackend>(std::move(gpu), std::move(weights), cpu_threads, gpu_kv_cache, cpu_kv_cache);
}

std::string cpu_fallback_note(const Backend& backend) {
  const auto* fallback = dynamic_cast<const FallbackBackend*>(&backend);
  return fallback ? fallback->cpu_note() : std::string();
}

}  // namespace zaya
