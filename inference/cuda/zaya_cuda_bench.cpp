// zaya-cuda-bench: batch-1 decode and prefill speed of the CUDA backend on
// a model with the real ZAYA1-8B shapes and random weights, built in memory
// (no pack file needed: only the shapes and formats matter for speed).
//
//   zaya-cuda-bench [--quant q4|q8|bf16] [--context N] [--prompt N]
//                   [--decode-tokens N] [--exact] [--no-graphs]
//
// Prints one line per measurement and a final "result ..." line that
// tools/gpu-check.sh collects into its table.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "device/cuda_backend.h"
#include "kernels.h"
#include "util/cli_args.h"
#include "zaya/device.h"

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "zaya-cuda-bench: %s\nusage: zaya-cuda-bench [--quant q4|q8|bf16] [--context N] [--prompt N] "
                       "[--decode-tokens N] [--exact] [--no-graphs]\n", why);
  std::exit(2);
}

zaya::ModelConfig zaya1_8b() {
  zaya::ModelConfig c;
  c.vocab_size = 262272, c.hidden_size = 2048, c.num_layers = 40, c.num_heads = 8, c.num_kv_heads = 2, c.head_dim = 128;
  c.cca_time0 = 2, c.cca_time1 = 2, c.num_experts = 16, c.moe_intermediate_size = 2048, c.router_hidden_size = 256;
  c.rms_norm_eps = 1e-5, c.max_position_embeddings = 131072;
  c.layer_types.assign(40, zaya::LayerType::Hybrid);
  c.rope_hybrid = {5e6, 0.5};
  c.rope_hybrid_sliding = {1e4, 0.5};
  c.bos_token_id = 2, c.pad_token_id = 0, c.eos_token_ids = {106};
  return c;
}

// Random weight bytes shared by all matrices of one format: every matrix is
// a view into the same block (the device gets its own copy of each), so the
// host needs one matrix's worth of memory, not the model's.
struct Blocks {
  std::vector<std::uint8_t> data;    // random quantised bytes or bf16 values
  std::vector<std::uint16_t> scales;  // fp16 group scales
};

Blocks make_blocks(zaya::DType t, std::size_t bytes) {
  Blocks b;
  b.data.resize(bytes);
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned k = 0; k < threads; ++k)
    pool.emplace_back([&, k] {
      std::mt19937_64 g(1234 + k);
      const std::size_t n = bytes / 2, lo = n * k / threads, hi = n * (k + 1) / threads;
      auto* p = reinterpret_cast<std::uint16_t*>(b.data.data());
      for (std::size_t i = lo; i < hi; ++i) {
        const std::uint64_t r = g();
        if (t == zaya::DType::BF16) {
          // Values in ±(2^-6 .. 2^-4): exponent 121..123, random sign and mantissa.
          p[i] = static_cast<std::uint16_t>(((r & 1) << 15) | ((121 + (r >> 1) % 3) << 7) | ((r >> 8) & 0x7f));
        } else {
          p[i] = static_cast<std::uint16_t>(r);
        }
      }
    });
  for (auto& th : pool) th.join();
  b.scales.assign(bytes / 16 + 64, 0x2000);  // fp16 0.0078125
  return b;
}

zaya::WeightMatrix view(zaya::DType t, std::int64_t rows, std::int64_t cols, const Blocks& b) {
  zaya::WeightMatrix m;
  m.dtype = t, m.rows = rows, m.cols = cols, m.data = b.data.data();
  const std::size_t groups = static_cast<std::size_t>((cols + 31) / 32);
  switch (t) {
    case zaya::DType::BF16: m.row_stride_bytes = static_cast<std::size_t>(cols) * 2; break;
    case zaya::DType::Q8_G32: m.row_stride_bytes = groups * 32; break;
    default: m.row_stride_bytes = groups * 16; break;
  }
  if (t != zaya::DType::BF16) m.scales = b.scales.data(), m.scale_row_stride_bytes = groups * 2;
  if (m.row_stride_bytes * static_cast<std::size_t>(rows) > b.data.size()) throw std::logic_error("bench block too small");
  return m;
}

std::shared_ptr<zaya::ModelWeights> synthetic_8b(zaya::DType t, const Blocks& big, const Blocks& small) {
  auto w = std::make_shared<zaya::ModelWeights>();
  zaya::ModelConfig& c = w->config;
  c = zaya1_8b();
  const std::int64_t H = c.hidden_size, D = c.router_hidden_size, I = c.moe_intermediate_size, E = c.num_experts;
  const std::int64_t C = c.conv_channels(), d = c.head_dim;
  auto ones = [](std::int64_t n) { return std::vector<float>(static_cast<std::size_t>(n), 1.0f); };
  auto zeros = [](std::int64_t n) { return std::vector<float>(static_cast<std::size_t>(n), 0.0f); };
  auto rnd = [](std::int64_t n, float a) {
    std::mt19937 g(7);
    std::uniform_real_distribution<float> u(-a, a);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (auto& x : v) x = u(g);
    return v;
  };
  w->embed = view(t, c.vocab_size, H, big);
  w->input_scale = ones(H), w->input_bias = zeros(H), w->final_norm = ones(H);
  w->layers.resize(static_cast<std::size_t>(c.num_layers));
  for (std::size_t i = 0; i < w->layers.size(); ++i) {
    auto& l = w->layers[i];
    l.input_norm = ones(H);
    l.q_proj = view(t, c.q_width(), H, small), l.k_proj = view(t, c.kv_width(), H, small);
    l.v_current = view(t, c.value_half(), H, small), l.v_delayed = view(t, c.value_half(), H, small);
    l.conv0_weight = rnd(C * 2, 0.5f), l.conv0_bias = zeros(C);
    l.conv1_weight = rnd(C * d * 2, 0.05f), l.conv1_bias = zeros(C);
    l.key_temperature = ones(c.num_kv_heads);
    l.o_proj = view(t, H, c.q_width(), small);
    l.post_attention = {ones(H), zeros(H), ones(H), zeros(H)};
    l.post_attention_norm = ones(H);
    l.router_down = view(t, D, H, small), l.router_down_bias = zeros(D);
    if (i > 0) l.router_states_scale = ones(D);
    l.router_norm = ones(D);
    l.router_fc1 = view(t, D, D, small), l.router_fc1_bias = zeros(D);
    l.router_fc2 = view(t, D, D, small), l.router_fc2_bias = zeros(D);
    l.router_out = view(t, E + 1, D, small);
    l.balancing_biases = zeros(E + 1);
    l.balancing_biases[static_cast<std::size_t>(E)] = -1.0f;  // the real model's skip bias: never chosen
    for (std::int64_t e = 0; e < E; ++e) {
      l.expert_gate_up.push_back(view(t, 2 * I, H, small));
      l.expert_down.push_back(view(t, H, I, small));
    }
    l.post_mlp = {ones(H), zeros(H), ones(H), zeros(H)};
  }
  return w;
}

std::uint64_t matrix_bytes(const zaya::WeightMatrix& m) {
  return static_cast<std::uint64_t>(m.rows) * (m.row_stride_bytes + m.scale_row_stride_bytes);
}

}  // namespace

int main(int argc, char** argv) {
  std::string quant = "q4";
  std::int64_t context = 128, prompt = 2048, decode_tokens = 128;
  zaya::CudaBackendOptions o;
  for (zaya::CliArgs args(argc, argv, usage); args.next();) {
    const std::string& a = args.flag();
    if (a == "--quant") quant = args.value();
    else if (a == "--context") context = args.positive();
    else if (a == "--prompt") prompt = args.positive();
    else if (a == "--decode-tokens") decode_tokens = args.positive();
    else if (a == "--exact") o.exact = true;
    else if (a == "--no-graphs") o.use_graphs = false;
    else usage(("unknown argument " + a).c_str());
  }
  if (quant != "q4" && quant != "q8" && quant != "bf16") usage("--quant must be q4, q8 or bf16");
  const zaya::DType t = quant == "q4" ? zaya::DType::Q4_G32 : quant == "q8" ? zaya::DType::Q8_G32 : zaya::DType::BF16;
  const auto& probe = zaya::probe_cuda();
  if (probe.status != zaya::CudaStatus::Available) {
    std::string why = probe.message;  // written for the app, which goes on with the CPU; this tool stops
    if (const auto at = why.find("; using the CPU"); at != std::string::npos) why.erase(at);
    std::fprintf(stderr, "zaya-cuda-bench: the GPU cannot be used (%s): %s\n", zaya::to_string(probe.status), why.c_str());
    return 3;
  }
  try {
    const double copy_gbs = zaya::cuda::measure_copy_gbs(std::size_t{1} << 30, 20);
    auto t0 = Clock::now();
    const Blocks big = make_blocks(t, 262272ull * 2048 * 2 + (1 << 20));  // the embedding in any format
    const Blocks& small = big;
    auto w = synthetic_8b(t, big, small);
    const auto& c = w->config;
    o.max_chunk = std::max<std::int64_t>(512, std::min<std::int64_t>(prompt, 2048));
    o.reserve_context = std::max(context, prompt) + decode_tokens + 16;
    std::string err;
    auto be = zaya::create_cuda_backend(w, o, &err);
    if (!be) throw std::runtime_error(err);
    std::fprintf(stderr, "zaya-cuda-bench: %s, weights built and uploaded in %.1f s\n", be->description().c_str(), since(t0));

    // Bytes one decode step must read: attention and router matrices, one
    // expert per layer, the whole LM head, plus the K/V cache up to `context`.
    std::uint64_t weights = matrix_bytes(w->embed);
    for (const auto& l : w->layers) {
      for (const auto* m : {&l.q_proj, &l.k_proj, &l.v_current, &l.v_delayed, &l.o_proj, &l.router_down, &l.router_fc1,
                            &l.router_fc2, &l.router_out})
        weights += matrix_bytes(*m);
      weights += matrix_bytes(l.expert_gate_up[0]) + matrix_bytes(l.expert_down[0]);
    }
    const std::uint64_t kv = static_cast<std::uint64_t>(context) * c.num_layers * 2 * c.kv_width() * (o.exact ? 4 : 2);

    std::mt19937 g(99);
    auto ids = [&](std::int64_t n) {
      std::vector<zaya::TokenId> v(static_cast<std::size_t>(n));
      for (auto& x : v) x = static_cast<zaya::TokenId>(3 + g() % (c.vocab_size - 3));
      return v;
    };
    std::vector<float> logits(static_cast<std::size_t>(c.vocab_size));
    std::vector<zaya::RoutingDecision> routing(static_cast<std::size_t>(c.num_layers));

    // Decode: fill `context` positions, warm up (graph capture), time steps
    // the way a session runs them (last-position logits and routing back).
    double decode_tok_s = 0;
    {
      auto st = be->new_sequence();
      const auto ctx = ids(context);
      zaya::ForwardRequest f;
      f.ids = ctx;
      be->forward(*st, f);
      const auto steps = ids(decode_tokens + 3);
      for (std::int64_t i = 0; i < decode_tokens + 3; ++i) {
        if (i == 3) t0 = Clock::now();
        zaya::ForwardRequest r;
        r.ids = std::span<const zaya::TokenId>(steps.data() + i, 1);
        r.logits = logits.data();
        r.routing = routing.data();
        be->forward(*st, r);
      }
      decode_tok_s = static_cast<double>(decode_tokens) / since(t0);
    }
    // Prefill: one prompt into a fresh sequence (after one warm-up prompt).
    double prefill_tok_s = 0;
    for (int rep = 0; rep < 2; ++rep) {
      auto st = be->new_sequence();
      const auto p = ids(prompt);
      zaya::ForwardRequest r;
      r.ids = p;
      r.logits = logits.data();
      t0 = Clock::now();
      be->forward(*st, r);
      prefill_tok_s = static_cast<double>(prompt) / since(t0);
    }
    const double achieved = static_cast<double>(weights + kv) * decode_tok_s / 1e9;
    std::printf("decode   %.1f tok/s at context %lld: %.3f GB/token (weights %.3f + K/V %.3f), %.0f GB/s = %.0f %% of the "
                "measured %.0f GB/s copy bandwidth\n",
                decode_tok_s, static_cast<long long>(context), (weights + kv) / 1e9, weights / 1e9, kv / 1e9, achieved,
                100.0 * achieved / copy_gbs, copy_gbs);
    std::printf("prefill  %.0f tok/s (%lld-token prompt)\n", prefill_tok_s, static_cast<long long>(prompt));
    std::printf("result quant=%s mode=%s context=%lld decode_tok_s=%.1f achieved_gbs=%.0f copy_gbs=%.0f fraction=%.2f "
                "prompt=%lld prefill_tok_s=%.0f\n",
                quant.c_str(), o.exact ? "exact" : "fast", static_cast<long long>(context), decode_tok_s, achieved, copy_gbs,
                achieved / copy_gbs, static_cast<long long>(prompt), prefill_tok_s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zaya-cuda-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
