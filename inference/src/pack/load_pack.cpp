#include "pack/load_pack.h"

#include <set>

#include "io/mapped_file.h"
#include "model/bind_tensors.h"
#include "kernels/convert.h"
#include "quant/quant_format.h"

namespace zaya::pack {

namespace {

std::string shape_str(const std::vector<std::int64_t>& s) {
  std::string r = "[";
  for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

class PackBinder {
 public:
  explicit PackBinder(const PackReader& r) : r_(r) {}

  const PackEntry& get(const std::string& name, const std::vector<std::int64_t>& shape) {
    const PackEntry* e = r_.find(name);
    if (!e || e->kind != EntryKind::Tensor)
      throw PackError(r_.source() + ": required tensor '" + name + "' is missing from the model pack");
    used_.insert(name);
    if (e->shape != shape)
      throw PackError(r_.source() + ": tensor '" + name + "' has shape " + shape_str(e->shape) + ", expected " + shape_str(shape));
    return *e;
  }

  std::vector<float> vec(const std::string& name, const std::vector<std::int64_t>& shape) {
    const PackEntry& e = get(name, shape);
    const auto b = r_.bytes(e);
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<float> out(static_cast<std::size_t>(n));
    switch (e.dtype) {
      case DType::F32:
      case DType::F16:
      case DType::BF16: quant::row_to_f32(e.dtype, b.data(), n, 1.0f, out.data()); break;
      default:
        throw PackError(r_.source() + ": tensor '" + name + "' has dtype " + dtype_name(e.dtype) + "; expected F32, F16 or BF16");
    }
    return out;
  }

  // BF16 (what the presets write) stays in the pack and is read as is;
  // F32 or F16 (packs written before the presets had a conv choice) is widened.
  void grouped_conv(const std::string& name, const std::vector<std::int64_t>& shape, std::vector<float>& f32, WeightMatrix& bf16) {
    const PackEntry& e = get(name, shape);
    if (e.dtype != DType::BF16) {
      f32 = vec(name, shape);
      return;
    }
    // [C, d, K1] seen as [C, d·K1]: one row per output channel.
    bf16 = WeightMatrix{};
    bf16.dtype = DType::BF16;
    bf16.rows = shape[0];
    bf16.cols = shape[1] * shape[2];
    bf16.data = r_.bytes(e).data();
    bf16.row_stride_bytes = static_cast<std::size_t>(bf16.cols) * 2;
  }

  WeightMatrix matrix(const std::string& name, std::int64_t rows, std::int64_t cols) {
    return checked_view(get(name, {rows, cols}), name);
  }

  std::vector<WeightMatrix> stacked(const std::string& name, std::int64_t E, std::int64_t rows, std::int64_t cols) {
    const WeightMatrix all = checked_view(get(name, {E, rows, cols}), name);
    std::vector<WeightMatrix> out;
    for (std::int64_t e = 0; e < E; ++e) out.push_back(all.row_slice(e * rows, rows));
    return out;
  }

  void check_no_extras() const {
    for (const PackEntry& e : r_.entries())
      if (e.kind == EntryKind::Tensor && !used_.count(e.name))
        throw PackError(r_.source() + ": unexpected tensor '" + e.name + "' (not part of a ZAYA1 model of this config)");
  }

 private:
  WeightMatrix checked_view(const PackEntry& e, const std::string& name) {
    if (e.dtype == DType::F8_E4M3)
      throw PackError(r_.source() + ": tensor '" + name + "' is F8_E4M3; packs hold Q4_G32, Q8_G32 or float matrices");
    return r_.matrix(e);
  }

  const PackReader& r_;
  std::set<std::string> used_;
};

}  // namespace

ModelWeights weights_from_pack(const PackReader& reader, std::shared_ptr<const void> storage) {
  ModelWeights w;
  if (!reader.find("config.json")) throw PackError(reader.source() + ": model pack has no config.json");
  w.config = parse_config(reader.blob_text("config.json"), reader.source() + ":config.json");
  PackBinder b(reader);
  bind_model_tensors(b, w);
  b.check_no_extras();
  validate_weights(w, reader.source());
  for (const PackEntry& e : reader.entries()) w.storage_bytes += e.size;
  w.storage.push_back(std::move(storage));
  return w;
}

ModelWeights load_pack_model(const std::string& path, const PackProgress& progress, const std::atomic<bool>* cancel,
                             bool prefault, bool verify) {
  auto report = [&](double f, const std::string& stage) {
    if (progress) progress(f, stage);
    if (cancel && cancel->load()) throw Cancelled();
  };
  report(0.0, "reading model pack");
  auto pack = std::make_shared<MappedPack>(path);
  const PackReader& r = pack->reader();
  ModelWeights w = weights_from_pack(r, pack);
  if (prefault || verify) {
    // By bytes, so the bar moves evenly; verifying reads every byte anyway.
    std::uint64_t total = 1, done = 0;
    for (const PackEntry& e : r.entries()) total += e.size;
    for (const PackEntry& e : r.entries()) {
      if (verify) {
        r.verify(e);
      } else {
        const auto b = r.bytes(e);
        volatile unsigned char sink = 0;
        for (std::size_t q = 0; q < b.size(); q += 4096) sink = sink + static_cast<unsigned char>(b[q]);
        (void)sink;
      }
      done += e.size;
      report(static_cast<double>(done) / static_cast<double>(total), verify ? "verifying weights" : "reading weights");
    }
  }
  report(1.0, "ready");
  return w;
}

}  // namespace zaya::pack
