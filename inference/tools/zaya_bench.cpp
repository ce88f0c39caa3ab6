// zaya-bench: decode and prefill speed of the engine on a real-shape model.
//
//   zaya-bench --synthetic zaya1-8b --quant default|q4|q8 --device cpu|cuda
//              [--threads N] [--context 128|2048|8192] [--decode-tokens 32]
//              [--prompt 512] [--generate N] [--pack FILE] [--json FILE]
//              [--kv-cache auto|f32|f16|q8]
//
// --synthetic writes (once, cached by shape and formats under
// ${ZAYA_CACHE_DIR:-~/.cache/zaya-tutor}/bench) a random pack with the real
// ZAYA1-8B shapes directly in the formats of preset --quant (exactly what
// `zaya-quantize --preset` writes); --pack runs any pack.
// Reports batch-1 decode tok/s after `context` tokens, prefill tok/s of one
// `prompt`-token chunk, weight bytes read per decoded token, the bandwidth
// that achieves, the machine's streaming read bandwidth measured in the same
// run (the roofline), and peak RSS. --generate N also times a whole N-token
// generation after the `prompt`-token prompt (one token per step, the K/V
// cache growing), with the bytes per token counting the cache. With --device cuda the model runs on the
// GPU through the run-time-loaded backend, and the roofline is the device's
// measured device-to-device copy bandwidth. --kv-cache picks the CPU's K/V
// cache element type (auto: fp16 for a pack); the GPU keeps its own (fp16).
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "device/cuda_backend.h"
#include "kernels/matmul.h"
#include "pack/load_pack.h"
#include "pack/presets.h"
#include "pack/synthetic_pack.h"
#include "quant/cpu_level.h"
#include "quant/stream_bandwidth.h"
#include "util/cli_args.h"
#include "util/stage_clock.h"
#include "zaya/device.h"
#include "zaya/model.h"
#include "zaya/session.h"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU seconds of the whole process (all threads). On a shared machine the
// wall clock also counts other people's jobs; CPU time counts only ours.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "zaya-bench: %s\n"
               "usage: zaya-bench (--synthetic zaya1-8b | --pack FILE) [--quant default|q4|q8] [--device cpu|cuda]\n"
               "                  [--threads N] [--context N] [--decode-tokens N] [--prompt N] [--generate N]\n"
               "                  [--json FILE]\n"
               "                  [--kv-cache auto|f32|f16|q8]   (CPU K/V cache element type; auto: f16 for a pack)\n"
               "                  [--profile]   (CPU: wall time per forward-pass stage, decode and prefill)\n",
               why);
  std::exit(2);
}

std::string cache_dir() {
  if (const char* d = std::getenv("ZAYA_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/zaya-tutor";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.cache/zaya-tutor";
}

// The stage clock's split of the last timed phase (CPU backend): time scaled
// by `scale` in `unit`, and thread-pool barriers (parallel_for calls) divided
// by `per`.
void print_stages(const char* what, double scale, const char* unit, double per) {
  double total = 0;
  std::int64_t barriers = zaya::stage_barriers(zaya::Stage::kCount);
  for (int i = 0; i < static_cast<int>(zaya::Stage::kCount); ++i) {
    total += zaya::stage_seconds(static_cast<zaya::Stage>(i));
    barriers += zaya::stage_barriers(static_cast<zaya::Stage>(i));
  }
  std::fprintf(stderr, "zaya-bench: stages (%s):                 barriers\n", what);
  for (int i = 0; i < static_cast<int>(zaya::Stage::kCount); ++i) {
    const auto s = static_cast<zaya::Stage>(i);
    std::fprintf(stderr, "  %-16s %9.3f %s  %5.1f %%  %7.1f\n", zaya::stage_name(s), zaya::stage_seconds(s) * scale, unit,
                 total > 0 ? 100.0 * zaya::stage_seconds(s) / total : 0.0, static_cast<double>(zaya::stage_barriers(s)) / per);
  }
  std::fprintf(stderr, "  %-16s %28.1f\n", "all (barriers)", static_cast<double>(barriers) / per);
}

// K/V cache bytes that decode steps at positions first .. first + steps - 1
// read, averaged over the steps: each layer reads K and V at every position
// it sees (a sliding-window layer at most its window). `row_bytes`: one
// position of one KV head in the cache's element type (zaya::kv_cache_row_bytes).
std::uint64_t kv_bytes_per_step(const zaya::ModelConfig& c, std::int64_t first, std::int64_t steps, std::uint64_t row_bytes) {
  if (steps < 1) return 0;
  double total = 0;
  for (std::int64_t pos = first; pos < first + steps; ++pos)
    for (std::int64_t layer = 0; layer < c.num_layers; ++layer) {
      std::int64_t seen = pos + 1;
      if (c.layer_types[static_cast<std::size_t>(layer)] == zaya::LayerType::HybridSliding && c.sliding_window > 0)
        seen = std::min(seen, c.sliding_window);
      total += static_cast<double>(seen * 2 * c.num_kv_heads) * static_cast<double>(row_bytes);
    }
  return static_cast<std::uint64_t>(total / static_cast<double>(steps));
}

// One timed generation (--generate).
struct GenerationRun {
  double tok_s = 0;
  double quarter_tok_s[4] = {0, 0, 0, 0};  // speed over each quarter of the steps
  double cpu_seconds_per_token = 0;
  std::uint64_t kv_bytes_per_token = 0;    // averaged over the steps
};

double load_average() {
  double l[1] = {0};
  return getloadavg(l, 1) == 1 ? l[0] : -1;
}

std::uint64_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::uint64_t>(u.ru_maxrss) * 1024;
}

}  // namespace

int main(int argc, char** argv) {
  std::string synthetic, pack_path, quant = "q4", device = "cpu", json_path;
  int threads = 0;
  std::int64_t context = 128, decode_tokens = 32, prompt = 512, generate = 0;
  bool profile = false;
  zaya::KvCacheType kv_cache = zaya::KvCacheType::Auto;
  for (zaya::CliArgs args(argc, argv, usage); args.next();) {
    const std::string& a = args.flag();
    if (a == "--synthetic") synthetic = args.value();
    else if (a == "--pack") pack_path = args.value();
    else if (a == "--quant") quant = args.value();
    else if (a == "--device") device = args.value();
    else if (a == "--threads") threads = static_cast<int>(args.positive());
    else if (a == "--context") context = args.positive();
    else if (a == "--decode-tokens") decode_tokens = args.positive();
    else if (a == "--prompt") prompt = args.positive();
    else if (a == "--generate") generate = args.positive();
    else if (a == "--json") json_path = args.value();
    else if (a == "--profile") profile = true;
    else if (a == "--kv-cache") {
      try {
        kv_cache = zaya::parse_kv_cache_type(args.value());
      } catch (const std::invalid_argument& e) {
        usage(e.what());
      }
    }
    else if (a == "-h" || a == "--help") usage("help");
    else usage(("unknown argument " + a).c_str());
  }
  if (synthetic.empty() == pack_path.empty()) usage("give exactly one of --synthetic zaya1-8b or --pack FILE");
  if (!synthetic.empty() && synthetic != "zaya1-8b") usage(("unknown synthetic shape '" + synthetic + "' (known: zaya1-8b)").c_str());
  zaya::pack::SyntheticPackOptions synthetic_formats;
  try {
    synthetic_formats = zaya::pack::synthetic_pack_options(quant);
  } catch (const std::invalid_argument& e) {
    usage(e.what());
  }
  if (device != "cpu" && device != "cuda") usage("--device must be cpu or cuda");
  const bool on_gpu = device == "cuda";
  if (on_gpu) {
    // Before any pack is written: a machine without a GPU stops here, in words.
    if (const auto& probe = zaya::probe_cuda(); probe.status != zaya::CudaStatus::Available) {
      std::string why = probe.message;  // written for the app, which goes on with the CPU; this tool stops
      if (const auto at = why.find("; using the CPU"); at != std::string::npos) why.erase(at);
      std::fprintf(stderr, "zaya-bench: the GPU cannot be used (%s): %s\n", zaya::to_string(probe.status), why.c_str());
      return 3;
    }
  }
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  try {
    if (!synthetic.empty()) {
      const fs::path dir = fs::path(cache_dir()) / "bench";
      fs::create_directories(dir);
      // Named by every group's format, so a preset whose mix changes never
      // reuses a pack written under its old definition.
      const auto& fm = synthetic_formats;
      pack_path = (dir / (synthetic + "-" + quant + "-" + zaya::dtype_name(fm.experts) + "-" + zaya::dtype_name(fm.attention) + "-" +
                          zaya::dtype_name(fm.head) + "-" + zaya::dtype_name(fm.router) + "-" + zaya::dtype_name(fm.conv) + ".pack"))
                      .string();
      if (!fs::exists(pack_path)) {
        std::fprintf(stderr, "zaya-bench: writing the synthetic %s %s pack to %s\n", synthetic.c_str(), quant.c_str(),
                     pack_path.c_str());
        zaya::pack::SyntheticPackOptions o = synthetic_formats;
        o.progress = [](double f) { std::fprintf(stderr, "\r  %5.1f %%", 100.0 * f); };
        const auto t0 = Clock::now();
        const std::uint64_t size = zaya::pack::write_synthetic_pack(pack_path, zaya::pack::zaya1_8b_config_json(), o);
        std::fprintf(stderr, "\r  %.2f GB in %.1f s\n", static_cast<double>(size) / 1e9, seconds_since(t0));
      }
    }

    // The roofline first, before the weights occupy memory.
    const double load0 = load_average();
    const std::string measuring = on_gpu ? "the GPU's copy bandwidth" : "streaming read bandwidth (" + std::to_string(threads) + " threads)";
    std::fprintf(stderr, "zaya-bench: measuring %s...\n", measuring.c_str());
    const double roofline = on_gpu ? zaya::measure_cuda_copy_gbs()
                                   : zaya::quant::measure_stream_read_gbs(threads, std::size_t{512} << 20);

    std::fprintf(stderr, "zaya-bench: loading %s\n", pack_path.c_str());
    auto t0 = Clock::now();
    auto weights = std::make_shared<zaya::ModelWeights>(zaya::pack::load_pack_model(pack_path));
    const double load_s = seconds_since(t0);
    const std::uint64_t per_token = zaya::pack::decode_bytes_per_token(*weights);
    zaya::LoadOptions lo;
    lo.device = on_gpu ? zaya::DeviceKind::Cuda : zaya::DeviceKind::Cpu;
    lo.threads = threads;
    lo.kv_cache = kv_cache;
    auto model = zaya::Model::from_weights(weights, lo);
    if (on_gpu && !model->device_note().empty())  // the engine fell back to the CPU: not a GPU number
      throw std::runtime_error("the GPU backend could not run this model: " + model->device_note());
    std::fprintf(stderr, "zaya-bench: running on %s, %s K/V cache\n", model->device_description().c_str(),
                 zaya::kv_cache_type_name(model->kv_cache_type()));
    const auto& cfg = model->config();
    const std::uint64_t kv_row_bytes = zaya::kv_cache_row_bytes(model->kv_cache_type(), cfg.head_dim);

    std::mt19937 rng(1234);
    auto random_ids = [&](std::int64_t n) {
      std::vector<zaya::TokenId> ids(static_cast<std::size_t>(n));
      for (auto& id : ids) id = static_cast<zaya::TokenId>(3 + rng() % static_cast<unsigned>(cfg.vocab_size - 3));
      return ids;
    };

    // Decode: build `context` tokens of context, then time single-token steps.
    zaya::SessionOptions so;
    so.context_limit = context + decode_tokens + 8;
    so.prefill_chunk = 512;
    double decode_tok_s = 0, decode_cpu_s = 0;
    {
      zaya::Session s(model, so);
      std::fprintf(stderr, "zaya-bench: filling %lld tokens of context\n", static_cast<long long>(context));
      s.feed(random_ids(context));
      const auto ids = random_ids(decode_tokens);
      s.feed(std::span(ids).first(1));  // warm-up step
      zaya::enable_stage_clock(profile);
      zaya::reset_stage_clock();
      t0 = Clock::now();
      const double c0 = process_cpu_seconds();
      for (std::int64_t i = 1; i < decode_tokens; ++i) s.feed(std::span(ids).subspan(static_cast<std::size_t>(i), 1));
      decode_tok_s = static_cast<double>(decode_tokens - 1) / seconds_since(t0);
      decode_cpu_s = (process_cpu_seconds() - c0) / static_cast<double>(decode_tokens - 1);
      if (profile) print_stages("decode, per token", 1e3 / static_cast<double>(decode_tokens - 1), "ms", static_cast<double>(decode_tokens - 1));
    }
    const double load1 = load_average();

    // Prefill: one chunk of `prompt` tokens into a fresh session.
    double prefill_tok_s = 0, prefill_cpu_s = 0;
    {
      zaya::SessionOptions po = so;
      po.context_limit = std::max<std::int64_t>(prompt + 8, 16);
      po.prefill_chunk = prompt;
      zaya::Session s(model, po);
      const auto ids = random_ids(prompt);
      zaya::reset_stage_clock();
      t0 = Clock::now();
      const double c0 = process_cpu_seconds();
      s.feed(ids);
      prefill_tok_s = static_cast<double>(prompt) / seconds_since(t0);
      prefill_cpu_s = process_cpu_seconds() - c0;
      if (profile) print_stages("prefill, whole chunk", 1.0, "s", 1.0);
    }
    // Generation: a `prompt`-token prompt, then `generate` decode steps one
    // token at a time, timed as a whole: the speed a student waiting for a
    // long answer sees, with the K/V cache growing all the way.
    GenerationRun gen;
    if (generate > 0) {
      zaya::SessionOptions go = so;
      go.context_limit = prompt + generate + 8;
      zaya::Session s(model, go);
      std::fprintf(stderr, "zaya-bench: generating %lld tokens after a %lld-token prompt\n", static_cast<long long>(generate),
                   static_cast<long long>(prompt));
      s.feed(random_ids(prompt));
      const auto ids = random_ids(generate);
      zaya::reset_stage_clock();
      const double c0 = process_cpu_seconds();
      t0 = Clock::now();
      auto quarter_start = t0;
      for (std::int64_t i = 0, q = 0; i < generate; ++i) {
        s.feed(std::span(ids).subspan(static_cast<std::size_t>(i), 1));
        // Quarter q covers steps [generate·q/4, generate·(q+1)/4).
        while (q < 4 && i + 1 == generate * (q + 1) / 4) {
          const std::int64_t steps = generate * (q + 1) / 4 - generate * q / 4;
          if (steps > 0) gen.quarter_tok_s[q] = static_cast<double>(steps) / seconds_since(quarter_start);
          quarter_start = Clock::now();
          ++q;
        }
      }
      gen.tok_s = static_cast<double>(generate) / seconds_since(t0);
      gen.cpu_seconds_per_token = (process_cpu_seconds() - c0) / static_cast<double>(generate);
      gen.kv_bytes_per_token = kv_bytes_per_step(cfg, prompt, generate, kv_row_bytes);
      if (profile) print_stages("generation, per token", 1e3 / static_cast<double>(generate), "ms", static_cast<double>(generate));
    }
    const double load2 = load_average();
    // A device failure during the runs moved the model to the CPU: what was
    // timed is not the GPU.
    if (on_gpu && !model->device_note().empty())
      throw std::runtime_error("the GPU stopped during the benchmark: " + model->device_note());
    const double achieved = static_cast<double>(per_token) * decode_tok_s / 1e9;
    // Step i (1 .. decode_tokens - 1) runs at position context + i.
    const std::uint64_t kv_per_token = kv_bytes_per_step(cfg, context + 1, decode_tokens - 1, kv_row_bytes);
    const double achieved_with_kv = static_cast<double>(per_token + kv_per_token) * decode_tok_s / 1e9;

    nlohmann::json j = {
        {"model", synthetic.empty() ? pack_path : synthetic},
        {"quant", quant},
        {"device", device},
        {"threads", threads},
        {"cpu_level", zaya::quant::cpu_level_name(zaya::quant::default_cpu_level())},
        {"context", context},
        {"decode_tokens", decode_tokens},
        {"prompt_tokens", prompt},
        {"decode_tok_s", decode_tok_s},
        {"prefill_tok_s", prefill_tok_s},
        // Speeds if every thread had a core to itself: threads / CPU seconds
        // per token (the busy-machine wall clock understates them).
        {"decode_cpu_seconds_per_token", decode_cpu_s},
        {"decode_tok_s_cpu_time", static_cast<double>(threads) / decode_cpu_s},
        {"prefill_cpu_seconds", prefill_cpu_s},
        {"prefill_tok_s_cpu_time", static_cast<double>(threads) * static_cast<double>(prompt) / prefill_cpu_s},
        {"bytes_per_token", per_token},
        {"achieved_gbs", achieved},  // weights only
        {"kv_cache", zaya::kv_cache_type_name(model->kv_cache_type())},
        {"kv_bytes_per_token", kv_per_token},
        {"achieved_gbs_with_kv", achieved_with_kv},
        {"roofline_gbs", roofline},
        {"peak_rss_bytes", peak_rss_bytes()},
        {"pack_bytes", fs::file_size(pack_path)},
        {"load_seconds", load_s},
        {"load_average", {load0, load1, load2}},
        {"device_description", model->device_description()},
    };
    if (generate > 0) {
      const double gbs = static_cast<double>(per_token + gen.kv_bytes_per_token) * gen.tok_s / 1e9;
      j["generate_tokens"] = generate;
      j["generate_tok_s"] = gen.tok_s;
      j["generate_quarter_tok_s"] = {gen.quarter_tok_s[0], gen.quarter_tok_s[1], gen.quarter_tok_s[2], gen.quarter_tok_s[3]};
      j["generate_tok_s_cpu_time"] = static_cast<double>(threads) / gen.cpu_seconds_per_token;
      j["generate_kv_bytes_per_token"] = gen.kv_bytes_per_token;
      j["generate_achieved_gbs_with_kv"] = gbs;
      j["generate_roofline_fraction_with_kv"] = gbs / roofline;
    }
    if (const auto memory = model->device_memory()) {
      j["device_memory_used_bytes"] = memory->used_bytes;  // whole device, CUDA context included
      j["device_memory_total_bytes"] = memory->total_bytes;
    }
    std::printf("decode   %.2f tok/s at context %lld (%.3f GB/token, %.1f GB/s achieved = %.0f %% of %.1f GB/s %s)\n",
                decode_tok_s, static_cast<long long>(context), static_cast<double>(per_token) / 1e9, achieved,
                100.0 * achieved / roofline, roofline, on_gpu ? "device copy" : "streaming read");
    std::printf("         with the K/V cache read too: %.3f GB/token, %.1f GB/s = %.0f %%\n",
                static_cast<double>(per_token + kv_per_token) / 1e9, achieved_with_kv, 100.0 * achieved_with_kv / roofline);
    if (generate > 0) {
      const double gb = static_cast<double>(per_token + gen.kv_bytes_per_token) / 1e9;
      std::printf("generate %.2f tok/s over %lld tokens after a %lld-token prompt (quarters %.1f / %.1f / %.1f / %.1f)\n",
                  gen.tok_s, static_cast<long long>(generate), static_cast<long long>(prompt), gen.quarter_tok_s[0],
                  gen.quarter_tok_s[1], gen.quarter_tok_s[2], gen.quarter_tok_s[3]);
      std::printf("         %.3f GB/token with the K/V cache, %.1f GB/s = %.0f %% of %.1f GB/s\n", gb, gb * gen.tok_s,
                  100.0 * gb * gen.tok_s / roofline, roofline);
    }
    std::printf("prefill  %.1f tok/s (%lld-token chunk)\n", prefill_tok_s, static_cast<long long>(prompt));
    std::printf("by CPU time (%d threads each with a core): decode %.2f tok/s, prefill %.1f tok/s\n", threads,
                static_cast<double>(threads) / decode_cpu_s, static_cast<double>(threads) * static_cast<double>(prompt) / prefill_cpu_s);
    std::printf("peak RSS %.2f GiB, load average %.2f / %.2f / %.2f (start / after decode / after prefill)\n",
                static_cast<double>(peak_rss_bytes()) / (1 << 30), load0, load1, load2);
    if (!json_path.empty()) {
      std::ofstream out(json_path);
      out << j.dump(2) << "\n";
      if (!out) throw std::runtime_error(json_path + ": cannot write");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zaya-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
