// The zaya-run binary on the golden directory, through its flag contract.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "golden_util.h"

namespace zaya::test {
namespace {

namespace fs = std::filesystem;

std::string zaya_run() { return std::string(ZAYA_BINARY_DIR) + "/bin/zaya-run"; }

fs::path temp_dir(const std::string& tag) {
  const fs::path p = fs::temp_directory_path() / ("zaya-run-test-" + tag + "-" + std::to_string(::getpid()));
  fs::create_directories(p);
  return p;
}

std::string join(const std::vector<std::int32_t>& ids) {
  std::string s;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(ids[i]);
  }
  return s;
}

TEST(ZayaRun, GoldenCasesLogitsAndRouting) {
  const fs::path tmp = temp_dir("cases");
  const auto expected = read_f32(golden_dir() + "/expected_logits.bin");
  const auto routing = read_json(golden_dir() + "/expected_routing.json");
  const std::int64_t V = 512;
  std::size_t ci = 0;
  for (const auto& gc : golden_cases()) {
    SCOPED_TRACE(gc.name);
    const std::string cmd = zaya_run() + " --model " + golden_dir() + " --ids " + join(gc.ids) + " --prefill-len " +
                            std::to_string(gc.prefill_len) + " --device cpu --threads 2 --logits-out " + (tmp / "l.bin").string() +
                            " --routing-out " + (tmp / "r.json").string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const auto got = read_f32((tmp / "l.bin").string());
    ASSERT_EQ(got.size(), gc.ids.size() * V);
    float worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(got[i] - expected[gc.logits_offset + i]));
    EXPECT_LE(worst, 2e-3f);
    const auto r = read_json((tmp / "r.json").string());
    const auto& er = routing["cases"][ci++]["routing"];
    ASSERT_EQ(r.size(), er.size());
    for (std::size_t t = 0; t < r.size(); ++t) {
      ASSERT_EQ(r[t].size(), er[t].size());
      for (std::size_t l = 0; l < r[t].size(); ++l) {
        EXPECT_EQ(r[t][l]["layer"].get<int>(), static_cast<int>(l));
        EXPECT_EQ(r[t][l]["expert"].get<int>(), er[t][l]["expert"].get<int>());
        EXPECT_NEAR(r[t][l]["weight"].get<double>(), er[t][l]["weight"].get<double>(), 1e-4);
      }
    }
  }
  fs::remove_all(tmp);
}

TEST(ZayaRun, GreedyIds) {
  const fs::path tmp = temp_dir("greedy");
  const auto g = read_json(golden_dir() + "/greedy.json");
  const std::string cmd = zaya_run() + " --model " + golden_dir() + " --ids " + join(g["prompt"].get<std::vector<std::int32_t>>()) +
                          " --generate 16 --greedy --device auto --ids-out " + (tmp / "ids.json").string() + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  EXPECT_EQ(read_json((tmp / "ids.json").string()).get<std::vector<std::int32_t>>(), g["generated"].get<std::vector<std::int32_t>>());
  fs::remove_all(tmp);
}

// --help is the source of the man page's synopsis: it must list every flag
// on stdout and succeed.
TEST(ZayaRun, HelpListsTheFlags) {
  const fs::path tmp = temp_dir("help");
  const fs::path out = tmp / "help.txt";
  ASSERT_EQ(std::system((zaya_run() + " --help > " + out.string()).c_str()), 0);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  const std::string help = text.str();
  EXPECT_EQ(help.rfind("usage: zaya-run --model DIR", 0), 0u) << help;
  for (const char* flag : {"--ids", "--prefill-len", "--prompt", "--chat", "--tokenizer", "--generate", "--greedy",
                           "--temperature", "--top-p", "--top-k", "--min-p", "--seed", "--repetition-penalty",
                           "--context", "--logits-out", "--routing-out", "--ids-out", "--stats", "--device", "--threads",
                           "--kv-cache"})
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  fs::remove_all(tmp);
}

TEST(ZayaRun, BadFlagsFailCleanly) {
  EXPECT_NE(std::system((zaya_run() + " --model " + golden_dir() + " --ids 2,x 2>/dev/null").c_str()), 0);
  EXPECT_NE(std::system((zaya_run() + " --model /nonexistent --ids 2 2>/dev/null").c_str()), 0);
  EXPECT_NE(std::system((zaya_run() + " --model " + golden_dir() + " --ids 2,3 --prefill-len 3 2>/dev/null").c_str()), 0);
  EXPECT_NE(std::system((zaya_run() + " --model " + golden_dir() + " --ids 99999 2>/dev/null").c_str()), 0);
  EXPECT_NE(std::system((zaya_run() + " --model " + golden_dir() + " --ids 2 --kv-cache bf16 2>/dev/null").c_str()), 0);
}

// --kv-cache reaches the load, and --stats names the cache in use.
TEST(ZayaRun, StatsNameTheKvCache) {
  const fs::path tmp = temp_dir("kv");
  for (const char* type : {"f32", "f16", "q8"}) {
    const fs::path err = tmp / (std::string(type) + ".txt");
    ASSERT_EQ(std::system((zaya_run() + " --model " + golden_dir() + " --device cpu --ids 2,17,33 --kv-cache " + type +
                           " --stats 2> " + err.string() + " > /dev/null").c_str()),
              0);
    std::ifstream in(err);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find(std::string("kv cache: ") + type), std::string::npos) << text.str();
  }
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace zaya::test
