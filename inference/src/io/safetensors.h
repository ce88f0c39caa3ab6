// safetensors files: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__": {...}},
// then the raw little-endian tensor bytes. Sharded checkpoints add
// model.safetensors.index.json mapping every tensor name to its shard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/mapped_file.h"
#include "tensor/matrix.h"

namespace zaya {

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;  // absolute byte offsets in the file, [begin, end)
  std::uint64_t end = 0;
  std::int64_t numel() const;
};

// Parses and validates the header of a complete safetensors file held in
// memory: header length within the file, JSON well-formed, supported dtype,
// dtype size × shape = byte size, offsets inside the data section, no two
// tensors overlapping. `file` names the file in errors (LoadError).
std::vector<TensorInfo> parse_safetensors(const std::byte* data, std::size_t size, const std::string& file);

// Parses model.safetensors.index.json text: tensor name → shard file name.
std::map<std::string, std::string> parse_safetensors_index(std::string_view json_text, const std::string& file);

// Every tensor of a checkpoint directory, single-file or sharded, mapped.
class Checkpoint {
 public:
  struct Tensor {
    TensorInfo info;
    const std::byte* data = nullptr;  // info.end - info.begin bytes
    const MappedFile* file = nullptr;
  };

  // Opens <dir>/model.safetensors, or the shards listed in
  // <dir>/model.safetensors.index.json. Throws LoadError.
  static Checkpoint open(const std::string& dir);

  const Tensor* find(const std::string& name) const;
  const std::map<std::string, Tensor>& tensors() const { return tensors_; }
  const std::vector<std::shared_ptr<MappedFile>>& files() const { return files_; }
  std::uint64_t total_bytes() const;

 private:
  std::vector<std::shared_ptr<MappedFile>> files_;
  std::map<std::string, Tensor> tensors_;
};

}  // namespace zaya
