// The CUDA implementation of zaya::Backend (engine/backend.h).
//
// Prefill: chunks of up to max_chunk tokens; dense projections as GEMMs
// (cuBLAS bf16 tensor cores in the fast mode, an fp32 SIMT kernel in the
// exact mode); tokens grouped by their routed expert so each expert runs one
// GEMM per chunk (the group sizes are the one device→host read per layer).
// Decode: one token per step through fused GEMV kernels, the router's top-1
// choice read by the expert kernels from device memory, the whole step
// captured once as a CUDA graph and replayed; logits and the routing trace
// come back through pinned host buffers in the same stream.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "device/cuda_backend.h"
#include "device_model.h"
#include "engine/backend.h"

namespace zaya::cuda {

class CudaBackend;

// A device allocation freed with its owner.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& o) noexcept : p_(o.p_), bytes_(o.bytes_) { o.p_ = nullptr, o.bytes_ = 0; }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
  template <typename T>
  T* as() const { return static_cast<T*>(p_); }
  std::size_t bytes() const { return bytes_; }

 private:
  void* p_ = nullptr;
  std::size_t bytes_ = 0;
};

class CudaSequenceState final : public SequenceState {
 public:
  CudaSequenceState(CudaBackend& backend);
  ~CudaSequenceState() override;
  std::int64_t length() const override { return length_; }
  StateCheckpoint checkpoint() const override;
  void restore(const StateCheckpoint& c) override;
  void reset() override;

  // Grows the K/V caches (contents kept) to at least `positions`; drops the
  // captured graph. Caller holds the backend's mutex.
  void reserve(std::int64_t positions);
  void reset_locked();
  void* k_cache(std::size_t layer) const;  // [capacity, nkv, d] fp32 or fp16
  void* v_cache(std::size_t layer) const;
  float* tail(std::size_t layer) const;    // [Tc, ldu]

  CudaBackend& backend_;
  std::int64_t length_ = 0;
  std::int64_t capacity_ = 0;
  DeviceBuffer k_, v_;     // [L, capacity, nkv, d]
  DeviceBuffer tails_;     // [L, Tc, ldu] fp32
  cudaGraphExec_t graph_ = nullptr;  // decode step for (capacity_, graph_logits_)
  bool graph_logits_ = false;
};

class CudaBackend final : public Backend {
 public:
  CudaBackend(std::shared_ptr<const ModelWeights> weights, const CudaBackendOptions& options);
  ~CudaBackend() override;

  const ModelConfig& config() const override { return weights_->config; }
  std::string description() const override;
  std::optional<DeviceMemoryUse> device_memory() const override;
  std::unique_ptr<SequenceState> new_sequence() override;
  void forward(SequenceState& state, const ForwardRequest& request) override;

  // Device bytes needed for these weights and options (weights, work
  // buffers, one sequence of reserve_context positions).
  static std::uint64_t estimate_bytes(const ModelWeights& w, const CudaBackendOptions& o);

  const CudaBackendOptions& options() const { return options_; }
  std::size_t kv_bytes_per_position() const;  // all layers, K and V
  std::int64_t tail_floats() const;           // per layer: Tc · ldu
  cudaStream_t stream() const { return stream_; }

 private:
  friend class CudaSequenceState;
  void release();  // pinned buffers, cuBLAS handle, stream
  void stage(const char* name);  // profiling: marks the end of a decode stage
  void collect_stages();
  void prefill(CudaSequenceState& st, const ForwardRequest& req);
  void decode(CudaSequenceState& st, const ForwardRequest& req);
  void enqueue_decode_step(CudaSequenceState& st, bool logits);  // the kernels of one decode step
  int decode_splits(std::int64_t capacity) const;
  // y[S, ldy] = W · x for S rows: GEMV, cuBLAS (fast) or the fp32 GEMM.
  void linear(const DMat& w, const float* x, const std::uint16_t* x16, std::int64_t S, float* y, std::int64_t ldy);
  void trace_out(const ForwardRequest& req, const std::string& name, const float* dev, std::vector<std::int64_t> shape);

  std::shared_ptr<const ModelWeights> weights_;
  CudaBackendOptions options_;
  std::string device_name_;
  bool tensor_cores_ = false;  // bf16 cuBLAS GEMMs usable (fast mode, sm_80+)
  cudaStream_t stream_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  std::unique_ptr<DeviceModel> model_;
  std::mutex mutex_;
  bool profile_ = false, capturing_ = false;
  std::vector<std::pair<std::string, cudaEvent_t>> marks_;
  std::map<std::string, double> stage_ms_;
  int profiled_steps_ = 0;

  // Work buffers, sized for max_chunk tokens.
  std::int64_t Smax_ = 0, ldu_ = 0, head_rows_ = 0, max_splits_ = 64;
  DeviceBuffer h_, r_, x_, a_, xg_, yg_;      // [Smax, H]
  DeviceBuffer x16_, xg16_;                   // [Smax, H] bf16
  DeviceBuffer u_;                            // [Smax, ldu]
  DeviceBuffer q_, ctx_, ctx16_;              // [Smax, QW] (ctx16 bf16)
  DeviceBuffer gu_;                           // [Smax, 2I]
  DeviceBuffer act_, act16_;                  // [Smax, I]
  DeviceBuffer rho_, tmp_, z_, z1_, z2_;      // [Smax, D]
  DeviceBuffer z16_, z116_;                   // [Smax, D] bf16
  DeviceBuffer choice_, perm_, offsets_;      // [Smax] int, [Smax] int, [E+2] int
  DeviceBuffer weight_;                       // [Smax]
  DeviceBuffer routing_;                      // [Smax, L] RoutingDecision
  DeviceBuffer logits_;                       // [head_rows, V]
  DeviceBuffer partial_;                      // [nq, max_splits, d+2]
  DeviceBuffer dequant_;                      // bf16 weights for cuBLAS (fast mode)
  std::int64_t dequant_capacity_ = 0;         // elements
  DeviceBuffer params_;                       // int [Smax + 2]: ids, then p0, then the greedy id
  DeviceBuffer tail_backup_;                  // [L, Tc, ldu] undo copy during prefill
  // Pinned host mirrors.
  int* h_params_ = nullptr;                   // [Smax + 2]
  int* h_offsets_ = nullptr;                  // [E+2]
  float* h_logits_ = nullptr;                 // [V]
  RoutingDecision* h_routing_ = nullptr;      // [L]
};

}  // namespace zaya::cuda
