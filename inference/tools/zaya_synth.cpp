// zaya-synth: writes a deterministic random ZAYA1 model in the Hugging Face
// layout. Example: zaya-synth --preset tiny --seed 3 --out /tmp/m
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <algorithm>

#include "synth/synth.h"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: zaya-synth --out DIR [--preset tiny|small-vocab262k|zaya1-8b] [--seed N]\n"
               "       [--dtype bf16|f16|f32] [--small-dtype bf16|f16|f32] [--fp8-experts] [--shards N]\n"
               "       [--vocab N] [--hidden N] [--layers N] [--heads N] [--kv-heads N] [--head-dim N]\n"
               "       [--experts N] [--intermediate N] [--router-hidden N] [--quiet]\n");
}

bool parse_type(const std::string& s, zaya::synth::StorageType* t) {
  if (s == "bf16") *t = zaya::synth::StorageType::BF16;
  else if (s == "f16") *t = zaya::synth::StorageType::F16;
  else if (s == "f32") *t = zaya::synth::StorageType::F32;
  else return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  zaya::synth::SynthOptions o;
  std::string out;
  bool quiet = false, small_dtype_set = false;
  // The preset is applied first so explicit dimension flags override it.
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--preset") == 0 && !zaya::synth::apply_preset(argv[i + 1], &o)) {
      std::fprintf(stderr, "zaya-synth: unknown preset '%s'\n", argv[i + 1]);
      return 2;
    }
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "zaya-synth: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    auto number = [&]() -> long long {
      const std::string v = value();
      char* end = nullptr;
      const long long n = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 0) {
        std::fprintf(stderr, "zaya-synth: %s: '%s' is not a non-negative integer\n", a.c_str(), v.c_str());
        std::exit(2);
      }
      return n;
    };
    if (a == "--preset") value();
    else if (a == "--out") out = value();
    else if (a == "--seed") o.seed = static_cast<std::uint64_t>(number());
    else if (a == "--shards") o.shards = static_cast<int>(number());
    else if (a == "--vocab") o.vocab_size = number();
    else if (a == "--hidden") o.hidden_size = number();
    else if (a == "--layers") o.num_layers = number();
    else if (a == "--heads") o.num_heads = number();
    else if (a == "--kv-heads") o.num_kv_heads = number();
    else if (a == "--head-dim") o.head_dim = number();
    else if (a == "--experts") o.num_experts = number();
    else if (a == "--intermediate") o.moe_intermediate_size = number();
    else if (a == "--router-hidden") o.router_hidden_size = number();
    else if (a == "--fp8-experts") o.fp8_experts = true;
    else if (a == "--quiet") quiet = true;
    else if (a == "--dtype" || a == "--small-dtype") {
      const std::string v = value();
      zaya::synth::StorageType t;
      if (!parse_type(v, &t)) {
        std::fprintf(stderr, "zaya-synth: %s must be bf16, f16 or f32\n", a.c_str());
        return 2;
      }
      if (a == "--dtype") {
        o.dtype = t;
        if (!small_dtype_set) o.small_dtype = t;
      } else {
        o.small_dtype = t;
        small_dtype_set = true;
      }
    } else {
      usage();
      return 2;
    }
  }
  if (out.empty()) {
    usage();
    return 2;
  }
  if (o.num_kv_heads == 0 || o.num_heads % o.num_kv_heads != 0 || (o.num_kv_heads * o.head_dim) % 2 != 0) {
    std::fprintf(stderr, "zaya-synth: heads must be a multiple of kv-heads and kv-heads x head-dim even\n");
    return 2;
  }
  o.eos_token_id = std::min<std::int64_t>(o.eos_token_id, o.vocab_size - 1);
  o.bos_token_id = std::min<std::int64_t>(o.bos_token_id, o.vocab_size - 1);
  try {
    int last_pct = -1;
    zaya::synth::write_model(o, out, [&](std::uint64_t done, std::uint64_t total) {
      const int pct = total ? static_cast<int>(100 * done / total) : 100;
      if (!quiet && pct != last_pct) {
        std::fprintf(stderr, "\rwriting %s: %3d%% (%.2f GB)", out.c_str(), pct, static_cast<double>(done) / 1e9);
        last_pct = pct;
      }
    });
    if (!quiet) std::fprintf(stderr, "\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zaya-synth: %s\n", e.what());
    return 1;
  }
  return 0;
}
