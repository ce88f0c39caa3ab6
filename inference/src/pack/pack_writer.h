// Writing a model pack (layout in pack_format.h) as a stream: entries are
// appended one at a time (a large tensor in as many pieces as the caller
// likes), so converting a checkpoint never holds more than one tensor.
// The file is written as <path>.part and renamed into place by finish(), so
// an interrupted conversion never leaves a pack that looks complete.
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "pack/pack_format.h"
#include "pack/pack_reader.h"

namespace zaya::pack {

class PackWriter {
 public:
  explicit PackWriter(std::string path);  // throws PackError if the file cannot be created
  ~PackWriter();                          // without finish(): removes the partial file
  PackWriter(const PackWriter&) = delete;
  PackWriter& operator=(const PackWriter&) = delete;

  void add_blob(const std::string& name, std::span<const std::byte> bytes);
  void add_blob(const std::string& name, const std::string& text);

  // A whole tensor at once, or begin_tensor + append (any number of pieces,
  // adding up to tensor_bytes(dtype, shape)) + end_tensor.
  void add_tensor(const std::string& name, DType dtype, std::vector<std::int64_t> shape, std::span<const std::byte> bytes);
  void begin_tensor(const std::string& name, DType dtype, std::vector<std::int64_t> shape);
  void append(std::span<const std::byte> bytes);
  void end_tensor();

  // Writes the table and the header, closes and renames. Returns the size.
  std::uint64_t finish();

  std::uint64_t bytes_written() const { return pos_; }

 private:
  void begin_entry(const std::string& name);
  void write(const void* p, std::size_t n);
  void pad_to(std::uint64_t alignment);

  std::string path_, part_path_;
  std::FILE* f_ = nullptr;
  std::uint64_t pos_ = 0;
  std::vector<PackEntry> entries_;
  bool open_entry_ = false;
  std::uint32_t running_crc_ = 0;
};

}  // namespace zaya::pack
