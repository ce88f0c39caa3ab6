// zaya-quantize: a Hugging Face ZAYA1 checkpoint directory → one model pack.
//
//   zaya-quantize MODEL_DIR OUT.pack [--preset q4|q8] [--threads N] [--report]
//                 [--report-json FILE]
//
// Streams tensor by tensor (progress on stderr). --report prints the relative
// reconstruction error per tensor group and, by running the fp32 reference
// (the checkpoint) and the pack on the same random token sequences, the mean
// KL divergence of the next-token distributions, top-1 agreement and router
// agreement.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "pack/compare.h"
#include "pack/load_pack.h"
#include "pack/quantize.h"
#include "zaya/model.h"

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "zaya-quantize: %s\n"
               "usage: zaya-quantize MODEL_DIR OUT.pack [--preset q4|q8] [--threads N] [--report] [--report-json FILE]\n",
               why);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string in, out, preset = "q4", report_json;
  int threads = 0;
  bool report = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--preset" && i + 1 < argc) preset = argv[++i];
    else if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (a == "--report") report = true;
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
    if (!report) return 0;

    nlohmann::json j;
    j["preset"] = preset;
    j["pack_bytes"] = res.pack_bytes;
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
