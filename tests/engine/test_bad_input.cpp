// Malformed checkpoints and configs: every case is its own clear error that
// names the file and the tensor or field, never a crash.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "golden_util.h"
#include "io/safetensors.h"
#include "synth/synth.h"
#include "zaya/config.h"
#include "zaya/errors.h"
#include "zaya/model.h"

namespace zaya::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}

// A safetensors file split into header JSON and data, for editing.
struct Parts {
  json header;
  std::string data;
};

Parts split(const std::string& file) {
  std::uint64_t n = 0;
  std::memcpy(&n, file.data(), 8);
  return {json::parse(file.substr(8, n)), file.substr(8 + n)};
}

std::string join(const json& header, const std::string& data) {
  std::string h = header.dump();
  std::string out(8, '\0');
  const std::uint64_t n = h.size();
  std::memcpy(out.data(), &n, 8);
  return out + h + data;
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("zaya-bad-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    fs::copy_file(golden_dir() + "/config.json", dir_ / "config.json");
    fs::copy_file(golden_dir() + "/model.safetensors", dir_ / "model.safetensors");
    fs::permissions(dir_ / "config.json", fs::perms::owner_write, fs::perm_options::add);
    fs::permissions(dir_ / "model.safetensors", fs::perms::owner_write, fs::perm_options::add);
    file_ = slurp(dir_ / "model.safetensors");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Loads and returns the error message (fails the test when no LoadError).
  std::string load_error() {
    try {
      LoadOptions o;
      o.device = DeviceKind::Cpu;
      o.threads = 1;
      Model::load(dir_.string(), o);
    } catch (const LoadError& e) {
      return e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "wrong exception type: " << e.what();
      return "";
    }
    ADD_FAILURE() << "model loaded";
    return "";
  }

  void edit_header(const std::function<void(json&)>& f) {
    Parts p = split(file_);
    f(p.header);
    spit(dir_ / "model.safetensors", join(p.header, p.data));
  }

  void edit_config(const std::function<void(json&)>& f) {
    json c = json::parse(slurp(dir_ / "config.json"));
    f(c);
    spit(dir_ / "config.json", c.dump());
  }

  fs::path dir_;
  std::string file_;
};

#define EXPECT_MENTIONS(msg, text) EXPECT_NE((msg).find(text), std::string::npos) << (msg)

TEST_F(BadInput, TruncatedFile) {
  spit(dir_ / "model.safetensors", file_.substr(0, file_.size() - 100));
  const auto m = load_error();
  EXPECT_MENTIONS(m, "model.safetensors");
  EXPECT_MENTIONS(m, "past the end of the data section");
}

TEST_F(BadInput, TooShortForHeaderLength) {
  spit(dir_ / "model.safetensors", file_.substr(0, 5));
  EXPECT_MENTIONS(load_error(), "no header length");
}

TEST_F(BadInput, HeaderLengthPastEnd) {
  std::string f = file_;
  const std::uint64_t n = f.size();
  std::memcpy(f.data(), &n, 8);
  spit(dir_ / "model.safetensors", f);
  const auto m = load_error();
  EXPECT_MENTIONS(m, "header length");
  EXPECT_MENTIONS(m, "runs past the end of the file");
}

TEST_F(BadInput, MalformedHeaderJson) {
  std::string f = file_;
  f[8] = '#';  // the header's opening brace
  spit(dir_ / "model.safetensors", f);
  EXPECT_MENTIONS(load_error(), "malformed JSON header");
}

TEST_F(BadInput, OverlappingTensors) {
  edit_header([](json& h) {
    h["model.norm.weight"]["data_offsets"] = h["model.input_hidden_states_bias"]["data_offsets"];
  });
  const auto m = load_error();
  EXPECT_MENTIONS(m, "overlap");
  EXPECT_MENTIONS(m, "model.norm.weight");
}

TEST_F(BadInput, DtypeSizeMismatch) {
  edit_header([](json& h) { h["model.norm.weight"]["dtype"] = "F32"; });
  const auto m = load_error();
  EXPECT_MENTIONS(m, "model.norm.weight");
  EXPECT_MENTIONS(m, "does not match dtype F32");
}

TEST_F(BadInput, UnsupportedDtype) {
  edit_header([](json& h) { h["model.norm.weight"]["dtype"] = "I64"; });
  EXPECT_MENTIONS(load_error(), "unsupported dtype 'I64'");
}

TEST_F(BadInput, WrongShape) {
  edit_header([](json& h) { h["model.norm.weight"]["shape"] = {32, 2}; });
  const auto m = load_error();
  EXPECT_MENTIONS(m, "model.norm.weight");
  EXPECT_MENTIONS(m, "has shape [32, 2], expected [64]");
}

TEST_F(BadInput, MissingTensor) {
  edit_header([](json& h) { h.erase("model.layers.1.self_attn.o_proj.weight"); });
  const auto m = load_error();
  EXPECT_MENTIONS(m, "required tensor 'model.layers.1.self_attn.o_proj.weight' is missing");
}

TEST_F(BadInput, RouterStatesScaleOnLayerZeroIsUnexpected) {
  edit_header([](json& h) { h["model.layers.0.mlp.gate.router_states_scale"] = h["model.layers.1.mlp.gate.router_states_scale"]; });
  // Shares bytes with layer 1's: reported as overlap first, which is also a clear error.
  const auto m = load_error();
  EXPECT_MENTIONS(m, "model.layers.0.mlp.gate.router_states_scale");
}

TEST_F(BadInput, ExtraTensor) {
  Parts p = split(file_);
  p.header["lm_head.weight"] = {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {p.data.size(), p.data.size() + 8}}};
  spit(dir_ / "model.safetensors", join(p.header, p.data + std::string(8, '\0')));
  EXPECT_MENTIONS(load_error(), "unexpected tensor 'lm_head.weight'");
}

TEST_F(BadInput, F8WithoutScale) {
  edit_header([](json& h) {
    auto& t = h["model.layers.0.mlp.experts.down_proj"];
    t["dtype"] = "F8_E4M3";
    auto off = t["data_offsets"];
    t["data_offsets"] = {off[0].get<std::uint64_t>(), off[0].get<std::uint64_t>() + (off[1].get<std::uint64_t>() - off[0].get<std::uint64_t>()) / 2};
  });
  EXPECT_MENTIONS(load_error(), "needs its scale tensor 'model.layers.0.mlp.experts.down_proj.weight_scale'");
}

TEST_F(BadInput, NoCheckpointFiles) {
  fs::remove(dir_ / "model.safetensors");
  EXPECT_MENTIONS(load_error(), "neither model.safetensors nor model.safetensors.index.json");
}

TEST_F(BadInput, MalformedConfigJson) {
  spit(dir_ / "config.json", "{\"vocab_size\": 512,");
  try {
    load_config(dir_.string());
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_MENTIONS(std::string(e.what()), "config.json: malformed JSON");
  }
}

TEST_F(BadInput, MissingConfigField) {
  edit_config([](json& c) { c.erase("num_key_value_heads"); });
  const auto m = load_error();
  EXPECT_MENTIONS(m, "config.json");
  EXPECT_MENTIONS(m, "'num_key_value_heads' is missing");
}

TEST_F(BadInput, BadConfigValues) {
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[](json& c) { c["num_attention_heads"] = 3; }, "multiple of num_key_value_heads"},
      {[](json& c) { c["hidden_size"] = -4; }, "'hidden_size' must be in"},
      {[](json& c) { c["hidden_size"] = "64"; }, "'hidden_size' must be an integer"},
      {[](json& c) { c["num_experts_per_tok"] = 2; }, "top-1"},
      {[](json& c) { c["layer_types"] = {"hybrid"}; }, "'layer_types' has 1 entries"},
      {[](json& c) { c["layer_types"][1] = "mamba"; }, "'layer_types[1]' is 'mamba'"},
      {[](json& c) { c["layer_types"][1] = "hybrid_sliding"; }, "'sliding_window' must be set"},
      {[](json& c) { c["rope_parameters"]["hybrid"].erase("rope_theta"); }, "'rope_parameters.hybrid.rope_theta' is missing"},
      {[](json& c) { c["rope_parameters"]["hybrid"]["rope_type"] = "yarn"; }, "only \"default\" RoPE"},
      {[](json& c) { c["hidden_act"] = "gelu"; }, "'hidden_act' must be \"silu\""},
      {[](json& c) { c["model_type"] = "llama"; }, "expected \"zaya\""},
      {[](json& c) { c["eos_token_id"] = 512; }, "'eos_token_id' must be in"},
  };
  const std::string original = slurp(dir_ / "config.json");
  for (const auto& [edit, text] : cases) {
    json c = json::parse(original);
    edit(c);
    try {
      parse_config(c.dump(), "cfg.json");
      ADD_FAILURE() << "accepted: " << text;
    } catch (const ConfigError& e) {
      EXPECT_MENTIONS(std::string(e.what()), text);
      EXPECT_MENTIONS(std::string(e.what()), "cfg.json");
    }
  }
  // The real file's quirks are accepted: stray top-level rope_type, eos as a list, no layer_types.
  json ok = json::parse(original);
  ok["eos_token_id"] = {1, 106};
  ok.erase("layer_types");
  const ModelConfig mc = parse_config(ok.dump());
  EXPECT_EQ(mc.eos_token_ids, (std::vector<std::int64_t>{1, 106}));
  EXPECT_EQ(mc.rope_hybrid.theta, 5e6);
  EXPECT_EQ(mc.rotary_dims(0), 8);
}

class BadIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("zaya-badidx-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    synth::SynthOptions o;
    o.shards = 2;
    synth::write_model(o, dir_.string());
    index_ = json::parse(slurp(dir_ / "model.safetensors.index.json"));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string error_after(const std::function<void(json&)>& f) {
    json j = index_;
    f(j);
    spit(dir_ / "model.safetensors.index.json", j.dump());
    try {
      Checkpoint::open(dir_.string());
    } catch (const LoadError& e) {
      return e.what();
    }
    ADD_FAILURE() << "opened";
    return "";
  }
  fs::path dir_;
  json index_;
};

TEST_F(BadIndex, ShardedLoads) { EXPECT_NO_THROW(Checkpoint::open(dir_.string())); }

TEST_F(BadIndex, Malformed) {
  spit(dir_ / "model.safetensors.index.json", "{\"weight_map\": ");
  try {
    Checkpoint::open(dir_.string());
    ADD_FAILURE();
  } catch (const LoadError& e) {
    EXPECT_MENTIONS(std::string(e.what()), "model.safetensors.index.json: malformed JSON");
  }
}

TEST_F(BadIndex, Errors) {
  EXPECT_MENTIONS(error_after([](json& j) { j.erase("weight_map"); }), "missing 'weight_map'");
  EXPECT_MENTIONS(error_after([](json& j) { j["weight_map"]["model.norm.weight"] = "nope.safetensors"; }),
                  "shard 'nope.safetensors' listed in weight_map does not exist");
  EXPECT_MENTIONS(error_after([](json& j) { j["weight_map"]["model.norm.weight"] = "../x.safetensors"; }), "not a plain file name");
  EXPECT_MENTIONS(error_after([](json& j) { j["weight_map"]["model.norm.weight"] = 3; }), "not a file name string");
  EXPECT_MENTIONS(error_after([](json& j) { j["weight_map"]["model.ghost"] = "model-00001-of-00002.safetensors"; }),
                  "tensor 'model.ghost' is listed for shard");
  EXPECT_MENTIONS(error_after([](json& j) {
                    auto& wm = j["weight_map"];
                    const std::string f = wm["model.norm.weight"];
                    wm["model.norm.weight"] = f == "model-00001-of-00002.safetensors" ? "model-00002-of-00002.safetensors"
                                                                                        : "model-00001-of-00002.safetensors";
                  }),
                  "is not assigned to this shard");
}

TEST(SafetensorsBuffer, ParsesFromMemoryAndRejectsGarbage) {
  const std::string f = slurp(golden_dir() + "/model.safetensors");
  const auto ts = parse_safetensors(reinterpret_cast<const std::byte*>(f.data()), f.size(), "mem");
  EXPECT_GT(ts.size(), 50u);
  const std::string junk = "\x02\x00\x00\x00\x00\x00\x00\x00[]";
  EXPECT_THROW(parse_safetensors(reinterpret_cast<const std::byte*>(junk.data()), junk.size(), "mem"), LoadError);
}

}  // namespace
}  // namespace zaya::test
