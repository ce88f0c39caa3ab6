#include "pack/pack_writer.h"

#include <cerrno>
#include <cstring>

#include "pack/crc32c.h"

namespace zaya::pack {

namespace {

void put16(std::vector<std::byte>& out, std::uint16_t v) {
  const auto* p = reinterpret_cast<const std::byte*>(&v);
  out.insert(out.end(), p, p + 2);
}
void put32(std::vector<std::byte>& out, std::uint32_t v) {
  const auto* p = reinterpret_cast<const std::byte*>(&v);
  out.insert(out.end(), p, p + 4);
}
void put64(std::vector<std::byte>& out, std::uint64_t v) {
  const auto* p = reinterpret_cast<const std::byte*>(&v);
  out.insert(out.end(), p, p + 8);
}

}  // namespace

PackWriter::PackWriter(std::string path) : path_(std::move(path)), part_path_(path_ + ".part") {
  f_ = std::fopen(part_path_.c_str(), "wb");
  if (!f_) throw PackError(part_path_ + ": cannot create: " + std::strerror(errno));
  const std::byte zeros[kPackHeaderSize] = {};
  write(zeros, sizeof zeros);  // the header is written last, by finish()
}

PackWriter::~PackWriter() {
  if (f_) {
    std::fclose(f_);
    std::remove(part_path_.c_str());
  }
}

void PackWriter::write(const void* p, std::size_t n) {
  if (n && std::fwrite(p, 1, n, f_) != n) throw PackError(part_path_ + ": write failed: " + std::strerror(errno));
  pos_ += n;
}

void PackWriter::pad_to(std::uint64_t alignment) {
  static const std::byte zeros[kPackAlignment] = {};
  const std::uint64_t pad = (alignment - pos_ % alignment) % alignment;
  write(zeros, static_cast<std::size_t>(pad));
}

void PackWriter::begin_entry(const std::string& name) {
  if (!f_) throw PackError(path_ + ": pack already finished");
  if (open_entry_) throw PackError(path_ + ": entry '" + entries_.back().name + "' was not ended");
  if (name.empty() || name.size() > kMaxNameLength) throw PackError(path_ + ": bad entry name '" + name + "'");
  for (const PackEntry& e : entries_)
    if (e.name == name) throw PackError(path_ + ": entry '" + name + "' added twice");
  pad_to(kPackAlignment);
  PackEntry e;
  e.name = name;
  e.offset = pos_;
  entries_.push_back(std::move(e));
  open_entry_ = true;
  running_crc_ = 0;
}

void PackWriter::append(std::span<const std::byte> bytes) {
  if (!open_entry_) throw PackError(path_ + ": append without an open entry");
  running_crc_ = crc32c(bytes.data(), bytes.size(), running_crc_);
  write(bytes.data(), bytes.size());
  entries_.back().size += bytes.size();
}

void PackWriter::end_tensor() {
  if (!open_entry_) throw PackError(path_ + ": end_tensor without an open entry");
  PackEntry& e = entries_.back();
  if (e.kind == EntryKind::Tensor && e.size != tensor_bytes(e.dtype, e.shape))
    throw PackError(path_ + ": tensor '" + e.name + "' got " + std::to_string(e.size) + " bytes, its dtype and shape need " +
                    std::to_string(tensor_bytes(e.dtype, e.shape)));
  e.crc = running_crc_;
  open_entry_ = false;
}

void PackWriter::add_blob(const std::string& name, std::span<const std::byte> bytes) {
  begin_entry(name);
  entries_.back().kind = EntryKind::Blob;
  append(bytes);
  end_tensor();
}

void PackWriter::add_blob(const std::string& name, const std::string& text) {
  add_blob(name, std::span<const std::byte>(reinterpret_cast<const std::byte*>(text.data()), text.size()));
}

void PackWriter::begin_tensor(const std::string& name, DType dtype, std::vector<std::int64_t> shape) {
  if (shape.empty() || shape.size() > static_cast<std::size_t>(kMaxDims))
    throw PackError(path_ + ": tensor '" + name + "' must have 1 to 4 dimensions");
  for (std::int64_t d : shape)
    if (d <= 0) throw PackError(path_ + ": tensor '" + name + "' has a non-positive dimension");
  begin_entry(name);
  PackEntry& e = entries_.back();
  e.kind = EntryKind::Tensor;
  e.dtype = dtype;
  e.shape = std::move(shape);
}

void PackWriter::add_tensor(const std::string& name, DType dtype, std::vector<std::int64_t> shape,
                            std::span<const std::byte> bytes) {
  begin_tensor(name, dtype, std::move(shape));
  append(bytes);
  end_tensor();
}

std::uint64_t PackWriter::finish() {
  if (!f_) throw PackError(path_ + ": pack already finished");
  if (open_entry_) throw PackError(path_ + ": entry '" + entries_.back().name + "' was not ended");
  pad_to(64);
  std::vector<std::byte> table;
  for (const PackEntry& e : entries_) {
    put16(table, static_cast<std::uint16_t>(e.name.size()));
    const auto* n = reinterpret_cast<const std::byte*>(e.name.data());
    table.insert(table.end(), n, n + e.name.size());
    table.push_back(static_cast<std::byte>(e.kind));
    table.push_back(static_cast<std::byte>(e.kind == EntryKind::Tensor ? static_cast<std::uint8_t>(e.dtype) : 0));
    table.push_back(static_cast<std::byte>(e.shape.size()));
    table.push_back(std::byte{0});
    for (std::int64_t d : e.shape) put64(table, static_cast<std::uint64_t>(d));
    put64(table, e.offset);
    put64(table, e.size);
    put32(table, e.crc);
  }
  const std::uint64_t table_off = pos_;
  write(table.data(), table.size());
  const std::uint64_t file_size = pos_;

  std::vector<std::byte> header;
  header.insert(header.end(), reinterpret_cast<const std::byte*>(kPackMagic),
                reinterpret_cast<const std::byte*>(kPackMagic) + sizeof kPackMagic);
  put32(header, kPackVersion);
  put32(header, static_cast<std::uint32_t>(kPackHeaderSize));
  put64(header, table_off);
  put64(header, table.size());
  put64(header, entries_.size());
  put64(header, file_size);
  put32(header, crc32c(table.data(), table.size()));
  put64(header, 0);
  put32(header, crc32c(header.data(), header.size()));
  if (std::fseek(f_, 0, SEEK_SET) != 0 || std::fwrite(header.data(), 1, header.size(), f_) != header.size())
    throw PackError(part_path_ + ": cannot write the header: " + std::strerror(errno));
  const bool ok = std::fclose(f_) == 0;
  f_ = nullptr;
  if (!ok || std::rename(part_path_.c_str(), path_.c_str()) != 0) {
    std::remove(part_path_.c_str());
    throw PackError(path_ + ": cannot finish the pack: " + std::strerror(errno));
  }
  return file_size;
}

}  // namespace zaya::pack
