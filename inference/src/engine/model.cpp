#include "zaya/model.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "cpu/cpu_backend.h"
#include "device/cuda_backend.h"
#include "io/safetensors.h"
#include "model/load_safetensors.h"
#include "pack/load_pack.h"
#include "pack/presets.h"
#include "quant/cpu_level.h"
#include "quant/interleave.h"
#include "zaya/device.h"

namespace zaya {

Model::~Model() = default;

const ModelConfig& Model::config() const { return weights_->config; }
std::string Model::device_description() const { return backend_->description(); }
std::uint64_t Model::weight_bytes() const { return weights_->storage_bytes; }
std::uint64_t Model::decode_bytes_per_token() const { return pack::decode_bytes_per_token(*weights_); }
KvCacheType Model::kv_cache_type() const { return backend_->kv_cache_type(); }

const char* kv_cache_type_name(KvCacheType type) {
  switch (type) {
    case KvCacheType::Auto: return "auto";
    case KvCacheType::F32: return "f32";
    case KvCacheType::F16: return "f16";
    case KvCacheType::Q8: return "q8";
  }
  return "?";
}

KvCacheType parse_kv_cache_type(const std::string& name) {
  for (KvCacheType t : {KvCacheType::Auto, KvCacheType::F32, KvCacheType::F16, KvCacheType::Q8})
    if (name == kv_cache_type_name(t)) return t;
  throw std::invalid_argument("unknown K/V cache type '" + name + "' (expected auto, f32, f16 or q8)");
}

std::uint64_t kv_cache_row_bytes(KvCacheType type, std::int64_t head_dim) {
  const auto d = static_cast<std::uint64_t>(head_dim);
  switch (type) {
    case KvCacheType::F16: return 2 * d;
    case KvCacheType::Q8: return d + sizeof(float);  // int8 values and the row's fp32 scale
    default: return 4 * d;
  }
}
std::optional<DeviceMemoryUse> Model::device_memory() const { return backend_->device_memory(); }
std::string Model::device_note() const { return device_note_.empty() ? cpu_fallback_note(*backend_) : device_note_; }

std::shared_ptr<Model> Model::from_weights(std::shared_ptr<const ModelWeights> weights, const LoadOptions& options) {
  std::shared_ptr<Model> m(new Model());
  m->weights_ = std::move(weights);
  if (options.device == DeviceKind::Cpu) {
    m->backend_ = std::make_unique<cpu::CpuBackend>(m->weights_, options.threads, options.progress, options.cpu_fast_layout,
                                                    options.kv_cache);
  } else {
    // The CUDA backend when the probe finds a usable GPU and the model fits,
    // else the CPU; device_note_ says why the GPU is not used.
    m->backend_ = create_backend(options.device == DeviceKind::Cuda ? DeviceChoice::Cuda : DeviceChoice::Auto,
                                 m->weights_, options.threads, CudaBackendOptions{}, &m->device_note_, options.progress,
                                 options.kv_cache);
  }
  return m;
}

std::shared_ptr<Model> Model::load(const std::string& dir, const LoadOptions& options) {
  if (std::filesystem::is_regular_file(dir)) {  // a model pack (zaya-quantize)
    // When the CPU backend will copy every quantised matrix into its own
    // layout, that copy reads the pages: reading them first as well is a
    // second pass over the whole pack.
    const bool cpu_copies = options.device == DeviceKind::Cpu && options.cpu_fast_layout &&
                            quant::prefers_interleaved(quant::default_cpu_level());
    auto w = std::make_shared<ModelWeights>(
        pack::load_pack_model(dir, options.progress, options.cancel, options.prefault && !cpu_copies, options.verify));
    return from_weights(std::move(w), options);
  }
  auto w = std::make_shared<ModelWeights>(load_safetensors_model(dir, options.progress, options.cancel, options.prefault));
  return from_weights(std::move(w), options);
}

MemoryEstimate estimate_memory(const ModelConfig& c, std::uint64_t weight_bytes, std::int64_t context_tokens,
                               std::int64_t prefill_chunk, KvCacheType kv_cache) {
  MemoryEstimate e;
  e.weight_bytes = weight_bytes;
  const std::uint64_t f = sizeof(float);
  e.kv_bytes_per_token = static_cast<std::uint64_t>(c.num_layers * 2 * c.num_kv_heads) * kv_cache_row_bytes(kv_cache, c.head_dim);
  const std::uint64_t fixed = static_cast<std::uint64_t>(c.num_layers * (c.conv_tail() * c.conv_channels() + c.value_half())) * f;
  // Sessions keep a copy of the fixed state every 256 positions (truncation).
  const std::uint64_t checkpoints = static_cast<std::uint64_t>(context_tokens / 256 + 2) * fixed;
  e.context_bytes = static_cast<std::uint64_t>(context_tokens) * e.kv_bytes_per_token + fixed + checkpoints;
  const std::int64_t S = std::max<std::int64_t>(1, prefill_chunk);
  const std::int64_t per_token = 6 * c.hidden_size + 9 * c.conv_channels() + 4 * c.moe_intermediate_size +
                                 5 * c.router_hidden_size + 2 * (c.num_experts + 1);
  e.scratch_bytes = static_cast<std::uint64_t>(S * per_token + 2 * c.vocab_size) * f +
                    static_cast<std::uint64_t>(context_tokens) * f * 16;  // attention scores
  e.total_bytes = e.weight_bytes + e.context_bytes + e.scratch_bytes;
  return e;
}

MemoryEstimate estimate_memory(const std::string& dir, std::int64_t context_tokens, std::int64_t prefill_chunk,
                               KvCacheType kv_cache) {
  namespace fs = std::filesystem;
  const ModelConfig c = load_config(dir);
  std::uint64_t bytes = 0;
  const fs::path index = fs::path(dir) / "model.safetensors.index.json";
  std::error_code ec;
  if (fs::exists(index)) {
    std::ifstream in(index, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    std::set<std::string> shards;
    for (const auto& [name, shard] : parse_safetensors_index(ss.str(), index.string())) shards.insert(shard);
    for (const auto& s : shards) {
      const auto n = fs::file_size(fs::path(dir) / s, ec);
      if (ec) throw LoadError((fs::path(dir) / s).string() + ": cannot read size: " + ec.message());
      bytes += n;
    }
  } else {
    bytes = fs::file_size(fs::path(dir) / "model.safetensors", ec);
    if (ec) throw LoadError((fs::path(dir) / "model.safetensors").string() + ": cannot read size: " + ec.message());
  }
  return estimate_memory(c, bytes, context_tokens, prefill_chunk, kv_cache);
}

}  // namespace zaya
