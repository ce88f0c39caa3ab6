#include "pack/pack_reader.h"

#include <cstring>
#include <limits>

#include "io/mapped_file.h"
#include "pack/crc32c.h"
#include "quant/quant_format.h"

namespace zaya::pack {

namespace {

std::uint16_t rd16(const std::byte* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
std::uint32_t rd32(const std::byte* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
std::uint64_t rd64(const std::byte* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Storable types only: the *_X16 layouts after Q4_G32 exist at run time.
bool known_dtype(std::uint8_t d) { return d <= static_cast<std::uint8_t>(DType::Q4_G32); }

// Bounds-checked cursor over the entry table.
class Cursor {
 public:
  Cursor(const std::byte* p, std::uint64_t n, const std::string& source) : p_(p), n_(n), source_(source) {}
  const std::byte* take(std::uint64_t k, const char* what, std::uint64_t entry) {
    if (k > n_ - pos_)
      throw PackError(source_ + ": entry table ends inside entry " + std::to_string(entry) + " (" + what + ")");
    const std::byte* r = p_ + pos_;
    pos_ += k;
    return r;
  }
  bool done() const { return pos_ == n_; }

 private:
  const std::byte* p_;
  std::uint64_t n_;
  std::uint64_t pos_ = 0;
  const std::string& source_;
};

}  // namespace

std::int64_t PackEntry::rows() const {
  std::int64_t r = 1;
  for (std::size_t i = 0; i + 1 < shape.size(); ++i) r *= shape[i];
  return r;
}

std::int64_t PackEntry::cols() const { return shape.empty() ? 1 : shape.back(); }

std::uint64_t tensor_bytes(DType dtype, std::span<const std::int64_t> shape) {
  std::int64_t rows = 1;
  for (std::size_t i = 0; i + 1 < shape.size(); ++i) rows *= shape[i];
  const std::int64_t cols = shape.empty() ? 1 : shape.back();
  const auto n = static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols);
  switch (dtype) {
    case DType::F32: return n * 4;
    case DType::F16:
    case DType::BF16: return n * 2;
    case DType::F8_E4M3: return n + static_cast<std::uint64_t>(rows) * 4;  // bytes, then [rows] fp32 scales
    case DType::Q8_G32:
    case DType::Q4_G32: return quant::quant_layout(dtype, rows, cols).total_bytes;
    case DType::Q8_G32_X16:
    case DType::Q4_G32_X16: return 0;  // the CPU's run-time layouts are never stored (known_dtype rejects them)
  }
  return 0;
}

bool looks_like_pack(const std::byte* data, std::size_t size) {
  return size >= sizeof kPackMagic && std::memcmp(data, kPackMagic, sizeof kPackMagic) == 0;
}

PackReader::PackReader(const std::byte* data, std::size_t size, std::string source)
    : data_(data), source_(std::move(source)) {
  const std::string& src = source_;
  if (size < kPackHeaderSize) {
    if (looks_like_pack(data, size))
      throw PackError(src + ": truncated model pack (" + std::to_string(size) + " bytes, header alone is 64)");
    throw PackError(src + ": not a ZAYA model pack (file too small, " + std::to_string(size) + " bytes)");
  }
  if (!looks_like_pack(data, size)) throw PackError(src + ": not a ZAYA model pack (magic \"ZAYAPACK\" missing)");
  const std::uint32_t version = rd32(data + 8);
  if (rd32(data + 60) != crc32c(data, 60))
    throw PackError(src + ": model pack header is corrupted (header checksum mismatch)");
  if (version != kPackVersion)
    throw PackError(src + ": model pack format version " + std::to_string(version) + " is not supported (this build reads " +
                    std::to_string(kPackVersion) + ")");
  if (rd32(data + 12) != kPackHeaderSize) throw PackError(src + ": model pack header size field is not 64");
  const std::uint64_t table_off = rd64(data + 16), table_size = rd64(data + 24), count = rd64(data + 32);
  const std::uint64_t file_size = rd64(data + 40);
  if (file_size != size) {
    if (size < file_size)
      throw PackError(src + ": truncated model pack (" + std::to_string(size) + " of " + std::to_string(file_size) +
                      " bytes)");
    throw PackError(src + ": model pack has " + std::to_string(size - file_size) + " unexpected trailing bytes");
  }
  if (table_off < kPackHeaderSize || table_off > size || table_size > size - table_off)
    throw PackError(src + ": model pack entry table lies outside the file");
  if (count > table_size / 27)  // an entry takes at least 27 bytes
    throw PackError(src + ": model pack entry count " + std::to_string(count) + " does not fit its table");
  const std::byte* table = data + table_off;
  if (crc32c(table, table_size) != rd32(data + 48))
    throw PackError(src + ": model pack entry table is corrupted (checksum mismatch)");

  Cursor cur(table, table_size, src);
  entries_.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    PackEntry e;
    const std::uint16_t name_len = rd16(cur.take(2, "name length", i));
    if (name_len == 0 || name_len > kMaxNameLength)
      throw PackError(src + ": entry " + std::to_string(i) + " has a bad name length " + std::to_string(name_len));
    const std::byte* name = cur.take(name_len, "name", i);
    e.name.assign(reinterpret_cast<const char*>(name), name_len);
    const std::byte* meta = cur.take(4, "kind/dtype/ndim", i);
    const auto kind = static_cast<std::uint8_t>(meta[0]), dtype = static_cast<std::uint8_t>(meta[1]);
    const auto ndim = static_cast<std::uint8_t>(meta[2]);
    const std::string what = src + ": entry '" + e.name + "'";
    if (kind > 1) throw PackError(what + " has unknown kind " + std::to_string(kind));
    e.kind = static_cast<EntryKind>(kind);
    if (ndim > kMaxDims) throw PackError(what + " has " + std::to_string(ndim) + " dimensions (at most 4)");
    const std::byte* dims = cur.take(8ull * ndim, "shape", i);
    std::uint64_t numel = 1;
    for (int d = 0; d < ndim; ++d) {
      const std::uint64_t v = rd64(dims + 8 * d);
      if (v == 0 || v > (1ull << 40) || numel > (1ull << 40) / v)
        throw PackError(what + " has an impossible shape (dimension " + std::to_string(d) + " = " + std::to_string(v) + ")");
      numel *= v;
      e.shape.push_back(static_cast<std::int64_t>(v));
    }
    const std::byte* loc = cur.take(20, "offset/size/checksum", i);
    e.offset = rd64(loc);
    e.size = rd64(loc + 8);
    e.crc = rd32(loc + 16);
    if (e.kind == EntryKind::Tensor) {
      if (!known_dtype(dtype)) throw PackError(what + " has unknown dtype " + std::to_string(dtype));
      if (ndim == 0) throw PackError(what + " is a tensor without dimensions");
      e.dtype = static_cast<DType>(dtype);
      const std::uint64_t want = tensor_bytes(e.dtype, e.shape);
      if (e.size != want)
        throw PackError(what + " holds " + std::to_string(e.size) + " bytes but " + dtype_name(e.dtype) + " of its shape needs " +
                        std::to_string(want));
    } else if (dtype != 0 || ndim != 0) {
      throw PackError(what + " is a blob with a dtype or shape");
    }
    if (e.offset % kPackAlignment != 0) throw PackError(what + " is not aligned to 4096 bytes");
    if (e.offset < kPackHeaderSize || e.offset > table_off || e.size > table_off - e.offset)
      throw PackError(what + " lies outside the data section (offset " + std::to_string(e.offset) + ", " +
                      std::to_string(e.size) + " bytes)");
    if (!index_.emplace(e.name, entries_.size()).second) throw PackError(what + " appears twice");
    entries_.push_back(std::move(e));
  }
  if (!cur.done()) throw PackError(src + ": model pack entry table has trailing bytes after the last entry");
}

const PackEntry* PackReader::find(std::string_view name) const {
  const auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &entries_[it->second];
}

const PackEntry& PackReader::at(std::string_view name) const {
  const PackEntry* e = find(name);
  if (!e) throw PackError(source_ + ": model pack has no entry '" + std::string(name) + "'");
  return *e;
}

std::span<const std::byte> PackReader::bytes(const PackEntry& e) const {
  return {data_ + e.offset, static_cast<std::size_t>(e.size)};
}

std::string PackReader::blob_text(std::string_view name) const {
  const auto b = bytes(at(name));
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

void PackReader::verify(const PackEntry& e) const {
  const auto b = bytes(e);
  const std::uint32_t got = crc32c(b.data(), b.size());
  if (got != e.crc)
    throw PackError(source_ + ": " + (e.kind == EntryKind::Tensor ? "tensor '" : "entry '") + e.name +
                    "' is corrupted (its CRC-32C is " + std::to_string(got) + ", the pack's table says " +
                    std::to_string(e.crc) + "): the file was damaged on disk or in transfer; download or convert the model again");
}

void PackReader::verify_all() const {
  for (const PackEntry& e : entries_) verify(e);
}

WeightMatrix PackReader::matrix(const PackEntry& e) const {
  if (e.kind != EntryKind::Tensor) throw PackError(source_ + ": entry '" + e.name + "' is not a tensor");
  const std::int64_t rows = e.rows(), cols = e.cols();
  const std::byte* p = data_ + e.offset;
  if (quant::is_quantized(e.dtype)) return quant::quant_view(e.dtype, rows, cols, p);
  WeightMatrix m;
  m.dtype = e.dtype;
  m.rows = rows;
  m.cols = cols;
  m.data = p;
  switch (e.dtype) {
    case DType::F32: m.row_stride_bytes = static_cast<std::size_t>(cols) * 4; break;
    case DType::F8_E4M3:
      m.row_stride_bytes = static_cast<std::size_t>(cols);
      m.scales = p + static_cast<std::size_t>(rows * cols);
      m.scale_row_stride_bytes = 4;
      break;
    default: m.row_stride_bytes = static_cast<std::size_t>(cols) * 2; break;
  }
  return m;
}

MappedPack::MappedPack(const std::string& path) : file_(std::make_shared<MappedFile>(path)) {
  reader_ = std::make_unique<PackReader>(file_->data(), file_->size(), path);
}

MappedPack::~MappedPack() = default;

}  // namespace zaya::pack
