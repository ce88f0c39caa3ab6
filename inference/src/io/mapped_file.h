// A read-only memory map of a whole file. Weights stay in the page cache and
// are never copied; the map lives as long as any model holding it. Every map
// is registered for install_mapped_file_guard (zaya/mapped_guard.h).
#pragma once

#include <cstddef>
#include <string>

namespace zaya {

class MappedFile {
 public:
  explicit MappedFile(const std::string& path);  // throws LoadError
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  int guard_slot_ = -1;  // in io/mapped_regions.h, for the SIGBUS guard (zaya/mapped_guard.h)
};

}  // namespace zaya
