// zaya/quantize.h over the engine's quantiser and presets.
#include "zaya/quantize.h"

#include "pack/presets.h"
#include "pack/quantize.h"

namespace zaya {

std::vector<QuantizePresetInfo> quantize_presets() {
  std::vector<QuantizePresetInfo> out;
  for (const pack::NamedPreset& p : pack::named_presets()) out.push_back({p.name, p.description});
  return out;
}

std::uint64_t preset_bytes_per_token(const std::string& preset, const ModelConfig& config) {
  return pack::decode_bytes_per_token(pack::quantize_preset(preset), config);
}

std::uint64_t preset_pack_bytes(const std::string& preset, const ModelConfig& config) {
  return pack::pack_tensor_bytes(pack::quantize_preset(preset), config);
}

std::uint64_t quantize_to_pack(const std::string& model_dir, const std::string& out_path,
                               const QuantizeToPackOptions& options) {
  pack::QuantizeOptions o;
  o.preset = pack::quantize_preset(options.preset);
  o.threads = options.threads;
  o.progress = options.progress;
  return pack::quantize_checkpoint(model_dir, out_path, o).pack_bytes;
}

}  // namespace zaya
