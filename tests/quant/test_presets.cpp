// Quantisation presets (pack/presets.h, zaya/quantize.h): each preset's
// per-group formats, the weight bytes a decode step reads (against a sum
// written out here independently), and the packs they make: zaya-quantize
// and the synthetic writer give the same formats, the tensor list and pack
// sizes are the writer's, and a pack from before the presets (BF16 router,
// F32 conv) still loads and runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pack/load_pack.h"
#include "pack/presets.h"
#include "pack/quantize.h"
#include "pack/synthetic_pack.h"
#include "pack/tensor_list.h"
#include "zaya/model.h"
#include "zaya/quantize.h"
#include "zaya/session.h"

namespace zaya::pack {
namespace {

namespace fs = std::filesystem;
const fs::path kTiny = fs::path(ZAYA_TESTDATA_DIR) / "zaya-tiny";

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Formats {
  const char* name;
  DType experts, attention, head, router, conv;
};
constexpr Formats kNamed[] = {
    {"default", DType::Q4_G32, DType::Q4_G32, DType::Q8_G32, DType::Q8_G32, DType::BF16},
    {"q4", DType::Q4_G32, DType::Q4_G32, DType::Q4_G32, DType::Q8_G32, DType::BF16},
    {"q8", DType::Q8_G32, DType::Q8_G32, DType::Q8_G32, DType::Q8_G32, DType::BF16},
};

void expect_formats(const QuantizePreset& p, const Formats& f) {
  EXPECT_EQ(p.name, f.name);
  EXPECT_EQ(p.experts, f.experts) << f.name;
  EXPECT_EQ(p.attention, f.attention) << f.name;
  EXPECT_EQ(p.head, f.head) << f.name;
  EXPECT_EQ(p.router, f.router) << f.name;
  EXPECT_EQ(p.conv, f.conv) << f.name;
}

TEST(Presets, NamedPresetsAndTheirFormats) {
  for (const Formats& f : kNamed) expect_formats(quantize_preset(f.name), f);
  ASSERT_EQ(named_presets().size(), 3u);
  const auto pub = zaya::quantize_presets();
  ASSERT_EQ(pub.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(named_presets()[i].name, kNamed[i].name);
    EXPECT_EQ(pub[i].name, kNamed[i].name);
    EXPECT_FALSE(pub[i].description.empty());
  }
  // The default of every entry point is the trusted mix.
  EXPECT_EQ(QuantizeOptions{}.preset.name, "default");
  EXPECT_EQ(zaya::QuantizeToPackOptions{}.preset, "default");
}

TEST(Presets, CustomMixes) {
  // Three parts: router and conv as in `default`.
  expect_formats(quantize_preset("q8/q4/f"), {"q8/q4/f", DType::Q8_G32, DType::Q4_G32, DType::BF16, DType::Q8_G32, DType::BF16});
  expect_formats(quantize_preset("f/f/f/f/f32"), {"f/f/f/f/f32", DType::BF16, DType::BF16, DType::BF16, DType::BF16, DType::F32});
  expect_formats(quantize_preset("q4/q4/q4/q4/bf16"),
                 {"q4/q4/q4/q4/bf16", DType::Q4_G32, DType::Q4_G32, DType::Q4_G32, DType::Q4_G32, DType::BF16});
  for (const char* bad : {"", "q5", "int4", "q4/q4", "q4/q4/q4/q8", "q4/q4/q4/q8/f16", "q4/q4/q4/q8/q8", "q4/q4/q4/q8/bf16/x"})
    EXPECT_THROW(quantize_preset(bad), std::invalid_argument) << bad;
  EXPECT_THROW(zaya::preset_bytes_per_token("q5", ModelConfig{}), std::invalid_argument);
}

TEST(Presets, TensorGroupsAndPackTypes) {
  const std::string l = "model.layers.3.";
  const std::pair<std::string, TensorGroup> cases[] = {
      {"model.embed_tokens.weight", TensorGroup::Head},
      {l + "mlp.experts.gate_up_proj", TensorGroup::Experts},
      {l + "mlp.experts.down_proj", TensorGroup::Experts},
      {l + "self_attn.qkv_proj.q_proj.weight", TensorGroup::Attention},
      {l + "self_attn.qkv_proj.v_proj_delayed.weight", TensorGroup::Attention},
      {l + "self_attn.o_proj.weight", TensorGroup::Attention},
      {l + "mlp.gate.down_proj.weight", TensorGroup::Router},
      {l + "mlp.gate.router_mlp.fc1.weight", TensorGroup::Router},
      {l + "mlp.gate.router_mlp.fc2.weight", TensorGroup::Router},
      {l + "mlp.gate.router_mlp.out_proj.weight", TensorGroup::Router},
      {l + "self_attn.qkv_proj.conv_qk_depthwise.weight", TensorGroup::Conv},
      {l + "self_attn.qkv_proj.conv_qk_grouped.weight", TensorGroup::Conv},
      {l + "mlp.gate.down_proj.bias", TensorGroup::Vector},
      {l + "mlp.gate.router_mlp.norm.weight", TensorGroup::Vector},
      {l + "mlp.gate.balancing_biases", TensorGroup::Vector},
      {l + "self_attn.qkv_proj.conv_qk_grouped.bias", TensorGroup::Vector},
      {"model.norm.weight", TensorGroup::Vector},
  };
  for (const auto& [name, group] : cases) EXPECT_EQ(tensor_group(name), group) << name;
  const QuantizePreset d = quantize_preset("default"), f = quantize_preset("f/f/f/f/f32");
  EXPECT_EQ(pack_dtype(d, TensorGroup::Router, DType::BF16), DType::Q8_G32);
  EXPECT_EQ(pack_dtype(d, TensorGroup::Conv, DType::F32), DType::BF16);
  EXPECT_EQ(pack_dtype(d, TensorGroup::Vector, DType::BF16), DType::F32);
  EXPECT_EQ(pack_dtype(f, TensorGroup::Router, DType::F16), DType::F16);  // kept in the checkpoint's type
  EXPECT_EQ(pack_dtype(f, TensorGroup::Conv, DType::BF16), DType::F32);
}

// Bytes of one row of `cols` weights: 32-weight groups of 16 (Q4) or 32
// (Q8) bytes plus a 2-byte scale each; 2 or 4 bytes a weight for floats.
std::uint64_t row(DType t, std::uint64_t cols) {
  switch (t) {
    case DType::Q4_G32: return cols / 32 * 18;
    case DType::Q8_G32: return cols / 32 * 34;
    case DType::BF16: return cols * 2;
    default: return cols * 4;
  }
}

// ZAYA1-8B, written out from the spec (§2, §7) rather than from the config.
std::uint64_t expected_8b(const Formats& f) {
  const std::uint64_t head = 262272 * row(f.head, 2048);
  const std::uint64_t attention = (1024 + 256 + 128 + 128) * row(f.attention, 2048) + 2048 * row(f.attention, 1024);
  const std::uint64_t router = 256 * row(f.router, 2048) + 2 * 256 * row(f.router, 256) + 17 * row(f.router, 256);
  const std::uint64_t expert = 4096 * row(f.experts, 2048) + 2048 * row(f.experts, 2048);
  const std::uint64_t conv = 1280 * row(f.conv, 128 * 2) + 1280 * 2 * 4;  // grouped as stored, depthwise fp32
  return head + 40 * (attention + router + expert + conv);
}

TEST(Presets, BytesPerTokenOfZaya1_8B) {
  const ModelConfig c = parse_config(zaya1_8b_config_json());
  std::map<std::string, double> gb;
  for (const Formats& f : kNamed) {
    const std::uint64_t want = expected_8b(f);
    EXPECT_EQ(decode_bytes_per_token(quantize_preset(f.name), c), want) << f.name;
    EXPECT_EQ(zaya::preset_bytes_per_token(f.name, c), want) << f.name;
    gb[f.name] = static_cast<double>(want) / 1e9;
    std::printf("%-8s %.4f GB per token, %.3f GB of tensors\n", f.name, gb[f.name],
                static_cast<double>(zaya::preset_pack_bytes(f.name, c)) / 1e9);
  }
  EXPECT_NEAR(gb["default"], 1.026, 0.005);
  EXPECT_GE(gb["q4"], 0.73);
  EXPECT_LE(gb["q4"], 0.76);
  EXPECT_NEAR(gb["q8"], 1.383, 0.005);
  // The 8-bit head is most of what `default` adds to q4.
  EXPECT_EQ(expected_8b(kNamed[0]) - expected_8b(kNamed[1]), 262272ull * (64 * 34 - 64 * 18));
}

// zaya-tiny converted with each named preset, and the synthetic writer's
// pack of the same config and preset.
class PresetPacks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("zaya-presets-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    for (const Formats& f : kNamed) {
      QuantizeOptions o;
      o.preset = quantize_preset(f.name);
      o.threads = 2;
      quantize_checkpoint(kTiny.string(), path(f.name), o);
      write_synthetic_pack(path(std::string(f.name) + "-synthetic"), read_text(kTiny / "config.json"), synthetic_pack_options(f.name));
    }
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static std::string path(const std::string& stem) { return (dir_ / (stem + ".pack")).string(); }
  static fs::path dir_;
};
fs::path PresetPacks::dir_;

std::map<std::string, const PackEntry*> tensors_of(const PackReader& r) {
  std::map<std::string, const PackEntry*> m;
  for (const PackEntry& e : r.entries())
    if (e.kind == EntryKind::Tensor) m[e.name] = &e;
  return m;
}

TEST_F(PresetPacks, SyntheticPacksHaveTheQuantizersFormats) {
  for (const Formats& f : kNamed) {
    SCOPED_TRACE(f.name);
    const MappedPack q(path(f.name)), s(path(std::string(f.name) + "-synthetic"));
    const auto qt = tensors_of(q.reader()), st = tensors_of(s.reader());
    ASSERT_EQ(qt.size(), st.size());
    for (const auto& [name, e] : qt) {
      ASSERT_TRUE(st.count(name)) << name;
      EXPECT_EQ(st.at(name)->dtype, e->dtype) << name;
      EXPECT_EQ(st.at(name)->shape, e->shape) << name;
    }
    EXPECT_EQ(q.reader().at("model.layers.1.mlp.gate.router_mlp.out_proj.weight").dtype, f.router);
    EXPECT_EQ(q.reader().at("model.layers.1.self_attn.qkv_proj.conv_qk_grouped.weight").dtype, f.conv);
    EXPECT_EQ(q.reader().at("model.layers.1.self_attn.qkv_proj.conv_qk_depthwise.weight").dtype, f.conv);
    const auto qj = nlohmann::json::parse(q.reader().blob_text("pack.json"));
    const auto sj = nlohmann::json::parse(s.reader().blob_text("pack.json"));
    for (const char* key : {"preset", "experts", "attention", "head", "router", "conv", "vectors"}) EXPECT_EQ(qj.at(key), sj.at(key)) << key;
    EXPECT_EQ(qj.at("preset"), f.name);
    EXPECT_EQ(qj.at("router"), dtype_name(f.router));
    EXPECT_EQ(qj.at("conv"), dtype_name(f.conv));
  }
}

TEST_F(PresetPacks, TensorListAndSizesAreTheWrittenPacks) {
  const ModelConfig c = load_config(kTiny.string());
  for (const Formats& f : kNamed) {
    SCOPED_TRACE(f.name);
    const MappedPack q(path(f.name));
    const auto qt = tensors_of(q.reader());
    const auto listed = checkpoint_tensors(c);
    ASSERT_EQ(listed.size(), qt.size());
    std::uint64_t aligned = 0;
    for (const CheckpointTensor& t : listed) {
      ASSERT_TRUE(qt.count(t.name)) << t.name;
      EXPECT_EQ(qt.at(t.name)->shape, t.shape) << t.name;
      aligned += (qt.at(t.name)->size + 4095) / 4096 * 4096;
    }
    EXPECT_EQ(pack_tensor_bytes(quantize_preset(f.name), c), aligned);
    // A loaded pack's bytes per token are its preset's (one function counts both).
    const ModelWeights w = load_pack_model(path(f.name));
    EXPECT_EQ(decode_bytes_per_token(w), decode_bytes_per_token(quantize_preset(f.name), c));
    EXPECT_NE(w.layers[0].conv1_bf16.data, nullptr);
    EXPECT_TRUE(w.layers[0].conv1_weight.empty());
    EXPECT_EQ(w.layers[0].router_out.dtype, f.router);
  }
}

// The pack zaya-bench wrote before presets (SyntheticPackOptions' member
// defaults, the same formats as zaya-quantize's old q4): BF16 router, F32 conv.
TEST_F(PresetPacks, PackFromBeforePresetsStillLoadsAndRuns) {
  const std::string old = path("before-presets");
  write_synthetic_pack(old, read_text(kTiny / "config.json"), SyntheticPackOptions{});
  {
    const MappedPack p(old);
    EXPECT_EQ(p.reader().at("model.layers.0.self_attn.qkv_proj.conv_qk_grouped.weight").dtype, DType::F32);
    EXPECT_EQ(p.reader().at("model.layers.0.mlp.gate.down_proj.weight").dtype, DType::BF16);
  }
  auto w = std::make_shared<ModelWeights>(load_pack_model(old, {}, nullptr, true, true));
  EXPECT_EQ(w->layers[0].conv1_bf16.data, nullptr);
  EXPECT_EQ(w->layers[0].conv1_weight.size(), static_cast<std::size_t>(w->config.conv_channels() * w->config.head_dim * 2));
  EXPECT_EQ(decode_bytes_per_token(*w), decode_bytes_per_token(quantize_preset("q4/q4/q4/f/f32"), w->config));
  LoadOptions o;
  o.device = DeviceKind::Cpu;
  o.threads = 2;
  Session s(Model::from_weights(w, o));
  std::vector<float> logits;
  const std::vector<TokenId> ids = {2, 242, 209, 29, 184};
  s.feed(ids, &logits);
  s.feed(std::span(ids).first(1), &logits);
  ASSERT_FALSE(logits.empty());
  for (float v : logits) ASSERT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace zaya::pack
