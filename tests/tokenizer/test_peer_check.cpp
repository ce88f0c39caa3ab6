// Peer check against the JavaScript reference (@lenml/tokenizers run with
// node): every problem statement, solution and choice in the problem data,
// plus torture.jsonl, must get identical ids, and decode(encode(x)) == x for
// every text that is valid UTF-8 without U+2581 ("▁" decodes to a space).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include <nlohmann/json.hpp>

#include "reference.h"

using namespace zaya;
namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

fs::path problems_dir() {
  for (const char* dir : {ZAYA_TOKENIZER_PROBLEMS_DIR, ZAYA_TOKENIZER_PROBLEMS_FALLBACK})
    if (std::string(dir).size() && fs::is_directory(dir)) return dir;
  return {};
}

bool is_valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace

TEST(TokenizerPeerCheck, IdenticalToJavaScriptReference) {
  std::string error;
  const fs::path tokenizer_json = test::reference_tokenizer_json(error);
  ASSERT_FALSE(tokenizer_json.empty()) << error;
  const Tokenizer* tok = test::gemma_tokenizer(error);
  ASSERT_NE(tok, nullptr) << error;
  const std::string node = ZAYA_NODE_EXECUTABLE;
  ASSERT_FALSE(node.empty() || node.find("NOTFOUND") != std::string::npos)
      << "node was not found when the build was configured: run tools/setup.sh, then re-run cmake";

  const fs::path problems = problems_dir();
  ASSERT_FALSE(problems.empty()) << "no problem data: neither " << ZAYA_TOKENIZER_PROBLEMS_DIR << " nor "
                                 << ZAYA_TOKENIZER_PROBLEMS_FALLBACK << " exists";

  // ---- collect the texts ----
  std::vector<std::string> texts;
  std::vector<fs::path> files;
  // The shared data keeps one folder per source; the copy the project ships
  // (problems/data) keeps the files side by side.
  auto collect = [&](const fs::path& dir) {
    for (const auto& f : fs::directory_iterator(dir))
      if (f.is_regular_file() && f.path().string().ends_with(".normalized.jsonl")) files.push_back(f.path());
  };
  collect(problems);
  for (const auto& dir : fs::directory_iterator(problems))
    if (dir.is_directory()) collect(dir.path());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no *.normalized.jsonl or */*.normalized.jsonl under " << problems;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      nlohmann::json j = nlohmann::json::parse(line);
      for (const char* key : {"statement_latex", "solution_latex"})
        if (j.contains(key) && j[key].is_string()) texts.push_back(j[key].get<std::string>());
      if (j.contains("choices") && j["choices"].is_array())
        for (const auto& c : j["choices"])
          if (c.is_object() && c.contains("text") && c["text"].is_string()) texts.push_back(c["text"].get<std::string>());
    }
  }
  const size_t problem_texts = texts.size();
  {
    std::ifstream in(std::string(ZAYA_TOKENIZER_TEST_DIR) + "/torture.jsonl", std::ios::binary);
    ASSERT_TRUE(in) << "torture.jsonl missing";
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) texts.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
  }
  ASSERT_GT(texts.size(), problem_texts + 40);

  // ---- one node process encodes them all ----
  const fs::path work = fs::temp_directory_path() / ("zaya-peer-check-" + std::to_string(::getpid()));
  fs::create_directories(work);
  {
    std::ofstream out(work / "in.jsonl", std::ios::binary);
    for (const std::string& t : texts) out << nlohmann::json{{"text", t}}.dump() << "\n";
  }
  const std::string command = shell_quote(node) + " " + shell_quote(std::string(ZAYA_SOURCE_DIR) + "/tools/npm/encode-jsonl.js") +
                              " --modules " + shell_quote(test::npm_modules_dir().string()) + " --tokenizer " +
                              shell_quote(tokenizer_json.string()) + " " + shell_quote((work / "in.jsonl").string()) +
                              " " + shell_quote((work / "out.jsonl").string()) + " 2>&1";
  const auto t0 = std::chrono::steady_clock::now();
  std::string node_output;
  ASSERT_EQ(test::run_command(command, node_output), 0) << command << "\n" << node_output;
  const double node_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<std::vector<int32_t>> reference;
  {
    std::ifstream in(work / "out.jsonl", std::ios::binary);
    std::string line;
    while (std::getline(in, line)) reference.push_back(nlohmann::json::parse(line).at("ids").get<std::vector<int32_t>>());
  }
  fs::remove_all(work);
  ASSERT_EQ(reference.size(), texts.size());

  // ---- compare ----
  size_t identical = 0, round_trips = 0, round_trip_checked = 0, reported = 0;
  const auto t1 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<int32_t> ids = tok->encode(texts[i], false);
    if (ids == reference[i]) {
      ++identical;
    } else if (reported++ < 5) {
      ADD_FAILURE() << "text " << i << " differs from the JavaScript reference: \"" << texts[i].substr(0, 200)
                    << "\" (" << ids.size() << " ids vs " << reference[i].size() << ")";
    }
    if (is_valid_utf8(texts[i]) && texts[i].find("\xE2\x96\x81") == std::string::npos) {
      ++round_trip_checked;
      if (tok->decode(ids) == texts[i]) ++round_trips;
      else ADD_FAILURE() << "decode(encode(x)) != x for text " << i << ": \"" << texts[i].substr(0, 200) << "\"";
    }
  }
  const double cpp_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  std::printf("peer check: %zu texts (%zu from %zu problem files, %zu torture); identical ids: %zu; "
              "round trips: %zu/%zu; node %.1f s, C++ %.1f s\n",
              texts.size(), problem_texts, files.size(), texts.size() - problem_texts, identical, round_trips,
              round_trip_checked, node_s, cpp_s);
  EXPECT_EQ(identical, texts.size());
  EXPECT_EQ(round_trips, round_trip_checked);
}
