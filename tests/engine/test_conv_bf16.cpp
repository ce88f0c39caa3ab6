// The grouped conv reading a pack's BF16 weights as they are
// (LayerWeights::conv1_bf16) against the fp32 path (conv1_weight), through
// cpu::cca_attention on chunks (one matmul per group) and single tokens
// (one dot per output channel): bit-identical when the fp32 weights are
// bf16 values (a bf16 checkpoint), within the rounding of bf16 otherwise.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "cpu/layers.h"
#include "cpu/state.h"
#include "kernels/convert.h"

namespace zaya::cpu {
namespace {

struct ConvCase {
  ModelConfig c;
  LayerWeights w;
  std::vector<std::vector<float>> mats;  // owns the projection matrices
  std::vector<std::uint16_t> conv1_bf16;  // [C, d, K1] bf16 of w.conv1_weight
};

std::vector<float> random_values(std::mt19937& rng, std::size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

WeightMatrix f32_matrix(ConvCase& k, std::mt19937& rng, std::int64_t rows, std::int64_t cols) {
  k.mats.push_back(random_values(rng, static_cast<std::size_t>(rows * cols), -0.3f, 0.3f));
  WeightMatrix m;
  m.dtype = DType::F32;
  m.rows = rows;
  m.cols = cols;
  m.data = k.mats.back().data();
  m.row_stride_bytes = static_cast<std::size_t>(cols) * sizeof(float);
  return m;
}

// One layer of H = 64, 4 query / 2 KV heads of 16, kernels of 2. With
// `representable` the fp32 conv weights are bf16 values.
ConvCase make_case(bool representable) {
  ConvCase k;
  ModelConfig& c = k.c;
  c.hidden_size = 64, c.num_layers = 1, c.num_heads = 4, c.num_kv_heads = 2, c.head_dim = 16;
  c.cca_time0 = 2, c.cca_time1 = 2, c.layer_types = {LayerType::Hybrid};
  c.rope_hybrid = {5e6, 0.5};
  c.vocab_size = 16, c.num_experts = 2, c.moe_intermediate_size = 8, c.router_hidden_size = 8;
  const std::int64_t H = c.hidden_size, d = c.head_dim, C = c.conv_channels(), R = c.value_half();
  std::mt19937 rng(7);
  k.mats.reserve(8);
  LayerWeights& w = k.w;
  w.q_proj = f32_matrix(k, rng, c.q_width(), H);
  w.k_proj = f32_matrix(k, rng, c.kv_width(), H);
  w.v_current = f32_matrix(k, rng, R, H);
  w.v_delayed = f32_matrix(k, rng, R, H);
  w.o_proj = f32_matrix(k, rng, H, c.q_width());
  w.conv0_weight = random_values(rng, static_cast<std::size_t>(C * 2), 0.2f, 0.8f);
  w.conv0_bias = random_values(rng, static_cast<std::size_t>(C), -0.2f, 0.2f);
  w.conv1_weight = random_values(rng, static_cast<std::size_t>(C * d * 2), -0.2f, 0.2f);
  w.conv1_bias = random_values(rng, static_cast<std::size_t>(C), -0.2f, 0.2f);
  w.key_temperature = random_values(rng, 2, 0.8f, 3.0f);
  k.conv1_bf16.resize(w.conv1_weight.size());
  for (std::size_t i = 0; i < w.conv1_weight.size(); ++i) {
    k.conv1_bf16[i] = f32_to_bf16(w.conv1_weight[i]);
    if (representable) w.conv1_weight[i] = bf16_to_f32(k.conv1_bf16[i]);
  }
  return k;
}

// The same layer with its grouped conv as a BF16 [C, d·K1] view, as the pack loader binds it.
LayerWeights with_bf16_conv(const ConvCase& k) {
  LayerWeights w = k.w;
  const std::int64_t cols = k.c.head_dim * k.c.cca_time1;
  w.conv1_weight.clear();
  w.conv1_bf16.dtype = DType::BF16;
  w.conv1_bf16.rows = k.c.conv_channels();
  w.conv1_bf16.cols = cols;
  w.conv1_bf16.data = k.conv1_bf16.data();
  w.conv1_bf16.row_stride_bytes = static_cast<std::size_t>(cols) * 2;
  return w;
}

// Traces of chunks of 6 (matmul path), 1, 1 (dot path) and 5 tokens fed
// one after the other: per chunk, "attn.conv_mid" [S + K1 - 1, C],
// "attn.conv_out" [S, C] and "attn.out" [S, H].
std::vector<std::map<std::string, std::vector<float>>> run_chunks(const ModelConfig& c, const LayerWeights& w) {
  const std::vector<std::int64_t> chunks = {6, 1, 1, 5};
  CpuSequenceState state(c);
  state.reserve(13);
  ThreadPool pool(2);
  std::mt19937 rng(11);
  std::vector<std::map<std::string, std::vector<float>>> out;
  std::int64_t p0 = 0;
  for (std::int64_t S : chunks) {
    const auto x = random_values(rng, static_cast<std::size_t>(S * c.hidden_size), -1.0f, 1.0f);  // [S, H]
    std::map<std::string, std::vector<float>> got;
    const TraceSink sink = [&](const std::string& name, const float* data, const std::vector<std::int64_t>& shape) {
      std::int64_t n = 1;
      for (auto e : shape) n *= e;
      got[name.substr(name.find('.') + 1)].assign(data, data + n);
    };
    std::vector<float> y(static_cast<std::size_t>(S * c.hidden_size));  // [S, H]
    cca_attention(c, w, loaded_matrices(w), 0, x.data(), S, p0, state.layers[0], y.data(), pool, LayerTrace{&sink, 0});
    p0 += S;
    state.length_ = p0;
    out.push_back(std::move(got));
  }
  return out;
}

TEST(ConvBf16, SameOutputAsFp32OnBf16Weights) {
  const ConvCase k = make_case(/*representable=*/true);
  const auto want = run_chunks(k.c, k.w);
  const auto got = run_chunks(k.c, with_bf16_conv(k));
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    for (const char* name : {"attn.conv_out", "attn.out"}) {
      const auto& a = got[i].at(name);
      const auto& b = want[i].at(name);
      ASSERT_EQ(a.size(), b.size()) << name;
      for (std::size_t j = 0; j < a.size(); ++j) ASSERT_EQ(a[j], b[j]) << "chunk " << i << " " << name << " value " << j;
    }
}

// Each bf16 weight is within 2^-9 (relative) of its fp32 value, so output
// channel o at position t moves by at most 2^-9 · Σ |W1[o, ·]| · |z[·]| over
// the inputs it reads (plus fp32 rounding).
TEST(ConvBf16, WithinRoundingOfFp32Weights) {
  const ConvCase k = make_case(/*representable=*/false);
  const auto want = run_chunks(k.c, k.w);
  const auto got = run_chunks(k.c, with_bf16_conv(k));
  const std::int64_t C = k.c.conv_channels(), d = k.c.head_dim, K1 = k.c.cca_time1;
  double largest = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& z = want[i].at("attn.conv_mid");  // [S + K1 - 1, C], the same on both paths
    const auto& a = got[i].at("attn.conv_out");
    const auto& b = want[i].at("attn.conv_out");
    const auto S = static_cast<std::int64_t>(b.size()) / C;
    for (std::int64_t t = 0; t < S; ++t)
      for (std::int64_t o = 0; o < C; ++o) {
        const std::int64_t g0 = o / d * d;
        double bound = 0;
        for (std::int64_t ci = 0; ci < d; ++ci)
          for (std::int64_t j = 0; j < K1; ++j)
            bound += std::fabs(k.w.conv1_weight[static_cast<std::size_t>((o * d + ci) * K1 + j)]) *
                     std::fabs(z[static_cast<std::size_t>((t + j) * C + g0 + ci)]);
        const double diff = std::fabs(a[static_cast<std::size_t>(t * C + o)] - b[static_cast<std::size_t>(t * C + o)]);
        ASSERT_LE(diff, bound / 512.0 * 1.01 + 1e-5) << "chunk " << i << " position " << t << " channel " << o;
        largest = std::max(largest, diff);
      }
  }
  EXPECT_GT(largest, 0.0) << "the bf16 weights were not the ones read";
}

}  // namespace
}  // namespace zaya::cpu
