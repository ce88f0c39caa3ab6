// Deterministic random ZAYA1 checkpoints in the exact Hugging Face layout
// (config.json + model.safetensors, or shards + index json), for tests and
// benchmarks. Weights are written tensor by tensor in bounded chunks, so an
// 8B-shaped model never has to fit in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace zaya::synth {

enum class StorageType { BF16, F16, F32, F8_E4M3 };

struct SynthOptions {
  std::int64_t vocab_size = 512;
  std::int64_t hidden_size = 64;
  std::int64_t num_layers = 3;
  std::int64_t num_heads = 4;
  std::int64_t num_kv_heads = 2;
  std::int64_t head_dim = 16;
  std::int64_t num_experts = 4;
  std::int64_t moe_intermediate_size = 48;
  std::int64_t router_hidden_size = 32;
  std::int64_t cca_time0 = 2, cca_time1 = 2;
  double rope_theta = 5e6;
  double partial_rotary_factor = 0.5;
  std::int64_t bos_token_id = 2, eos_token_id = 106, pad_token_id = 0;
  std::uint64_t seed = 1;
  StorageType dtype = StorageType::BF16;         // matrices
  StorageType small_dtype = StorageType::BF16;   // norms, biases, scales, conv kernels
  bool fp8_experts = false;                      // experts as F8_E4M3 + per-row F32 weight_scale
  int shards = 1;                                // > 1: model-0000i-of-0000N.safetensors + index json
};

// "tiny", "small-vocab262k", "zaya1-8b"; returns false for an unknown name.
bool apply_preset(const std::string& name, SynthOptions* o);

// Writes the model into `out_dir` (created if needed). progress: bytes written
// so far and in total. Throws std::runtime_error on I/O failure.
void write_model(const SynthOptions& o, const std::string& out_dir,
                 const std::function<void(std::uint64_t done, std::uint64_t total)>& progress = {});

}  // namespace zaya::synth
