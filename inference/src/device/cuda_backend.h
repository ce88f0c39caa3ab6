// Creating inference backends: the CPU reference, or the CUDA backend in the
// run-time-loaded libzaya_cuda.so (found by probe_cuda(), zaya/device.h).
// The library exports one C factory; engine and library come from the same
// build, so C++ objects cross the boundary, guarded by an ABI number.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "device/cuda_backend_abi.h"
#include "engine/backend.h"
#include "model/weights.h"

namespace zaya {

struct CudaBackendOptions {
  int device = 0;                       // CUDA device index
  bool exact = false;                   // fp32 activations and fp32 K/V (golden-exact); false: fast mode
                                        // (bf16 tensor-core GEMMs in prefill, fp16 K/V)
  std::int64_t max_chunk = 2048;        // prefill tokens per pass; longer prompts are split
  std::int64_t reserve_context = 8192;  // K/V positions of one sequence counted in the memory estimate
  bool use_graphs = true;               // decode steps replay a captured CUDA graph
};

// Exported by libzaya_cuda.so as "zaya_cuda_create_backend". Returns a new
// backend (owned by the caller), or nullptr with a message in `error`.
using CudaCreateBackendFn = Backend* (*)(int abi, const std::shared_ptr<const ModelWeights>* weights,
                                         const CudaBackendOptions* options, char* error, int error_len);

// The CUDA backend, or nullptr with *error saying why (no device, library
// from another build, not enough device memory, a CUDA failure).
std::unique_ptr<Backend> create_cuda_backend(std::shared_ptr<const ModelWeights> weights,
                                             const CudaBackendOptions& options, std::string* error);

// Wraps a GPU backend so that a device failure during a forward pass (a
// zaya::Error other than LoadError; Cancelled and bad input pass through)
// moves every sequence to a CPU backend over the same weights: the sequence's
// tokens so far are replayed there and the failed request runs on the CPU.
// One message goes to stderr; description() says so from then on.
// kv_cache_type() reports `gpu_kv_cache` (the GPU's own cache: fp16 unless
// CudaBackendOptions::exact) until then, and the CPU's, `cpu_kv_cache`
// resolved (cpu::resolve_kv_cache_type), after.
std::unique_ptr<Backend> with_cpu_fallback(std::unique_ptr<Backend> gpu, std::shared_ptr<const ModelWeights> weights,
                                           int cpu_threads, KvCacheType gpu_kv_cache = KvCacheType::F16,
                                           KvCacheType cpu_kv_cache = KvCacheType::Auto);

// For a backend made by with_cpu_fallback() whose GPU failed: why it now runs
// on the CPU, in words ("the GPU failed during generation (…); continuing on
// the CPU"). "" for any other backend, or while the GPU works.
std::string cpu_fallback_note(const Backend& backend);

// The device's measured device-to-device copy bandwidth in GB/s (`bytes`
// copied `repeats` times), through the loaded backend library; throws
// zaya::Error when there is no usable device.
double measure_cuda_copy_gbs(std::size_t bytes = std::size_t{1} << 30, int repeats = 20);

enum class DeviceChoice { Cpu, Cuda, Auto };

// "cpu", "cuda" or "auto"; throws std::invalid_argument naming the value otherwise.
DeviceChoice parse_device_choice(std::string_view text);

// Cpu → the CPU backend. Cuda or Auto → the CUDA backend when the probe says
// Available and it can be created, else the CPU backend with
// *fallback_reason (optional; cleared otherwise) saying why. A CUDA backend
// comes wrapped so that a device failure during generation moves the
// sequences to the CPU (one message on stderr, description() says so)
// instead of failing the session.
// `cpu_kv_cache`: the CPU backend's K/V cache element type (Auto: by the weights).
std::unique_ptr<Backend> create_backend(DeviceChoice choice, std::shared_ptr<const ModelWeights> weights,
                                        int cpu_threads, const CudaBackendOptions& options,
                                        std::string* fallback_reason,
                                        const std::function<void(double, const std::string&)>& cpu_progress = {},
                                        KvCacheType cpu_kv_cache = KvCacheType::Auto);

}  // namespace zaya
