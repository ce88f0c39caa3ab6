// Builds ModelWeights from a model pack: matrices become views (Q4_G32,
// Q8_G32 or float) into the mapped file, small vectors are widened to fp32.
// The pack uses the checkpoint's own tensor names (see zaya_quantize), so the
// same forward pass runs on either.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "model/weights.h"
#include "pack/pack_reader.h"

namespace zaya::pack {

using PackProgress = std::function<void(double fraction, const std::string& stage)>;

// Checks header, table, names, dtypes and shapes; `verify` also recomputes
// every tensor checksum (reads the whole file), `prefault` touches every page.
// Throws PackError / LoadError / ConfigError, or Cancelled.
ModelWeights load_pack_model(const std::string& path, const PackProgress& progress = {},
                             const std::atomic<bool>* cancel = nullptr, bool prefault = true, bool verify = false);

// The same from an already parsed pack (the caller keeps `storage` alive:
// it is added to ModelWeights::storage).
ModelWeights weights_from_pack(const PackReader& reader, std::shared_ptr<const void> storage);

}  // namespace zaya::pack
