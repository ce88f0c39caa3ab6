// zaya-tokenize: command-line access to the tokenizer.
//
//   zaya-tokenize --tokenizer FILE --jsonl-in IN --jsonl-out OUT [--add-special]
//       each input line {"text": ...} -> output line {"ids": [...]}
//   zaya-tokenize --tokenizer FILE --text "..." [--add-special]
//       prints the ids, then one "id<TAB>piece" line per token
//   zaya-tokenize --tokenizer FILE --decode 1,2,3
//       prints the text
//   zaya-tokenize --tokenizer FILE --bench JSONL... [--seconds S]
//       load time (parsing the JSON, and from the binary cache) and encoding
//       speed on one core over every "text"/"statement_latex"/"solution_latex"
//       string in the given files
//   --no-cache   never read or write the binary cache
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "zaya/tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU seconds of this process / this thread: on a shared, busy machine the
// wall clock measures the other processes as much as this one.
double process_cpu() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}
double thread_cpu() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

int usage() {
  std::fprintf(stderr,
               "usage: zaya-tokenize --tokenizer FILE (--jsonl-in IN --jsonl-out OUT | --text TEXT | --decode IDS |"
               " --bench JSONL...) [--add-special] [--no-cache] [--seconds S]\n");
  return 2;
}

std::string escape_piece(const std::string& piece) {
  std::string out;
  for (unsigned char c : piece) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else out += char(c);
  }
  return out;
}

int run_jsonl(const zaya::Tokenizer& tok, const std::string& in_path, const std::string& out_path, bool add_special) {
  std::ifstream in(in_path, std::ios::binary);
  if (!in) throw zaya::TokenizerError(in_path + ": cannot open");
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) throw zaya::TokenizerError(out_path + ": cannot create");
  std::string line;
  size_t line_no = 0;
  std::vector<int32_t> ids;
  std::string buf;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string())
      throw zaya::TokenizerError(in_path + ":" + std::to_string(line_no) + ": expected {\"text\": \"...\"}");
    ids.clear();
    zaya::EncodeOptions options;
    options.add_special_tokens = add_special;
    tok.encode_into(j["text"].get_ref<const std::string&>(), options, ids);
    buf.assign("{\"ids\":[");
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) buf += ',';
      buf += std::to_string(ids[i]);
    }
    buf += "]}\n";
    out << buf;
  }
  if (!out) throw zaya::TokenizerError(out_path + ": write failed");
  return 0;
}

std::vector<std::string> bench_texts(const std::vector<std::string>& files) {
  std::vector<std::string> texts;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) throw zaya::TokenizerError(f + ": cannot open");
    std::string line;
    while (std::getline(in, line)) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object()) continue;
      for (const char* key : {"text", "statement_latex", "solution_latex"})
        if (j.contains(key) && j[key].is_string()) texts.push_back(j[key].get<std::string>());
    }
  }
  return texts;
}

int run_bench(const std::string& path, const std::vector<std::string>& files, double seconds) {
  namespace fs = std::filesystem;
  const fs::path cache_dir = fs::temp_directory_path() / ("zaya-tokenize-bench-" + std::to_string(::getpid()));
  zaya::TokenizerLoadOptions no_cache;
  no_cache.use_cache = false;
  zaya::TokenizerLoadOptions with_cache;
  with_cache.cache_dir = cache_dir;

  auto t0 = Clock::now();
  double c0 = process_cpu();
  zaya::Tokenizer parsed = zaya::Tokenizer::load(path, no_cache);
  const double parse_s = seconds_since(t0), parse_cpu = process_cpu() - c0;
  zaya::Tokenizer::load(path, with_cache);  // writes the cache
  double cached_s = 1e9, cached_cpu = 1e9;
  bool from_cache = false;
  for (int i = 0; i < 3; ++i) {
    t0 = Clock::now();
    c0 = process_cpu();
    zaya::Tokenizer t = zaya::Tokenizer::load(path, with_cache);
    cached_cpu = std::min(cached_cpu, process_cpu() - c0);
    cached_s = std::min(cached_s, seconds_since(t0));
    from_cache = t.loaded_from_cache();
  }
  std::error_code ec;
  fs::remove_all(cache_dir, ec);

  std::vector<std::string> texts = bench_texts(files);
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  if (bytes == 0) throw zaya::TokenizerError("bench: no texts found in the given files");
  std::vector<int32_t> ids;
  size_t rounds = 0, tokens = 0;
  double enc_s = 0, enc_cpu = 0, first_round_cpu = 0;
  t0 = Clock::now();
  c0 = thread_cpu();
  do {
    if (rounds == 1) first_round_cpu = thread_cpu() - c0;
    for (const auto& t : texts) {
      ids.clear();
      parsed.encode_into(t, zaya::EncodeOptions{}, ids);
      tokens += ids.size();
    }
    ++rounds;
    enc_s = seconds_since(t0);
    enc_cpu = thread_cpu() - c0;
  } while (enc_cpu < seconds);
  std::vector<std::vector<int32_t>> all_ids;
  for (const auto& t : texts) all_ids.push_back(parsed.encode(t, false));
  c0 = thread_cpu();
  size_t out_bytes = 0;
  for (const auto& v : all_ids) out_bytes += parsed.decode(v).size();
  const double dec_cpu = thread_cpu() - c0;

  const double total = double(bytes) * double(rounds);
  std::printf("tokenizer       %s\n", path.c_str());
  std::printf("load (parse)    %.3f s CPU, %.3f s wall  (JSON, no cache)\n", parse_cpu, parse_s);
  std::printf("load (cached)   %.3f s CPU, %.3f s wall  (binary cache, best of 3, from_cache=%s)\n", cached_cpu,
              cached_s, from_cache ? "yes" : "NO");
  std::printf("encode          %.2f MB/s on one core (CPU time), %.2f MB/s wall  (%zu texts, %.2f MB, %zu rounds,"
              " %.2f bytes/token)\n",
              total / enc_cpu / 1e6, total / enc_s / 1e6, texts.size(), double(bytes) / 1e6, rounds,
              total / double(tokens));
  std::printf("encode (1st)    %.2f MB/s on one core (first pass, word cache cold)\n",
              double(bytes) / (rounds > 1 ? first_round_cpu : enc_cpu) / 1e6);
  std::printf("decode          %.2f MB/s on one core (CPU time)\n", double(out_bytes) / dec_cpu / 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string tokenizer_path, jsonl_in, jsonl_out, text, decode;
  bool have_text = false, have_decode = false, bench = false, add_special = false, use_cache = true;
  double seconds = 3.0;
  std::vector<std::string> bench_files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "zaya-tokenize: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--tokenizer") tokenizer_path = value();
    else if (a == "--jsonl-in") jsonl_in = value();
    else if (a == "--jsonl-out") jsonl_out = value();
    else if (a == "--text") { text = value(); have_text = true; }
    else if (a == "--decode") { decode = value(); have_decode = true; }
    else if (a == "--add-special") add_special = true;
    else if (a == "--no-cache") use_cache = false;
    else if (a == "--seconds") seconds = std::stod(value());
    else if (a == "--bench") bench = true;
    else if (bench && a.rfind("--", 0) != 0) bench_files.push_back(a);
    else {
      std::fprintf(stderr, "zaya-tokenize: unknown argument %s\n", a.c_str());
      return usage();
    }
  }
  if (tokenizer_path.empty()) return usage();
  try {
    if (bench) return run_bench(tokenizer_path, bench_files, seconds);
    zaya::TokenizerLoadOptions options;
    options.use_cache = use_cache;
    zaya::Tokenizer tok = zaya::Tokenizer::load(tokenizer_path, options);
    if (!jsonl_in.empty() || !jsonl_out.empty()) {
      if (jsonl_in.empty() || jsonl_out.empty()) return usage();
      return run_jsonl(tok, jsonl_in, jsonl_out, add_special);
    }
    if (have_text) {
      std::vector<int32_t> ids = tok.encode(text, add_special);
      std::string line;
      for (size_t i = 0; i < ids.size(); ++i) line += (i ? "," : "") + std::to_string(ids[i]);
      std::printf("%s\n", line.c_str());
      for (int32_t id : ids) std::printf("%d\t%s\n", id, escape_piece(tok.piece(id)).c_str());
      return 0;
    }
    if (have_decode) {
      std::vector<int32_t> ids;
      std::stringstream ss(decode);
      std::string item;
      while (std::getline(ss, item, ',')) {
        if (item.empty()) continue;
        size_t used = 0;
        long long v = std::stoll(item, &used);
        if (used != item.size() || v < INT32_MIN || v > INT32_MAX)
          throw zaya::TokenizerError("--decode: not an id: " + item);
        ids.push_back(int32_t(v));
      }
      std::printf("%s\n", tok.decode(ids).c_str());
      return 0;
    }
    return usage();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "zaya-tokenize: %s\n", e.what());
    return 1;
  }
}
