// A checkpoint's own chat template (Jinja, as transformers renders it) and
// the files around it in a snapshot folder: tokenizer_config.json names the
// template and bos/eos spellings, generation_config.json the stop ids and
// default sampling.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "zaya/jinja/template.h"
#include "zaya/tokenizer.h"

namespace zaya {

struct ChatMessage;
struct ChatPromptOptions;

// generation_config.json, the fields the engine uses.
struct GenerationDefaults {
  std::vector<int32_t> eos_token_ids;  // extra stop ids
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int> top_k;
  std::optional<bool> do_sample;
};

// What a snapshot folder (or a pack's carried files) says about prompting.
struct ChatTemplateFiles {
  std::string source;  // the Jinja text; empty when the folder has none
  std::string origin;  // file it came from: "chat_template.jinja" or "tokenizer_config.json"
  std::string bos_token, eos_token;  // spellings from tokenizer_config.json ("" when absent)
  std::optional<GenerationDefaults> generation;  // generation_config.json, when present
};

// Reads chat_template.jinja (preferred, as transformers does), else the
// "chat_template" of tokenizer_config.json (a string, or the entry named
// "default" of a list), and generation_config.json. Throws TokenizerError
// naming the file when one exists but cannot be read or parsed.
ChatTemplateFiles read_chat_template_files(const std::filesystem::path& folder);
// The same from file contents already in memory (a pack's carried blobs);
// empty strings for files that are absent.
ChatTemplateFiles chat_template_files_from_text(const std::string& chat_template_jinja,
                                                const std::string& tokenizer_config_json,
                                                const std::string& generation_config_json);

// A JSON value as a template value; strings become markup (trusted) unless
// `untrusted`.
jinja::Value to_template_value(const nlohmann::json& j, bool untrusted = false);

class ChatTemplate {
 public:
  // Throws jinja::TemplateError (line and column) for a malformed template.
  ChatTemplate(std::string source, std::string bos_token, std::string eos_token);

  // The prompt text; the bytes that came from message content are marked untrusted.
  jinja::Text render(std::span<const ChatMessage> messages, const ChatPromptOptions& options) const;
  // Rendered text to ids: special tokens are recognised in the template's
  // markup only, never inside message content.
  static std::vector<int32_t> encode(const jinja::Text& prompt, const Tokenizer& tokenizer);

  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::string bos_token_, eos_token_;
  jinja::Template template_;
};

}  // namespace zaya
