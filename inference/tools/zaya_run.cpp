// zaya-run: runs a ZAYA1 model on token ids (or a text prompt) and writes
// logits, routing and generated ids. The flags are a stable contract used by
// tests and scripts:
//   --model DIR --ids 2,17,33 [--prefill-len N]   first N ids as one chunk, the rest one by one
//   --logits-out FILE     float32 LE logits [number of ids, vocab]
//   --routing-out FILE    JSON [[{"layer","expert","prob","weight"} per layer] per token]
//   --generate K          continue for K tokens (--greedy, or --temperature/--top-p/--top-k/--min-p/--seed)
//   --ids-out FILE        generated ids as a JSON array
//   --device cpu|cuda|auto, --threads N, --stats (tok/s and peak RSS on stderr)
//   --kv-cache auto|f32|f16|q8   the CPU's K/V cache element type (LoadOptions::kv_cache)
//   --prompt TEXT [--chat] [--tokenizer FILE]   text in (tokenizer.json beside the model by default)
//   --verify              a pack: recompute every tensor's CRC-32C while loading (alone: check and exit)
// A model file truncated while it is mapped ends the run with "the model file
// changed while in use" and exit code 1 (zaya/mapped_guard.h). For tests of
// that: ZAYA_RUN_WAIT_AFTER_LOAD=FILE makes zaya-run, once the model is
// loaded, create FILE.loaded and wait until FILE exists before it reads on.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kernels/matmul.h"
#include "model/weights.h"
#include "zaya/chat_format.h"
#include "zaya/mapped_guard.h"
#include "zaya/model.h"
#include "zaya/session.h"
#include "zaya/tokenizer.h"

namespace {

struct Args {
  std::string model, ids_text, logits_out, routing_out, ids_out, device = "auto", prompt, tokenizer;
  std::optional<std::int64_t> prefill_len;
  int generate = 0, threads = 0;
  bool greedy = false, stats = false, chat = false, sampled = false, verify = false;
  zaya::SamplingParams sampling;
  std::int64_t context = 0;
  zaya::KvCacheType kv_cache = zaya::KvCacheType::Auto;
};

constexpr const char* kUsage =
    "usage: zaya-run --model DIR (--ids IDS | --prompt TEXT) [options]\n"
    "       zaya-run --model PACK --verify\n"
    "\n"
    "Runs a ZAYA1 model (a checkpoint directory or a model pack) on token ids or a text\n"
    "prompt and writes logits, routing decisions and generated tokens.\n"
    "\n"
    "input:\n"
    "  --model DIR              checkpoint directory or .zpack model pack (required)\n"
    "  --ids 2,17,33            token ids, comma separated\n"
    "  --prefill-len N          feed the first N ids as one chunk, the rest one by one\n"
    "  --prompt TEXT            text instead of ids (tokenizer.json beside the model)\n"
    "  --chat                   wrap --prompt in the model's chat format\n"
    "  --tokenizer FILE         tokenizer.json to use with --prompt\n"
    "  --verify                 a model pack: check every tensor's CRC-32C while loading\n"
    "                           (names the damaged tensor; without --ids/--prompt: check and exit)\n"
    "generation:\n"
    "  --generate K             continue for K tokens (printed as a JSON array, or as text with --prompt)\n"
    "  --greedy                 always take the most likely token (the default)\n"
    "  --temperature T, --top-p P, --top-k K, --min-p P, --seed S\n"
    "                           sample instead of taking the most likely token\n"
    "  --repetition-penalty R   penalise tokens already in the sequence\n"
    "  --context N              context length of the session (default: what the run needs)\n"
    "output:\n"
    "  --logits-out FILE        float32 little-endian logits [number of ids, vocab]\n"
    "  --routing-out FILE       JSON: per token, per layer {layer, expert, prob, weight}\n"
    "  --ids-out FILE           generated ids as a JSON array\n"
    "  --stats                  load, prefill and decode speed and peak memory on stderr\n"
    "device:\n"
    "  --device cpu|cuda|auto   where to run (default auto: the GPU when usable)\n"
    "  --threads N              CPU threads (default: all cores)\n"
    "  --kv-cache auto|f32|f16|q8  CPU K/V cache element type (default auto: f16 for a pack, f32 otherwise)\n"
    "  -h, --help               show this help\n";

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "zaya-run: %s\n", msg.c_str());
  std::exit(2);
}

double to_double(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end) die(flag + ": '" + v + "' is not a number");
  return d;
}

long long to_int(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end) die(flag + ": '" + v + "' is not an integer");
  return n;
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string f = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(f + " needs a value");
      return argv[++i];
    };
    if (f == "--model") a.model = value();
    else if (f == "--ids") a.ids_text = value();
    else if (f == "--prefill-len") a.prefill_len = to_int(f, value());
    else if (f == "--logits-out") a.logits_out = value();
    else if (f == "--routing-out") a.routing_out = value();
    else if (f == "--ids-out") a.ids_out = value();
    else if (f == "--generate") a.generate = static_cast<int>(to_int(f, value()));
    else if (f == "--greedy") a.greedy = true;
    else if (f == "--temperature") { a.sampling.temperature = static_cast<float>(to_double(f, value())); a.sampled = true; }
    else if (f == "--top-p") { a.sampling.top_p = static_cast<float>(to_double(f, value())); a.sampled = true; }
    else if (f == "--top-k") { a.sampling.top_k = static_cast<int>(to_int(f, value())); a.sampled = true; }
    else if (f == "--min-p") { a.sampling.min_p = static_cast<float>(to_double(f, value())); a.sampled = true; }
    else if (f == "--repetition-penalty") a.sampling.repetition_penalty = static_cast<float>(to_double(f, value()));
    else if (f == "--seed") a.sampling.seed = static_cast<std::uint64_t>(to_int(f, value()));
    else if (f == "--device") a.device = value();
    else if (f == "--threads") a.threads = static_cast<int>(to_int(f, value()));
    else if (f == "--kv-cache") {
      try {
        a.kv_cache = zaya::parse_kv_cache_type(value());
      } catch (const std::invalid_argument& e) {
        die(e.what());
      }
    }
    else if (f == "--context") a.context = to_int(f, value());
    else if (f == "--stats") a.stats = true;
    else if (f == "--verify") a.verify = true;
    else if (f == "--prompt") a.prompt = value();
    else if (f == "--chat") a.chat = true;
    else if (f == "--tokenizer") a.tokenizer = value();
    else if (f == "--help" || f == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else die("unknown flag " + f);
  }
  if (a.model.empty()) die("--model DIR is required");
  if (!a.ids_text.empty() && !a.prompt.empty()) die("give exactly one of --ids and --prompt");
  if (a.ids_text.empty() && a.prompt.empty() && !a.verify) die("give exactly one of --ids and --prompt (or --verify alone)");
  if (a.greedy && a.sampled) die("--greedy conflicts with --temperature/--top-p/--top-k/--min-p");
  if (a.sampled && a.sampling.temperature <= 0) a.sampling.temperature = 1.0f;
  if (a.device != "cpu" && a.device != "cuda" && a.device != "auto") die("--device must be cpu, cuda or auto");
  return a;
}

std::vector<zaya::TokenId> parse_ids(const std::string& s) {
  std::vector<zaya::TokenId> ids;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) ids.push_back(static_cast<zaya::TokenId>(to_int("--ids", item)));
  if (ids.empty()) die("--ids is empty");
  return ids;
}

// Weight bytes a decode step of this token streams: every dense matrix of
// every layer, the routed expert (none on skip) and the whole tied head.
double weight_bytes_for(const zaya::ModelWeights& w, const std::vector<zaya::RoutingDecision>& routing) {
  auto bytes = [](const zaya::WeightMatrix& m) { return static_cast<double>(m.rows) * static_cast<double>(zaya::row_bytes(m)); };
  double total = bytes(w.embed);
  for (std::size_t l = 0; l < w.layers.size(); ++l) {
    const auto& L = w.layers[l];
    for (const auto* m : {&L.q_proj, &L.k_proj, &L.v_current, &L.v_delayed, &L.o_proj, &L.router_down, &L.router_fc1,
                          &L.router_fc2, &L.router_out})
      total += bytes(*m);
    const auto e = static_cast<std::size_t>(routing[l].expert);
    if (e < L.expert_gate_up.size()) total += bytes(L.expert_gate_up[e]) + bytes(L.expert_down[e]);
  }
  return total;
}

nlohmann::json routing_json(const std::vector<zaya::RoutingDecision>& r) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& d : r) layers.push_back({{"layer", d.layer}, {"expert", d.expert}, {"prob", d.prob}, {"weight", d.weight}});
  return layers;
}

void write_file(const std::string& path, const void* data, std::size_t n) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
  if (!out) die(path + ": write failed");
}

// The test hook described at the top (ZAYA_RUN_WAIT_AFTER_LOAD).
void wait_after_load_if_asked() {
  const char* gate = std::getenv("ZAYA_RUN_WAIT_AFTER_LOAD");
  if (!gate || !*gate) return;
  std::ofstream(std::string(gate) + ".loaded").put('\n');
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!std::filesystem::exists(gate)) {
    if (std::chrono::steady_clock::now() > until) die(std::string("ZAYA_RUN_WAIT_AFTER_LOAD: ") + gate + " did not appear within 120 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  // A SIGBUS from the mapped model (the file truncated under us) becomes a
  // message and exit code 1 instead of a silent crash.
  zaya::install_mapped_file_guard("zaya-run: the model file changed while in use");
  try {
    zaya::LoadOptions lo;
    lo.device = a.device == "cpu" ? zaya::DeviceKind::Cpu : a.device == "cuda" ? zaya::DeviceKind::Cuda : zaya::DeviceKind::Auto;
    lo.threads = a.threads;
    lo.verify = a.verify;
    lo.kv_cache = a.kv_cache;
    const auto t_load = std::chrono::steady_clock::now();
    auto model = zaya::Model::load(a.model, lo);
    const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();
    if (!model->device_note().empty()) std::fprintf(stderr, "zaya-run: %s\n", model->device_note().c_str());
    const auto& cfg = model->config();
    if (a.verify) {
      std::fprintf(stderr, "zaya-run: %s: %s\n", a.model.c_str(),
                   std::filesystem::is_regular_file(a.model) ? "every tensor's checksum matches"
                                                             : "a checkpoint folder has no checksums; its header and tensor table are valid");
      if (a.stats) std::fprintf(stderr, "load: %.2f s\n", load_s);
      if (a.ids_text.empty() && a.prompt.empty()) return 0;
    }
    wait_after_load_if_asked();

    std::optional<zaya::Tokenizer> tokenizer;
    std::vector<zaya::TokenId> ids;
    std::vector<zaya::TokenId> stop_ids(cfg.eos_token_ids.begin(), cfg.eos_token_ids.end());
    if (!a.prompt.empty()) {
      const std::filesystem::path tp = a.tokenizer.empty() ? std::filesystem::path(a.model) / "tokenizer.json" : std::filesystem::path(a.tokenizer);
      tokenizer = zaya::Tokenizer::load(tp);
      if (a.chat) {
        zaya::ChatFormat chat(*tokenizer);
        ids = chat.build_question(a.prompt);
        stop_ids = chat.stop_ids();
      } else {
        ids = tokenizer->encode(a.prompt, true);
      }
    } else {
      ids = parse_ids(a.ids_text);
    }
    const std::int64_t n = static_cast<std::int64_t>(ids.size());
    const std::int64_t prefill = a.prefill_len ? *a.prefill_len : n;
    if (prefill < 1 || prefill > n) die("--prefill-len must be in [1, number of ids]");

    zaya::SessionOptions so;
    so.context_limit = a.context > 0 ? a.context : std::min<std::int64_t>(cfg.max_position_embeddings, n + a.generate + 16);
    so.prefill_chunk = prefill;
    zaya::Session session(model, so);
    std::vector<float> logits;
    std::vector<float>* want_logits = a.logits_out.empty() ? nullptr : &logits;
    nlohmann::json routing = nlohmann::json::array();
    const auto t_prefill = std::chrono::steady_clock::now();
    auto add_routing = [&](const std::vector<std::vector<zaya::RoutingDecision>>& r) {
      for (const auto& t : r) routing.push_back(routing_json(t));
    };
    add_routing(session.feed(std::span<const zaya::TokenId>(ids.data(), static_cast<std::size_t>(prefill)), want_logits));
    const double prefill_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_prefill).count();
    for (std::int64_t i = prefill; i < n; ++i)
      add_routing(session.feed(std::span<const zaya::TokenId>(ids.data() + i, 1), want_logits));
    if (!a.logits_out.empty()) write_file(a.logits_out, logits.data(), logits.size() * sizeof(float));

    std::vector<zaya::TokenId> generated;
    double decode_s = 0, decode_bytes = 0;
    if (a.generate > 0) {
      zaya::SamplingParams sp = a.sampling;
      if (a.greedy || !a.sampled) sp.temperature = 0;
      if (!a.prompt.empty()) sp.stop_ids = stop_ids;  // id mode: no stop, the caller asked for K tokens
      std::optional<zaya::StreamDecoder> text;
      if (tokenizer) text.emplace(*tokenizer, true);
      const auto t0 = std::chrono::steady_clock::now();
      session.generate(a.generate, sp, [&](const zaya::TokenEvent& ev) {
        generated.push_back(ev.id);
        routing.push_back(routing_json(ev.routing));
        decode_bytes += weight_bytes_for(model->weights(), ev.routing);
        if (text) {
          std::fputs(text->push(ev.id).c_str(), stdout);
          std::fflush(stdout);
        }
        return true;
      });
      decode_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (text) std::printf("%s\n", text->finish().c_str());
    }
    if (!a.routing_out.empty()) {
      const std::string s = routing.dump();
      write_file(a.routing_out, s.data(), s.size());
    }
    if (!a.ids_out.empty()) {
      const std::string s = nlohmann::json(generated).dump();
      write_file(a.ids_out, s.data(), s.size());
    }
    if (a.prompt.empty() && a.ids_out.empty() && !generated.empty()) std::printf("%s\n", nlohmann::json(generated).dump().c_str());
    if (a.stats) {
      struct rusage ru {};
      getrusage(RUSAGE_SELF, &ru);
      std::fprintf(stderr, "device: %s\n", model->device_description().c_str());
      std::fprintf(stderr, "kv cache: %s\n", zaya::kv_cache_type_name(model->kv_cache_type()));
      std::fprintf(stderr, "load: %.2f s\n", load_s);
      std::fprintf(stderr, "prefill: %lld tokens in %.3f s (%.2f tok/s)\n", static_cast<long long>(prefill), prefill_s,
                   static_cast<double>(prefill) / prefill_s);
      if (!generated.empty()) {
        const double per_token = decode_bytes / static_cast<double>(generated.size());
        std::fprintf(stderr, "decode: %zu tokens in %.3f s (%.3f tok/s)\n", generated.size(), decode_s,
                     static_cast<double>(generated.size()) / decode_s);
        std::fprintf(stderr, "weights read per decode step: %.3f GB (%.2f GB/s)\n", per_token / 1e9, decode_bytes / decode_s / 1e9);
      }
      std::fprintf(stderr, "peak RSS: %.1f MiB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
    }
  } catch (const zaya::Error& e) {
    std::fprintf(stderr, "zaya-run: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zaya-run: %s\n", e.what());
    return 1;
  }
  return 0;
}
