// A damaged or vanishing model pack, as zaya-run meets it:
//   - bytes flipped inside a tensor: `zaya-run --verify` and
//     LoadOptions::verify name that tensor; a plain load does not read them;
//   - the pack truncated while zaya-run has it mapped: "the model file
//     changed while in use" and exit code 1, not a SIGBUS crash. The run is
//     held after load (ZAYA_RUN_WAIT_AFTER_LOAD) so the truncation lands
//     before the first weight read after loading, every time. Also runs in
//     the ASan build: ASan lets a program's own SIGBUS handler through
//     (allow_user_segv_handler, on by default), checked there.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pack/pack_reader.h"
#include "pack/quantize.h"
#include "zaya/model.h"

extern char** environ;

namespace zaya::pack {
namespace {

namespace fs = std::filesystem;
const fs::path kTiny = fs::path(ZAYA_TESTDATA_DIR) / "zaya-tiny";
constexpr const char* kTensor = "model.layers.1.mlp.experts.down_proj";

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts zaya-run with `args`, stdout and stderr into files under `dir`.
pid_t start_zaya_run(const std::vector<std::string>& args, const fs::path& dir) {
  std::vector<std::string> argv_s{ZAYA_RUN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, (dir / "stdout.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, (dir / "stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, ZAYA_RUN, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

// Waits up to `seconds`; the exit status (or 128 + signal), -1 on timeout (the child is killed).
int wait_for(pid_t pid, int seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > until) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class DamagedPack : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("zaya-pack-guard-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    QuantizeOptions o;
    o.preset = quantize_preset("q4");
    o.threads = 1;
    quantize_checkpoint(kTiny.string(), (dir_ / "good.zpack").string(), o);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  // A copy of the good pack with the middle bytes of kTensor inverted.
  static fs::path flipped_copy() {
    const fs::path out = dir_ / "flipped.zpack";
    fs::copy_file(dir_ / "good.zpack", out, fs::copy_options::overwrite_existing);
    std::uint64_t at = 0;
    {
      const MappedPack pack(out.string());
      const PackEntry& e = pack.reader().at(kTensor);
      at = e.offset + e.size / 2;
    }
    std::fstream f(out, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char b[16];
    f.read(b, sizeof b);
    for (char& c : b) c = static_cast<char>(~c);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(b, sizeof b);
    return out;
  }

  static fs::path dir_;
};
fs::path DamagedPack::dir_;

TEST_F(DamagedPack, LoadWithVerifyNamesTheFlippedTensor) {
  const fs::path p = flipped_copy();
  LoadOptions o;
  o.device = DeviceKind::Cpu;
  o.threads = 1;
  EXPECT_NO_THROW(Model::load(p.string(), o));  // header and table are intact: a plain load does not read tensor bytes
  o.verify = true;
  try {
    Model::load(p.string(), o);
    ADD_FAILURE() << "a pack with flipped tensor bytes passed verification";
  } catch (const PackError& e) {
    EXPECT_NE(std::string(e.what()).find(std::string("tensor '") + kTensor + "' is corrupted"), std::string::npos) << e.what();
  }
}

TEST_F(DamagedPack, ZayaRunVerifyNamesTheFlippedTensor) {
  const pid_t good = start_zaya_run({"--model", (dir_ / "good.zpack").string(), "--verify"}, dir_);
  ASSERT_GT(good, 0);
  EXPECT_EQ(wait_for(good, 60), 0) << read_text(dir_ / "stderr.txt");
  EXPECT_NE(read_text(dir_ / "stderr.txt").find("every tensor's checksum matches"), std::string::npos);

  const pid_t bad = start_zaya_run({"--model", flipped_copy().string(), "--verify"}, dir_);
  ASSERT_GT(bad, 0);
  EXPECT_EQ(wait_for(bad, 60), 1);
  const std::string err = read_text(dir_ / "stderr.txt");
  EXPECT_NE(err.find(std::string("tensor '") + kTensor + "' is corrupted"), std::string::npos) << err;
}

TEST_F(DamagedPack, TruncatedWhileMappedSaysSoAndExitsWithOne) {
  const fs::path pack = dir_ / "shrinking.zpack", gate = dir_ / "go";
  fs::copy_file(dir_ / "good.zpack", pack, fs::copy_options::overwrite_existing);
  fs::remove(gate);
  fs::remove(gate.string() + ".loaded");
  ::setenv("ZAYA_RUN_WAIT_AFTER_LOAD", gate.c_str(), 1);
  const pid_t pid = start_zaya_run(
      {"--model", pack.string(), "--device", "cpu", "--threads", "2", "--ids", "1,2,3", "--generate", "2000"}, dir_);
  ::unsetenv("ZAYA_RUN_WAIT_AFTER_LOAD");
  ASSERT_GT(pid, 0);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(gate.string() + ".loaded") && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(fs::exists(gate.string() + ".loaded")) << read_text(dir_ / "stderr.txt");
  fs::resize_file(pack, 0);  // every mapped page is gone
  std::ofstream(gate).put('\n');
  const int rc = wait_for(pid, 60);
  const std::string err = read_text(dir_ / "stderr.txt");
  EXPECT_EQ(rc, 1) << "exit status " << rc << " (128 + signal when killed), stderr: " << err;
  EXPECT_NE(err.find("zaya-run: the model file changed while in use"), std::string::npos) << err;
  EXPECT_EQ(read_text(dir_ / "stdout.txt"), "");  // no tokens from a vanished model
}

}  // namespace
}  // namespace zaya::pack
