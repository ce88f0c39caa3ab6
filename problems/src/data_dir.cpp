#include <cstdlib>
#include <system_error>

#include "zaya/problems/bank.h"

namespace zaya::problems {

namespace {

bool holds_bank(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir / "data", ec)) return false;
  for (const auto& entry : std::filesystem::directory_iterator(dir / "data", ec))
    if (entry.path().string().ends_with(".normalized.jsonl")) return true;
  return false;
}

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

}  // namespace

std::optional<std::filesystem::path> find_problems_dir(const std::filesystem::path& explicit_dir, std::string* tried) {
  std::vector<std::filesystem::path> candidates;
  if (!explicit_dir.empty()) {
    candidates.push_back(explicit_dir);
  } else {
    if (const char* env = std::getenv("ZAYA_PROBLEMS_DIR"); env && *env) candidates.emplace_back(env);
    if (auto exe = executable_dir(); !exe.empty()) candidates.push_back(exe / ".." / "share" / "zaya-tutor" / "problems");
#ifdef ZAYA_PROBLEMS_SOURCE_DIR
    candidates.emplace_back(ZAYA_PROBLEMS_SOURCE_DIR);
#endif
  }
  for (const auto& c : candidates) {
    if (tried) *tried += (tried->empty() ? "" : ", ") + c.string();
    if (holds_bank(c)) {
      std::error_code ec;
      auto canonical = std::filesystem::weakly_canonical(c, ec);
      return ec ? c : canonical;
    }
  }
  return std::nullopt;
}

}  // namespace zaya::problems
