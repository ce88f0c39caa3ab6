// zaya-kv-report: how much a narrower K/V cache changes a model's
// next-token distributions.
//
//   zaya-kv-report MODEL [--tokens 4000] [--prompt 32] [--seed 1] [--threads N]
//                  [--types f16,q8] [--json FILE]
//
// MODEL is a checkpoint directory or a model pack. It is loaded once with the
// fp32 K/V cache and once per other type; every load is fed the same
// pseudo-random token ids (fixed seed, all < vocab), teacher-forced: the
// first --prompt ids as one chunk, then one id at a time through the decode
// path, so later positions attend over the keys and values the cache
// stored. At every position it compares the next-token distribution with
// the fp32 cache's: KL(fp32 ‖ other) in nats (mean, max, and the mean over
// each quarter of the positions, which shows the growth with context), top-1
// agreement, the largest logit change, and how often the router chose the
// same expert (a changed choice moves a random model's logits by whole units,
// so the first position where one changes is printed too). A first row,
// "f32 floor", is the fp32 cache again with the prompt fed one token at a
// time: its positions take the decode kernels instead of the prefill tiles,
// so it shows what fp32 rounding alone moves in this model. The loads run in lockstep, so no
// logits are kept beyond one position.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/cli_args.h"
#include "zaya/model.h"
#include "zaya/session.h"

namespace {

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "zaya-kv-report: %s\n"
               "usage: zaya-kv-report MODEL [--tokens N] [--prompt N] [--seed N] [--threads N]\n"
               "                      [--types f16,q8] [--json FILE]\n"
               "  MODEL: a checkpoint directory or a model pack; compared against its fp32 K/V cache\n",
               why);
  std::exit(2);
}

// log-softmax of one row of logits, in double.
void log_softmax(std::span<const float> logits, std::vector<double>& out) {
  out.resize(logits.size());
  const double mx = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float x : logits) sum += std::exp(static_cast<double>(x) - mx);
  const double log_sum = mx + std::log(sum);
  for (std::size_t i = 0; i < logits.size(); ++i) out[i] = static_cast<double>(logits[i]) - log_sum;
}

// Running comparison of one cache type against fp32.
struct Agreement {
  std::string label;  // the cache type's name, or "f32 floor"
  std::shared_ptr<zaya::Model> model;
  std::unique_ptr<zaya::Session> session;
  double kl_sum = 0, kl_max = 0, logit_max = 0;
  std::vector<double> kl_quarter_sum = std::vector<double>(4, 0.0);
  std::int64_t positions = 0, top1_same = 0;
  std::int64_t routes = 0, routes_same = 0, first_route_change = -1;  // (position, layer) expert choices
  double seconds = 0;  // in forward passes
};

using Routing = std::vector<std::vector<zaya::RoutingDecision>>;  // [positions][layers]

// The expert choices of positions first .. first + got.size() - 1.
void compare_routing(Agreement& a, const Routing& ref, const Routing& got, std::int64_t first) {
  for (std::size_t t = 0; t < ref.size(); ++t)
    for (std::size_t l = 0; l < ref[t].size(); ++l) {
      const bool same = ref[t][l].expert == got[t][l].expert;
      a.routes_same += same;
      ++a.routes;
      if (!same && a.first_route_change < 0) a.first_route_change = first + static_cast<std::int64_t>(t);
    }
}

std::size_t argmax(std::span<const float> v) { return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin()); }

// One position: `ref_logp` (fp32 cache's log-probabilities), `ref` its logits, `got` the other cache's.
void compare(Agreement& a, std::span<const float> ref, const std::vector<double>& ref_logp, std::span<const float> got,
             std::vector<double>& got_logp, std::int64_t position, std::int64_t total) {
  log_softmax(got, got_logp);
  double kl = 0;
  for (std::size_t i = 0; i < ref_logp.size(); ++i) kl += std::exp(ref_logp[i]) * (ref_logp[i] - got_logp[i]);
  kl = std::max(kl, 0.0);  // rounding can leave a tiny negative sum for equal distributions
  double logit = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) logit = std::max(logit, static_cast<double>(std::fabs(ref[i] - got[i])));
  a.kl_sum += kl;
  a.kl_max = std::max(a.kl_max, kl);
  a.kl_quarter_sum[static_cast<std::size_t>(std::min<std::int64_t>(3, position * 4 / total))] += kl;
  a.logit_max = std::max(a.logit_max, logit);
  a.top1_same += argmax(ref) == argmax(got);
  ++a.positions;
}

std::vector<zaya::KvCacheType> parse_types(const std::string& list) {
  std::vector<zaya::KvCacheType> types;
  std::stringstream ss(list);
  for (std::string name; std::getline(ss, name, ',');) {
    const zaya::KvCacheType t = zaya::parse_kv_cache_type(name);
    if (t == zaya::KvCacheType::Auto || t == zaya::KvCacheType::F32) throw std::invalid_argument("--types: compare f16 or q8 against f32");
    types.push_back(t);
  }
  if (types.empty()) throw std::invalid_argument("--types: no type given");
  return types;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, json_path, type_list = "f16,q8";
  std::int64_t tokens = 4000, prompt = 32, seed = 1;
  int threads = 0;
  for (zaya::CliArgs args(argc, argv, usage); args.next();) {
    const std::string& a = args.flag();
    if (a == "--tokens") tokens = args.positive();
    else if (a == "--prompt") prompt = args.positive();
    else if (a == "--seed") seed = args.positive();
    else if (a == "--threads") threads = static_cast<int>(args.positive());
    else if (a == "--types") type_list = args.value();
    else if (a == "--json") json_path = args.value();
    else if (a == "-h" || a == "--help") usage("help");
    else if (!a.empty() && a[0] == '-') usage(("unknown argument " + a).c_str());
    else if (model_path.empty()) model_path = a;
    else usage("give one model");
  }
  if (model_path.empty()) usage("give a model (a checkpoint directory or a pack)");
  if (prompt >= tokens) usage("--prompt must be shorter than --tokens");
  try {
    const std::vector<zaya::KvCacheType> types = parse_types(type_list);
    auto load = [&](zaya::KvCacheType t) {
      zaya::LoadOptions o;
      o.device = zaya::DeviceKind::Cpu;
      o.threads = threads;
      o.kv_cache = t;
      return zaya::Model::load(model_path, o);
    };
    std::fprintf(stderr, "zaya-kv-report: loading %s\n", model_path.c_str());
    std::shared_ptr<zaya::Model> reference = load(zaya::KvCacheType::F32);
    const zaya::ModelConfig& c = reference->config();
    if (tokens > c.max_position_embeddings) {
      std::fprintf(stderr, "zaya-kv-report: the model holds %lld positions: --tokens %lld becomes %lld\n",
                   static_cast<long long>(c.max_position_embeddings), static_cast<long long>(tokens),
                   static_cast<long long>(c.max_position_embeddings));
      tokens = c.max_position_embeddings;
    }
    zaya::SessionOptions so;
    so.context_limit = tokens;
    so.prefill_chunk = prompt;
    zaya::Session ref_session(reference, so);
    std::vector<Agreement> others;
    {
      Agreement floor{"f32 floor", reference, nullptr};
      zaya::SessionOptions one_by_one = so;
      one_by_one.prefill_chunk = 1;
      floor.session = std::make_unique<zaya::Session>(reference, one_by_one);
      others.push_back(std::move(floor));
    }
    for (zaya::KvCacheType t : types) {
      Agreement a{zaya::kv_cache_type_name(t), load(t), nullptr};
      if (a.model->kv_cache_type() != t) throw std::runtime_error("the model did not load with the requested K/V cache");
      a.session = std::make_unique<zaya::Session>(a.model, so);
      others.push_back(std::move(a));
    }

    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    std::uniform_int_distribution<zaya::TokenId> pick(0, static_cast<zaya::TokenId>(c.vocab_size - 1));
    std::vector<zaya::TokenId> ids(static_cast<std::size_t>(tokens));
    for (auto& id : ids) id = pick(rng);

    const std::size_t V = static_cast<std::size_t>(c.vocab_size);
    std::vector<double> ref_logp, got_logp;
    double ref_seconds = 0;
    // The prompt chunk: every position's logits from one forward pass.
    {
      const std::span<const zaya::TokenId> chunk(ids.data(), static_cast<std::size_t>(prompt));
      std::vector<float> ref_rows, rows;
      auto t0 = std::chrono::steady_clock::now();
      const Routing ref_routing = ref_session.feed(chunk, &ref_rows);
      ref_seconds += seconds_since(t0);
      for (Agreement& a : others) {
        t0 = std::chrono::steady_clock::now();
        rows.clear();
        const Routing routing = a.session->feed(chunk, &rows);
        a.seconds += seconds_since(t0);
        compare_routing(a, ref_routing, routing, 0);
        for (std::int64_t p = 0; p < prompt; ++p) {
          const std::span<const float> ref(ref_rows.data() + p * V, V), got(rows.data() + p * V, V);
          log_softmax(ref, ref_logp);
          compare(a, ref, ref_logp, got, got_logp, p, tokens);
        }
      }
    }
    // Then one token at a time.
    for (std::int64_t p = prompt; p < tokens; ++p) {
      const std::span<const zaya::TokenId> one(ids.data() + p, 1);
      auto t0 = std::chrono::steady_clock::now();
      const Routing ref_routing = ref_session.feed(one);
      ref_seconds += seconds_since(t0);
      log_softmax(ref_session.last_logits(), ref_logp);
      for (Agreement& a : others) {
        t0 = std::chrono::steady_clock::now();
        const Routing routing = a.session->feed(one);
        a.seconds += seconds_since(t0);
        compare_routing(a, ref_routing, routing, p);
        compare(a, ref_session.last_logits(), ref_logp, a.session->last_logits(), got_logp, p, tokens);
      }
      if ((p + 1) % 500 == 0) std::fprintf(stderr, "\r  %lld / %lld positions", static_cast<long long>(p + 1), static_cast<long long>(tokens));
    }
    std::fprintf(stderr, "\n");

    std::printf("%s: %lld positions (%lld-token prompt chunk, then one token at a time), seed %lld, vocab %lld\n",
                model_path.c_str(), static_cast<long long>(tokens), static_cast<long long>(prompt), static_cast<long long>(seed),
                static_cast<long long>(c.vocab_size));
    std::printf("%-9s %14s %12s %11s %13s %12s %12s   %s\n", "cache", "mean KL (nats)", "max KL", "top-1 agree", "max |dlogit|",
                "route agree", "1st change", "mean KL by quarter of the positions");
    nlohmann::json j = {{"model", model_path}, {"tokens", tokens}, {"prompt", prompt}, {"seed", seed},
                        {"vocab", c.vocab_size}, {"reference", "f32"}, {"reference_seconds", ref_seconds}};
    for (const Agreement& a : others) {
      const double n = static_cast<double>(a.positions);
      std::vector<double> quarters(4);
      std::string quarter_text;
      for (int q = 0; q < 4; ++q) {
        // Positions of quarter q: those with position·4/tokens == q.
        const std::int64_t lo = (q * tokens + 3) / 4, hi = ((q + 1) * tokens + 3) / 4;
        quarters[static_cast<std::size_t>(q)] = hi > lo ? a.kl_quarter_sum[static_cast<std::size_t>(q)] / static_cast<double>(hi - lo) : 0.0;
        char buf[32];
        std::snprintf(buf, sizeof buf, " %.3g", quarters[static_cast<std::size_t>(q)]);
        quarter_text += buf;
      }
      const double route_agreement = static_cast<double>(a.routes_same) / static_cast<double>(std::max<std::int64_t>(1, a.routes));
      std::printf("%-9s %14.3g %12.3g %11.4f %13.4f %12.4f %12lld  %s\n", a.label.c_str(), a.kl_sum / n, a.kl_max,
                  static_cast<double>(a.top1_same) / n, a.logit_max, route_agreement, static_cast<long long>(a.first_route_change),
                  quarter_text.c_str());
      j["caches"][a.label] = {
          {"mean_kl", a.kl_sum / n},        {"max_kl", a.kl_max},
          {"top1_agreement", static_cast<double>(a.top1_same) / n},
          {"max_abs_logit_delta", a.logit_max}, {"mean_kl_by_quarter", quarters},
          {"positions", a.positions},       {"seconds", a.seconds},
          {"routing_agreement", route_agreement}, {"first_routing_change", a.first_route_change}};
    }
    if (!json_path.empty()) {
      std::ofstream out(json_path);
      out << j.dump(2) << "\n";
      if (!out) throw std::runtime_error(json_path + ": cannot write");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zaya-kv-report: %s\n", e.what());
    return 1;
  }
  return 0;
}
