// zaya-quantize: a Hugging Face ZAYA1 checkpoint directory → one model pack.
//
//   zaya-quantize MODEL_DIR OUT.pack [--preset default|q4|q8|MIX] [--threads N]
//                 [--report] [--report-json FILE]
//   zaya-quantize --list-presets
//
// Streams tensor by tensor (progress on stderr) and prints, with the pack's
// size, the weight bytes a decode step will read from it. --report prints
// the relative reconstruction error per tensor group and, by running the
// fp32 reference (the checkpoint) and the pack on the same random token
// sequences, the mean KL divergence of the next-token distributions, top-1
// agreement and router agreement. --list-presets prints every named preset
// with its bytes per token and tensor bytes for the ZAYA1-8B shape.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "pack/compare.h"
#include "pack/load_pack.h"
#include "pack/presets.h"
#include "pack/quantize.h"
#include "pack/synthetic_pack.h"
#include "zaya/model.h"

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "zaya-quantize: %s\n"
               "usage: zaya-quantize MODEL_DIR OUT.pack [--preset NAME] [--threads N] [--report] [--report-json FILE]\n"
               "       zaya-quantize --list-presets\n"
               "presets: default (the default: 4-bit experts and attention, 8-bit head and router, bf16 conv),\n"
               "         q4 (smallest: 4-bit experts, attention and head, 8-bit router), q8 (all 8-bit),\n"
               "         or a mix experts/attention/head[/router/conv], parts q4|q8|f (f: keep the float type),\n"
               "         conv bf16|f32\n",
               why);
  std::exit(2);
}

double gb(std::uint64_t bytes) { return static_cast<double>(bytes) / 1e9; }

// Every named preset on the ZAYA1-8B shape: what a decode step reads, what the pack holds.
void list_presets() {
  const zaya::ModelConfig c = zaya::parse_config(zaya::pack::zaya1_8b_config_json(), "ZAYA1-8B config");
  std::printf("%-8s %15s %12s  %s\n", "preset", "bytes/token", "tensors", "(ZAYA1-8B shape)");
  for (const auto& p : zaya::pack::named_presets()) {
    const auto q = zaya::pack::quantize_preset(p.name);
    std::printf("%-8s %12.3f GB %9.2f GB  %s\n", p.name.c_str(), gb(zaya::pack::decode_bytes_per_token(q, c)),
                gb(zaya::pack::pack_tensor_bytes(q, c)), p.description.c_str());
  }
  std::printf("(bytes/token: the tied head, attention, router, one expert and the conv kernels of every layer;\n"
              " tensors: the pack without its config and tokenizer files, ~33 MB more)\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string in, out, preset = zaya::pack::kDefaultPresetName, report_json;
  int threads = 0;
  bool report = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--preset" && i + 1 < argc) preset = argv[++i];
    else if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (a == "--report") report = true;
    else if (a == "--list-presets") {
      list_presets();
      return 0;
    }
    else if (a == "--report-json" && i + 1 < argc) report = true, report_json = argv[++i];
    else if (a == "-h" || a == "--help") usage("help");
    else if (!a.empty() && a[0] == '-') usage(("unknown option " + a).c_str());
    else if (in.empty()) in = a;
    else if (out.empty()) out = a;
    else usage(("unexpected argument " + a).c_str());
  }
  if (in.empty() || out.empty()) usage("need MODEL_DIR and OUT.pack");
  try {
    zaya::pack::QuantizeOptions o;
    o.preset = zaya::pack::quantize_preset(preset);
    o.threads = threads;
    int last = -1;
    o.progress = [&](double f, const std::string& name) {
      const int pct = static_cast<int>(f * 100);
      if (pct != last) {
        last = pct;
        std::fprintf(stderr, "\r  %5.1f %%  %-60.60s", f * 100, name.c_str());
      }
    };
    const auto t0 = std::chrono::steady_clock::now();
    const auto res = zaya::pack::quantize_checkpoint(in, out, o);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    std::fprintf(stderr, "\r%-80s\r", "");
    std::printf("%s: %lld tensors, %.3f GB, preset %s, %.1f s, peak RSS %.2f GiB, checksums verified\n", out.c_str(),
                static_cast<long long>(res.tensors), static_cast<double>(res.pack_bytes) / 1e9, preset.c_str(), secs,
                static_cast<double>(u.ru_maxrss) / (1 << 20));
    const std::uint64_t per_token = zaya::pack::decode_bytes_per_token(o.preset, zaya::load_config(in));
    std::printf("a decode step reads %llu bytes (%.3f GB) of its weights (preset %s: tied head, attention, router, "
                "one expert, conv)\n",
                static_cast<unsigned long long>(per_token), gb(per_token), o.preset.name.c_str());
    if (!report) return 0;

    nlohmann::json j;
    j["preset"] = preset;
    j["pack_bytes"] = res.pack_bytes;
    j["bytes_per_token"] = per_token;
    std::printf("relative reconstruction error (RMS error / RMS weight):\n");
    for (const auto& [g, e] : res.groups) {
      std::printf("  %-10s %.5f  (%lld weights)\n", g.c_str(), e.relative(), static_cast<long long>(e.weights));
      j["relative_error"][g] = e.relative();
    }
    zaya::LoadOptions lo;
    lo.device = zaya::DeviceKind::Cpu;
    lo.threads = threads;
    auto ref = zaya::Model::load(in, lo);
    auto q = zaya::Model::from_weights(std::make_shared<zaya::ModelWeights>(zaya::pack::load_pack_model(out)), lo);
    std::mt19937 rng(42);
    std::vector<std::vector<zaya::TokenId>> seqs(4);
    const auto V = static_cast<unsigned>(ref->config().vocab_size);
    for (auto& s : seqs) {
      s.push_back(static_cast<zaya::TokenId>(ref->config().bos_token_id >= 0 ? ref->config().bos_token_id : 0));
      for (int t = 0; t < 31; ++t) s.push_back(static_cast<zaya::TokenId>(3 + rng() % (V - 3)));
    }
    const auto r = zaya::pack::compare_models(ref, q, seqs);
    std::printf("against the fp32 reference on %lld positions (%zu random sequences of 32 tokens):\n",
                static_cast<long long>(r.positions), seqs.size());
    std::printf("  mean KL %.5f nats (max %.5f), top-1 agreement %.4f, router agreement %.4f, max |logit diff| %.4f\n",
                r.mean_kl, r.max_kl, r.top1_agreement, r.router_agreement, r.max_abs_logit_diff);
    j["mean_kl"] = r.mean_kl;
    j["max_kl"] = r.max_kl;
    j["top1_agreement"] = r.top1_agreement;
    j["router_agreement"] = r.router_agreement;
    j["max_abs_logit_diff"] = r.max_abs_logit_diff;
    j["positions"] = r.positions;
    if (!report_json.empty()) std::ofstream(report_json) << j.dump(2) << "\n";
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\nzaya-quantize: %s\n", e.what());
    return 1;
  }
  return 0;
}
