// The compact binary form of a parsed tokenizer.json: vocabulary and merges
// as flat arrays (parsing them from JSON is what makes the first load slow),
// the rest of the file as JSON text. It is only trusted while the source's
// size, modification time and content hash match the header and the
// payload's own hash checks out; anything else means "parse the source".
#include <cstring>
#include <fstream>
#include <functional>
#include <thread>

#include <unistd.h>

#include "tokenizer_impl.h"

namespace zaya::tok {

namespace {

constexpr char kMagic[8] = {'Z', 'A', 'Y', 'A', 'T', 'O', 'K', '1'};
constexpr uint32_t kFormatVersion = 1;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t reserved;
  uint64_t source_size;
  int64_t source_mtime_ns;
  uint64_t source_hash;
  uint64_t payload_size;
  uint64_t payload_hash;
};

inline uint64_t mix(uint64_t x) {
  x ^= x >> 31;
  x *= 0x7FB5D329728EA185ull;
  x ^= x >> 27;
  x *= 0x81DADEF4BC2DD44Dull;
  x ^= x >> 33;
  return x;
}

class Writer {
 public:
  void u32(uint32_t v) { raw(&v, 4); }
  void i32(int32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void bytes(std::string_view s) { buf.append(s); }
  void raw(const void* p, size_t n) { buf.append(static_cast<const char*>(p), n); }
  std::string buf;
};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool u32(uint32_t& v) { return raw(&v, 4); }
  bool i32(int32_t& v) { return raw(&v, 4); }
  bool u64(uint64_t& v) { return raw(&v, 8); }
  bool bytes(size_t n, std::string& out) {
    if (n > data_.size() - pos_) return false;
    out.assign(data_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool raw(void* p, size_t n) {
    if (n > data_.size() - pos_) return false;
    std::memcpy(p, data_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  size_t left() const { return data_.size() - pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

uint64_t hash_bytes(std::string_view bytes) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = mix(h ^ w) + 0x632BE59BD9B4E019ull;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  return mix(h ^ tail ^ (uint64_t(bytes.size() - i) << 56));
}

std::filesystem::path cache_file_for(const std::filesystem::path& cache_dir, const std::filesystem::path& source) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::weakly_canonical(source, ec);
  if (ec) absolute = std::filesystem::absolute(source, ec);
  const std::string key = absolute.string();
  char name[40];
  std::snprintf(name, sizeof name, "tokenizer-%016llx.bin", static_cast<unsigned long long>(hash_bytes(key)));
  return cache_dir / name;
}

bool read_cache(const std::filesystem::path& cache_file, const SourceStamp& stamp, std::string& meta_json,
                ModelArrays& arrays) {
  std::ifstream in(cache_file, std::ios::binary);
  if (!in) return false;
  Header h;
  if (!in.read(reinterpret_cast<char*>(&h), sizeof h)) return false;
  if (std::memcmp(h.magic, kMagic, 8) != 0 || h.version != kFormatVersion || h.source_size != stamp.size ||
      h.source_mtime_ns != stamp.mtime_ns || h.source_hash != stamp.content_hash)
    return false;
  if (h.payload_size > (uint64_t{1} << 32)) return false;
  std::string payload(size_t(h.payload_size), '\0');
  if (!in.read(payload.data(), std::streamsize(payload.size())) || in.peek() != std::char_traits<char>::eof())
    return false;
  if (hash_bytes(payload) != h.payload_hash) return false;

  Reader r(payload);
  uint64_t meta_len;
  if (!r.u64(meta_len) || meta_len > r.left() || !r.bytes(size_t(meta_len), meta_json)) return false;
  uint32_t vocab_count;
  if (!r.u32(vocab_count) || vocab_count > r.left() / 8) return false;
  arrays.vocab.clear();
  arrays.vocab.reserve(vocab_count);
  std::string piece;
  for (uint32_t i = 0; i < vocab_count; ++i) {
    int32_t id;
    uint32_t len;
    if (!r.i32(id) || !r.u32(len) || !r.bytes(len, piece)) return false;
    arrays.vocab.emplace_back(id, piece);
  }
  uint32_t merge_count;
  if (!r.u32(merge_count) || uint64_t(merge_count) * 12 != r.left()) return false;
  arrays.merges.resize(merge_count);
  return r.raw(arrays.merges.data(), size_t(merge_count) * 12);
}

bool write_cache(const std::filesystem::path& cache_file, const SourceStamp& stamp, std::string_view meta_json,
                 const ModelArrays& arrays) {
  Writer w;
  w.u64(meta_json.size());
  w.bytes(meta_json);
  w.u32(uint32_t(arrays.vocab.size()));
  for (const auto& [id, piece] : arrays.vocab) {
    w.i32(id);
    w.u32(uint32_t(piece.size()));
    w.bytes(piece);
  }
  w.u32(uint32_t(arrays.merges.size()));
  static_assert(sizeof(arrays.merges[0]) == 12);
  w.raw(arrays.merges.data(), arrays.merges.size() * 12);

  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kFormatVersion;
  h.source_size = stamp.size;
  h.source_mtime_ns = stamp.mtime_ns;
  h.source_hash = stamp.content_hash;
  h.payload_size = w.buf.size();
  h.payload_hash = hash_bytes(w.buf);

  std::error_code ec;
  std::filesystem::create_directories(cache_file.parent_path(), ec);
  // Write beside the target and rename, so a reader never sees half a file.
  std::filesystem::path tmp = cache_file;
  tmp += ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out.write(reinterpret_cast<const char*>(&h), sizeof h);
    out.write(w.buf.data(), std::streamsize(w.buf.size()));
    if (!out) {
      out.close();
      std::filesystem::remove(tmp, ec);
      return false;
    }
  }
  std::filesystem::rename(tmp, cache_file, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace zaya::tok
