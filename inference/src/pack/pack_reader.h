// Reading a model pack (layout in pack_format.h) from bytes in memory — a
// mapped file or any buffer, so the parser can be fuzzed. Every check names
// the file and the field or entry at fault; nothing is trusted before it is
// bounds-checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pack/pack_format.h"
#include "tensor/matrix.h"
#include "zaya/errors.h"

namespace zaya {
class MappedFile;
}

namespace zaya::pack {

// A malformed, truncated, foreign or corrupted pack.
class PackError : public LoadError {
 public:
  using LoadError::LoadError;
};

struct PackEntry {
  std::string name;
  EntryKind kind = EntryKind::Blob;
  DType dtype = DType::F32;              // tensors only
  std::vector<std::int64_t> shape;       // tensors only
  std::uint64_t offset = 0;              // absolute, in the file
  std::uint64_t size = 0;                // bytes
  std::uint32_t crc = 0;                 // CRC-32C of the bytes

  // rows = product of all dims but the last, cols = the last (1-D: 1 row).
  std::int64_t rows() const;
  std::int64_t cols() const;
};

// Bytes a tensor of this dtype and shape occupies in a pack.
std::uint64_t tensor_bytes(DType dtype, std::span<const std::int64_t> shape);

class PackReader {
 public:
  // Parses header and table of the pack held in [data, data + size);
  // `source` names it in errors. The buffer must outlive the reader. Tensor
  // bytes are not checksummed here (see verify).
  PackReader(const std::byte* data, std::size_t size, std::string source);

  const std::string& source() const { return source_; }
  const std::vector<PackEntry>& entries() const { return entries_; }
  const PackEntry* find(std::string_view name) const;
  const PackEntry& at(std::string_view name) const;  // throws PackError naming the entry

  std::span<const std::byte> bytes(const PackEntry& e) const;
  std::string blob_text(std::string_view name) const;

  // Recomputes an entry's checksum; throws PackError on mismatch.
  void verify(const PackEntry& e) const;
  void verify_all() const;

  // A 2-D view (rows × cols, see PackEntry) of a tensor entry.
  WeightMatrix matrix(const PackEntry& e) const;

 private:
  const std::byte* data_;
  std::string source_;
  std::vector<PackEntry> entries_;
  std::unordered_map<std::string, std::size_t> index_;
};

// A pack file mapped read-only, with its parsed table.
class MappedPack {
 public:
  explicit MappedPack(const std::string& path);  // throws LoadError / PackError
  ~MappedPack();
  const PackReader& reader() const { return *reader_; }
  std::shared_ptr<const MappedFile> file() const { return file_; }

 private:
  std::shared_ptr<const MappedFile> file_;
  std::unique_ptr<PackReader> reader_;
};

// Cheap test of the first bytes: is this a pack at all?
bool looks_like_pack(const std::byte* data, std::size_t size);

}  // namespace zaya::pack
