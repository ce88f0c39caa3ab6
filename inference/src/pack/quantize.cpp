#include "pack/quantize.h"

#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "io/safetensors.h"
#include "kernels/convert.h"
#include "pack/pack_reader.h"
#include "pack/pack_writer.h"
#include "quant/quant_format.h"
#include "zaya/config.h"
#include "zaya/model_files.h"

namespace zaya::pack {

namespace fs = std::filesystem;

double GroupError::relative() const { return reference_sq > 0 ? std::sqrt(error_sq / reference_sq) : 0.0; }

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Gives the pages of a finished source range back (the file stays in the
// page cache); keeps the converter's RSS at about one tensor.
void release(const void* p, std::size_t n) {
  const auto page = static_cast<std::uintptr_t>(4096);
  auto b = reinterpret_cast<std::uintptr_t>(p) & ~(page - 1);
  const auto e = reinterpret_cast<std::uintptr_t>(p) + n;
  if (e > b) madvise(reinterpret_cast<void*>(b), e - b, MADV_DONTNEED);
}

std::size_t elem_size(DType t) {
  switch (t) {
    case DType::F32: return 4;
    case DType::F16:
    case DType::BF16: return 2;
    case DType::F8_E4M3: return 1;
    default: return 0;
  }
}

void refuse_mxfp4(const std::string& dir) {
  std::ifstream in(fs::path(dir) / "config.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.contains("quantization_config")) return;
  std::string q = j["quantization_config"].dump();
  std::transform(q.begin(), q.end(), q.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (q.find("mxfp4") != std::string::npos)
    throw LoadError(dir + "/config.json: this is an MXFP4-experts checkpoint, which zaya-quantize does not read; "
                          "convert Zyphra/ZAYA1-8B (bf16) or Zyphra/ZAYA1-8B-FP8-Experts instead");
}

class Converter {
 public:
  Converter(const Checkpoint& ck, PackWriter& w, const QuantizeOptions& o)
      : ck_(ck), w_(w), o_(o), threads_(o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {}

  void quantized(const std::string& name, const Checkpoint::Tensor& t, DType to, GroupError& err) {
    const TensorInfo& info = t.info;
    if (info.dtype != DType::F32 && info.dtype != DType::F16 && info.dtype != DType::BF16 && info.dtype != DType::F8_E4M3)
      throw LoadError(t.file->path() + ": tensor '" + name + "' has dtype " + dtype_name(info.dtype) + ", which cannot be quantised");
    std::int64_t rows = 1;
    for (std::size_t i = 0; i + 1 < info.shape.size(); ++i) rows *= info.shape[i];
    const std::int64_t cols = info.shape.back();
    const float* row_scales = nullptr;  // F8: [rows] fp32 weight_scale
    if (info.dtype == DType::F8_E4M3) {
      const auto* s = ck_.find(name + ".weight_scale");
      if (!s) throw LoadError(t.file->path() + ": F8_E4M3 tensor '" + name + "' has no '" + name + ".weight_scale'");
      if (s->info.dtype != DType::F32 || s->info.numel() != rows)
        throw LoadError(s->file->path() + ": '" + name + ".weight_scale' must be F32 with one value per row (" +
                        std::to_string(rows) + ")");
      row_scales = reinterpret_cast<const float*>(s->data);
    }
    const std::size_t src_row = static_cast<std::size_t>(cols) * elem_size(info.dtype);
    const std::size_t q_row = quant::data_row_bytes(to, cols), s_row = quant::scale_row_bytes(to, cols);
    const std::int64_t G = quant::groups_per_row(cols);
    std::vector<std::uint16_t> scales(static_cast<std::size_t>(rows * G));  // [rows, G] fp16, written after the data
    constexpr std::int64_t kSlab = 256;
    std::vector<std::byte> slab(static_cast<std::size_t>(kSlab) * q_row);
    w_.begin_tensor(name, to, info.shape);
    std::vector<GroupError> part(static_cast<std::size_t>(threads_));
    for (std::int64_t r0 = 0; r0 < rows; r0 += kSlab) {
      const std::int64_t n = std::min(kSlab, rows - r0);
      auto work = [&](int ti) {
        std::vector<float> f(static_cast<std::size_t>(cols)), back(static_cast<std::size_t>(cols));
        GroupError& e = part[static_cast<std::size_t>(ti)];
        for (std::int64_t i = ti; i < n; i += threads_) {
          const std::int64_t r = r0 + i;
          float rs = 1.0f;
          if (row_scales) std::memcpy(&rs, row_scales + r, 4);
          quant::row_to_f32(info.dtype, t.data + static_cast<std::size_t>(r) * src_row, cols, rs, f.data());
          std::byte* q = slab.data() + static_cast<std::size_t>(i) * q_row;
          std::uint16_t* sc = scales.data() + r * G;
          quant::quantize_row(to, f.data(), cols, q, sc);
          WeightMatrix one;
          one.dtype = to;
          one.rows = 1;
          one.cols = cols;
          one.data = q;
          one.row_stride_bytes = q_row;
          one.scales = sc;
          one.scale_row_stride_bytes = s_row;
          quant::dequantize_quant_row(one, 0, back.data());
          for (std::int64_t c = 0; c < cols; ++c) {
            const double d = static_cast<double>(back[c]) - f[c];
            e.error_sq += d * d;
            e.reference_sq += static_cast<double>(f[c]) * f[c];
          }
        }
      };
      std::vector<std::thread> pool;
      for (int ti = 1; ti < threads_; ++ti) pool.emplace_back(work, ti);
      work(0);
      for (auto& th : pool) th.join();
      w_.append(std::span<const std::byte>(slab.data(), static_cast<std::size_t>(n) * q_row));
      release(t.data + static_cast<std::size_t>(r0) * src_row, static_cast<std::size_t>(n) * src_row);
      progress(static_cast<std::uint64_t>(n) * src_row, name);
    }
    const quant::QuantLayout l = quant::quant_layout(to, rows, cols);
    static const std::byte zeros[64] = {};
    w_.append(std::span<const std::byte>(zeros, l.scales_offset - l.data_bytes));
    w_.append(std::as_bytes(std::span(scales)));
    w_.end_tensor();
    for (const GroupError& e : part) {
      err.error_sq += e.error_sq;
      err.reference_sq += e.reference_sq;
    }
    err.weights += rows * cols;
  }

  // Matrices whose group keeps its float type: the checkpoint's own bytes.
  void copied(const std::string& name, const Checkpoint::Tensor& t) {
    if (t.info.dtype != DType::F32 && t.info.dtype != DType::F16 && t.info.dtype != DType::BF16)
      throw LoadError(t.file->path() + ": tensor '" + name + "' has dtype " + dtype_name(t.info.dtype) + "; expected F32, F16 or BF16");
    const std::size_t n = t.info.end - t.info.begin;
    w_.add_tensor(name, t.info.dtype, t.info.shape, std::span<const std::byte>(t.data, n));
    release(t.data, n);
    progress(n, name);
  }

  // Conv kernels in BF16: rounded to nearest even (exact for a bf16
  // checkpoint); the rounding error is reported under `err`.
  void narrowed(const std::string& name, const Checkpoint::Tensor& t, GroupError& err) {
    if (t.info.dtype != DType::F32 && t.info.dtype != DType::F16 && t.info.dtype != DType::BF16)
      throw LoadError(t.file->path() + ": tensor '" + name + "' has dtype " + dtype_name(t.info.dtype) + "; expected F32, F16 or BF16");
    std::vector<float> f(static_cast<std::size_t>(t.info.numel()));
    quant::row_to_f32(t.info.dtype, t.data, t.info.numel(), 1.0f, f.data());
    std::vector<std::uint16_t> b(f.size());  // [numel] bf16, the tensor's shape
    for (std::size_t i = 0; i < f.size(); ++i) {
      b[i] = f32_to_bf16(f[i]);
      const double e = static_cast<double>(bf16_to_f32(b[i])) - f[i];
      err.error_sq += e * e;
      err.reference_sq += static_cast<double>(f[i]) * f[i];
    }
    err.weights += t.info.numel();
    w_.add_tensor(name, DType::BF16, t.info.shape, std::as_bytes(std::span(b)));
    progress(t.info.end - t.info.begin, name);
  }

  // Small vectors (and conv kernels under an F32 conv choice): widened to F32.
  void widened(const std::string& name, const Checkpoint::Tensor& t) {
    if (t.info.dtype != DType::F32 && t.info.dtype != DType::F16 && t.info.dtype != DType::BF16)
      throw LoadError(t.file->path() + ": tensor '" + name + "' has dtype " + dtype_name(t.info.dtype) + "; expected F32, F16 or BF16");
    std::vector<float> f(static_cast<std::size_t>(t.info.numel()));
    quant::row_to_f32(t.info.dtype, t.data, t.info.numel(), 1.0f, f.data());
    w_.add_tensor(name, DType::F32, t.info.shape, std::as_bytes(std::span(f)));
    progress(t.info.end - t.info.begin, name);
  }

  void set_total(std::uint64_t total) { total_ = std::max<std::uint64_t>(1, total); }

 private:
  void progress(std::uint64_t bytes, const std::string& name) {
    done_ += bytes;
    if (o_.progress) o_.progress(static_cast<double>(done_) / static_cast<double>(total_), name);
  }

  const Checkpoint& ck_;
  PackWriter& w_;
  const QuantizeOptions& o_;
  int threads_;
  std::uint64_t total_ = 1, done_ = 0;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

QuantizeResult quantize_checkpoint(const std::string& model_dir, const std::string& out_path, const QuantizeOptions& o) {
  refuse_mxfp4(model_dir);
  const std::string config_text = read_text(fs::path(model_dir) / "config.json");
  parse_config(config_text, model_dir + "/config.json");  // validates before any work
  const Checkpoint ck = Checkpoint::open(model_dir);
  for (const auto& [name, t] : ck.tensors())
    if (ends_with(name, "_blocks") || t.info.dtype == DType::Q4_G32 || t.info.dtype == DType::Q8_G32)
      throw LoadError(t.file->path() + ": tensor '" + name + "' is in a packed 4-bit layout (MXFP4?) that zaya-quantize does not read");

  QuantizeResult result;
  {
    PackWriter w(out_path);
    w.add_blob("config.json", config_text);
    // Tokenizer and chat files travel inside the pack (read back by read_model_file).
    for (std::string_view f : carried_tokenizer_files())
      if (fs::exists(fs::path(model_dir) / f)) w.add_blob("tokenizer/" + std::string(f), read_text(fs::path(model_dir) / f));
    for (std::string_view f : carried_chat_files())
      if (fs::exists(fs::path(model_dir) / f)) w.add_blob("chat/" + std::string(f), read_text(fs::path(model_dir) / f));
    nlohmann::json made;
    for (const auto& [key, value] : preset_fields(o.preset)) made[key] = value;
    made["source"] = fs::path(model_dir).filename().string();
    w.add_blob("pack.json", made.dump());
    Converter conv(ck, w, o);
    std::uint64_t total = 0;
    for (const auto& [name, t] : ck.tensors()) total += t.info.end - t.info.begin;
    conv.set_total(total);
    for (const auto& [name, t] : ck.tensors()) {
      if (ends_with(name, ".weight_scale")) continue;  // folded into its F8 tensor
      const TensorGroup g = tensor_group(name);
      const DType to = pack_dtype(o.preset, g, t.info.dtype);
      if (quant::is_quantized(to)) conv.quantized(name, t, to, result.groups[group_name(g)]);
      else if (g == TensorGroup::Conv && to == DType::BF16) conv.narrowed(name, t, result.groups[group_name(g)]);
      else if (g == TensorGroup::Vector || g == TensorGroup::Conv) conv.widened(name, t);
      else conv.copied(name, t);  // a matrix kept in the checkpoint's own float type
      ++result.tensors;
    }
    result.pack_bytes = w.finish();
  }
  // Re-read what was written and check every tensor against its checksum.
  const MappedPack pack(out_path);
  for (const PackEntry& e : pack.reader().entries()) {
    pack.reader().verify(e);
    release(pack.reader().bytes(e).data(), e.size);
  }
  return result;
}

}  // namespace zaya::pack
