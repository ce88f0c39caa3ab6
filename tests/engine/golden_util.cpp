#include "golden_util.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace zaya::test {

std::string golden_dir() { return std::string(ZAYA_TESTDATA_DIR) + "/zaya-tiny"; }

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(in);
}

std::vector<float> read_f32(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot open " + path);
  const auto n = static_cast<std::size_t>(in.tellg());
  std::vector<float> v(n / 4);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

std::vector<GoldenCase> golden_cases() {
  const auto j = read_json(golden_dir() + "/expected_logits.json");
  std::vector<GoldenCase> out;
  for (const auto& c : j["cases"]) {
    GoldenCase g;
    g.name = c["name"].get<std::string>();
    g.ids = c["ids"].get<std::vector<std::int32_t>>();
    g.prefill_len = c["prefill_len"].get<std::int64_t>();
    g.logits_offset = c["logits_offset_floats"].get<std::int64_t>();
    out.push_back(std::move(g));
  }
  return out;
}

Trace read_trace(const std::string& dir) {
  const auto j = read_json(dir + "/debug_trace.json");
  const auto bin = read_f32(dir + "/debug_trace.bin");
  Trace t;
  for (auto it = j["tensors"].begin(); it != j["tensors"].end(); ++it) {
    Trace::Entry e;
    e.shape = (*it)["shape"].get<std::vector<std::int64_t>>();
    std::int64_t n = 1;
    for (auto d : e.shape) n *= d;
    const auto off = (*it)["offset_floats"].get<std::int64_t>();
    e.data.assign(bin.begin() + off, bin.begin() + off + n);
    t.order.push_back(it.key());
    t.tensors.emplace(it.key(), std::move(e));
  }
  // nlohmann::json sorts keys; computation order is the order of offsets.
  std::sort(t.order.begin(), t.order.end(), [&](const std::string& a, const std::string& b) {
    return j["tensors"][a]["offset_floats"].get<std::int64_t>() < j["tensors"][b]["offset_floats"].get<std::int64_t>();
  });
  return t;
}

}  // namespace zaya::test
