// zaya/quantize.h over the engine's quantiser.
#include "zaya/quantize.h"

#include "pack/quantize.h"

namespace zaya {

std::uint64_t quantize_to_pack(const std::string& model_dir, const std::string& out_path,
                               const QuantizeToPackOptions& options) {
  pack::QuantizeOptions o;
  o.preset = pack::quantize_preset(options.preset);
  o.threads = options.threads;
  o.progress = options.progress;
  return pack::quantize_checkpoint(model_dir, out_path, o).pack_bytes;
}

}  // namespace zaya
