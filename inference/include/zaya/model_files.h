// The files a model brings besides its weights — tokenizer, chat template,
// generation defaults — by the name they have in a checkpoint folder, read
// from wherever the model keeps them: the folder itself, or the copies
// zaya-quantize carried into a pack ("tokenizer/<name>", "chat/<name>").
// So a caller asks for "tokenizer_config.json" without knowing which it has.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace zaya {

// Checkpoint files a pack carries, by the folder in the pack they go to.
std::span<const std::string_view> carried_tokenizer_files();  // tokenizer.json, tokenizer_config.json, ...
std::span<const std::string_view> carried_chat_files();       // chat_template.jinja, generation_config.json, ...

// The text of `name` for the model at `model_path` (a checkpoint folder or a
// pack file); nullopt when the model has no such file. Throws LoadError when
// the file exists but cannot be read, or the pack is not a pack.
std::optional<std::string> read_model_file(const std::filesystem::path& model_path, std::string_view name);

}  // namespace zaya
