#include "io/safetensors.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "zaya/errors.h"

namespace zaya {
namespace {

using nlohmann::json;

// Guards the header allocation; real headers are a few hundred KB.
constexpr std::uint64_t kMaxHeaderBytes = 100u << 20;

bool parse_dtype(const std::string& s, DType* t, std::uint64_t* bytes) {
  if (s == "F32") { *t = DType::F32; *bytes = 4; return true; }
  if (s == "F16") { *t = DType::F16; *bytes = 2; return true; }
  if (s == "BF16") { *t = DType::BF16; *bytes = 2; return true; }
  if (s == "F8_E4M3") { *t = DType::F8_E4M3; *bytes = 1; return true; }
  return false;
}

}  // namespace

std::int64_t TensorInfo::numel() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::vector<TensorInfo> parse_safetensors(const std::byte* data, std::size_t size, const std::string& file) {
  if (size < 8) throw LoadError(file + ": truncated safetensors file (" + std::to_string(size) + " bytes, no header length)");
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<std::uint8_t>(data[i]);
  if (header_len > size - 8)
    throw LoadError(file + ": header length " + std::to_string(header_len) + " runs past the end of the file (" +
                    std::to_string(size) + " bytes)");
  if (header_len > kMaxHeaderBytes) throw LoadError(file + ": header length " + std::to_string(header_len) + " is implausibly large");
  const std::uint64_t data_start = 8 + header_len;
  const std::uint64_t data_size = size - data_start;

  json header;
  try {
    const char* text = reinterpret_cast<const char*>(data + 8);
    header = json::parse(text, text + header_len);
  } catch (const json::exception& e) {
    throw LoadError(file + ": malformed JSON header: " + e.what());
  }
  if (!header.is_object()) throw LoadError(file + ": header is not a JSON object");

  std::vector<TensorInfo> out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    if (name == "__metadata__") {
      if (!it->is_object()) throw LoadError(file + ": __metadata__ must be an object");
      continue;
    }
    const json& v = *it;
    auto bad = [&](const std::string& what) { return LoadError(file + ": tensor '" + name + "': " + what); };
    if (!v.is_object()) throw bad("entry is not an object");
    auto dt = v.find("dtype");
    auto sh = v.find("shape");
    auto off = v.find("data_offsets");
    if (dt == v.end() || !dt->is_string()) throw bad("missing or non-string dtype");
    if (sh == v.end() || !sh->is_array()) throw bad("missing or non-array shape");
    if (off == v.end() || !off->is_array() || off->size() != 2) throw bad("data_offsets must be [begin, end]");
    TensorInfo t;
    t.name = name;
    std::uint64_t elem_bytes = 0;
    if (!parse_dtype(dt->get<std::string>(), &t.dtype, &elem_bytes))
      throw bad("unsupported dtype '" + dt->get<std::string>() + "' (expected F32, F16, BF16 or F8_E4M3)");
    std::uint64_t numel = 1;
    for (const auto& d : *sh) {
      if (!d.is_number_unsigned()) throw bad("shape entries must be non-negative integers");
      const std::uint64_t n = d.get<std::uint64_t>();
      if (n > (std::uint64_t{1} << 40) || (n != 0 && numel > (std::uint64_t{1} << 48) / n)) throw bad("shape is implausibly large");
      numel *= n;
      t.shape.push_back(static_cast<std::int64_t>(n));
    }
    for (const auto& o : *off)
      if (!o.is_number_unsigned()) throw bad("data_offsets must be non-negative integers");
    const std::uint64_t b = (*off)[0].get<std::uint64_t>(), e = (*off)[1].get<std::uint64_t>();
    if (b > e) throw bad("data_offsets begin " + std::to_string(b) + " > end " + std::to_string(e));
    if (e > data_size)
      throw bad("data_offsets end " + std::to_string(e) + " is past the end of the data section (" + std::to_string(data_size) +
                " bytes; file truncated?)");
    if (numel * elem_bytes != e - b)
      throw bad("byte size " + std::to_string(e - b) + " does not match dtype " + dt->get<std::string>() + " x shape (" +
                std::to_string(numel * elem_bytes) + " bytes)");
    t.begin = data_start + b;
    t.end = data_start + e;
    out.push_back(std::move(t));
  }
  std::vector<const TensorInfo*> by_offset;
  for (const auto& t : out) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(), [](auto* a, auto* b) { return a->begin < b->begin || (a->begin == b->begin && a->end < b->end); });
  // Compare each non-empty tensor with the one reaching furthest before it.
  const TensorInfo* furthest = nullptr;
  for (const TensorInfo* t : by_offset) {
    if (t->end == t->begin) continue;
    if (furthest && t->begin < furthest->end)
      throw LoadError(file + ": tensors '" + furthest->name + "' and '" + t->name + "' overlap in the data section");
    if (!furthest || t->end > furthest->end) furthest = t;
  }
  return out;
}

std::map<std::string, std::string> parse_safetensors_index(std::string_view text, const std::string& file) {
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw LoadError(file + ": malformed JSON: " + e.what());
  }
  if (!root.is_object()) throw LoadError(file + ": top level must be a JSON object");
  auto wm = root.find("weight_map");
  if (wm == root.end() || !wm->is_object()) throw LoadError(file + ": missing 'weight_map' object");
  std::map<std::string, std::string> out;
  for (auto it = wm->begin(); it != wm->end(); ++it) {
    if (!it->is_string()) throw LoadError(file + ": weight_map entry '" + it.key() + "' is not a file name string");
    const std::string shard = it->get<std::string>();
    const std::filesystem::path p(shard);
    if (shard.empty() || p.has_parent_path() || p.is_absolute() || shard == "." || shard == "..")
      throw LoadError(file + ": weight_map entry '" + it.key() + "' names '" + shard + "', which is not a plain file name");
    out.emplace(it.key(), shard);
  }
  if (out.empty()) throw LoadError(file + ": weight_map is empty");
  return out;
}

Checkpoint Checkpoint::open(const std::string& dir) {
  namespace fs = std::filesystem;
  Checkpoint ck;
  const fs::path index_path = fs::path(dir) / "model.safetensors.index.json";
  const fs::path single_path = fs::path(dir) / "model.safetensors";
  auto add_file = [&](const fs::path& p) {
    auto mf = std::make_shared<MappedFile>(p.string());
    ck.files_.push_back(mf);
    std::vector<Tensor> ts;
    for (auto& info : parse_safetensors(mf->data(), mf->size(), p.string())) {
      Tensor t;
      t.data = mf->data() + info.begin;
      t.file = mf.get();
      t.info = std::move(info);
      ts.push_back(std::move(t));
    }
    return ts;
  };
  if (fs::exists(index_path)) {
    std::ifstream in(index_path, std::ios::binary);
    if (!in) throw LoadError(index_path.string() + ": cannot be opened");
    std::ostringstream ss;
    ss << in.rdbuf();
    const auto map = parse_safetensors_index(ss.str(), index_path.string());
    std::set<std::string> shards;
    for (const auto& [name, shard] : map) shards.insert(shard);
    for (const auto& shard : shards)
      if (!fs::exists(fs::path(dir) / shard))
        throw LoadError(index_path.string() + ": shard '" + shard + "' listed in weight_map does not exist");
    for (const auto& shard : shards) {
      const fs::path sp = fs::path(dir) / shard;
      for (auto& t : add_file(sp)) {
        auto m = map.find(t.info.name);
        if (m == map.end() || m->second != shard)
          throw LoadError(sp.string() + ": tensor '" + t.info.name + "' is not assigned to this shard by " + index_path.filename().string());
        const std::string name = t.info.name;
        if (!ck.tensors_.emplace(name, std::move(t)).second)
          throw LoadError(sp.string() + ": tensor '" + name + "' appears in more than one shard");
      }
    }
    for (const auto& [name, shard] : map)
      if (!ck.tensors_.count(name))
        throw LoadError(index_path.string() + ": tensor '" + name + "' is listed for shard '" + shard + "' but that shard does not contain it");
  } else if (fs::exists(single_path)) {
    for (auto& t : add_file(single_path)) {
      const std::string name = t.info.name;
      ck.tensors_.emplace(name, std::move(t));
    }
  } else {
    throw LoadError(dir + ": neither model.safetensors nor model.safetensors.index.json found");
  }
  return ck;
}

const Checkpoint::Tensor* Checkpoint::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

std::uint64_t Checkpoint::total_bytes() const {
  std::uint64_t n = 0;
  for (const auto& f : files_) n += f->size();
  return n;
}

}  // namespace zaya
