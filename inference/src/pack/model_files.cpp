#include "zaya/model_files.h"

#include <array>
#include <fstream>
#include <sstream>

#include "pack/pack_reader.h"
#include "zaya/errors.h"

namespace zaya {

namespace {

constexpr std::array<std::string_view, 4> kTokenizerFiles = {"tokenizer.json", "tokenizer_config.json",
                                                             "special_tokens_map.json", "tokenizer.model"};
constexpr std::array<std::string_view, 3> kChatFiles = {"chat_template.jinja", "chat_template.json",
                                                        "generation_config.json"};

bool contains(std::span<const std::string_view> names, std::string_view name) {
  for (std::string_view n : names)
    if (n == name) return true;
  return false;
}

}  // namespace

std::span<const std::string_view> carried_tokenizer_files() { return kTokenizerFiles; }
std::span<const std::string_view> carried_chat_files() { return kChatFiles; }

std::optional<std::string> read_model_file(const std::filesystem::path& model_path, std::string_view name) {
  if (std::filesystem::is_regular_file(model_path)) {
    const std::string entry = contains(kTokenizerFiles, name) ? "tokenizer/" + std::string(name)
                              : contains(kChatFiles, name)    ? "chat/" + std::string(name)
                                                              : std::string(name);
    const pack::MappedPack pack(model_path.string());
    if (!pack.reader().find(entry)) return std::nullopt;
    return pack.reader().blob_text(entry);
  }
  const std::filesystem::path file = model_path / std::string(name);
  if (!std::filesystem::is_regular_file(file)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw LoadError(file.string() + ": cannot be read");
  return text.str();
}

}  // namespace zaya
