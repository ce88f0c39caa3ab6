#include "golden_util.h"

#include <algorithm>
#include <cmath>
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

CaseResult run_case(Backend& backend, const std::vector<std::int32_t>& ids, std::int64_t prefill) {
  const auto& c = backend.config();
  CaseResult r;
  r.logits.assign(ids.size() * static_cast<std::size_t>(c.vocab_size), NAN);
  r.routing.resize(ids.size() * static_cast<std::size_t>(c.num_layers));
  auto st = backend.new_sequence();
  std::size_t pos = 0;
  while (pos < ids.size()) {
    const std::size_t n = pos == 0 ? static_cast<std::size_t>(prefill) : 1;
    ForwardRequest req;
    req.ids = std::span<const TokenId>(ids.data() + pos, n);
    req.all_logits = true;
    req.logits = r.logits.data() + pos * c.vocab_size;
    req.routing = r.routing.data() + pos * c.num_layers;
    backend.forward(*st, req);
    pos += n;
  }
  if (st->length() != static_cast<std::int64_t>(ids.size())) throw std::runtime_error("the sequence lost positions");
  return r;
}

StageValues traced_forward(Backend& backend, const std::vector<std::int32_t>& ids) {
  StageValues got;
  TraceSink sink = [&](const std::string& name, const float* data, const std::vector<std::int64_t>& shape) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    got[name].assign(data, data + n);
  };
  auto st = backend.new_sequence();
  ForwardRequest req;
  req.ids = ids;
  req.trace = &sink;
  backend.forward(*st, req);
  return got;
}

std::string first_stage_off(const Trace& reference, const StageValues& got, bool require_all, std::string* detail) {
  for (const auto& name : reference.order) {
    const auto& e = reference.tensors.at(name);
    auto it = got.find(name);
    if (it == got.end()) {
      if (require_all) return name + " (not produced)";
      continue;
    }
    if (it->second.size() != e.data.size())
      return name + " (size " + std::to_string(it->second.size()) + " vs " + std::to_string(e.data.size()) + ")";
    float scale = 1.0f, worst = 0.0f;
    for (float v : e.data) scale = std::max(scale, std::fabs(v));
    for (std::size_t i = 0; i < e.data.size(); ++i) worst = std::max(worst, std::fabs(it->second[i] - e.data[i]));
    if (!(worst <= 1e-4f * scale)) {
      if (detail) *detail = "max |delta| " + std::to_string(worst) + " at scale " + std::to_string(scale);
      return name;
    }
  }
  return "";
}

}  // namespace zaya::test
