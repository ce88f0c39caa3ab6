// Reading a snapshot's chat template files, and rendering the template with
// the variables transformers' apply_chat_template passes.
#include "zaya/chat_template.h"

#include <fstream>
#include <sstream>

#include "zaya/chat_format.h"

namespace zaya {

namespace {

// The moment strftime_now reports: fixed, so one conversation always gives
// the same prompt (and templates that print today's date stay testable).
std::tm fixed_moment() {
  std::tm t{};
  t.tm_year = 2026 - 1900;
  t.tm_mon = 0;
  t.tm_mday = 15;
  t.tm_hour = 9;
  t.tm_min = 30;
  t.tm_wday = 4;  // a Thursday
  t.tm_yday = 14;
  return t;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json parse_json(const std::string& text, const std::string& name) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw TokenizerError(name + ": " + e.what());
  }
}

// A token entry of tokenizer_config.json: "<bos>" or {"content": "<bos>", ...}.
std::string token_spelling(const nlohmann::json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) return (*it)["content"].get<std::string>();
  return {};
}

GenerationDefaults generation_defaults(const nlohmann::json& g) {
  GenerationDefaults d;
  if (auto it = g.find("eos_token_id"); it != g.end()) {
    if (it->is_number_integer()) d.eos_token_ids.push_back(it->get<int32_t>());
    if (it->is_array())
      for (const auto& id : *it)
        if (id.is_number_integer()) d.eos_token_ids.push_back(id.get<int32_t>());
  }
  if (auto it = g.find("temperature"); it != g.end() && it->is_number()) d.temperature = it->get<double>();
  if (auto it = g.find("top_p"); it != g.end() && it->is_number()) d.top_p = it->get<double>();
  if (auto it = g.find("top_k"); it != g.end() && it->is_number_integer()) d.top_k = it->get<int>();
  if (auto it = g.find("do_sample"); it != g.end() && it->is_boolean()) d.do_sample = it->get<bool>();
  return d;
}

}  // namespace

ChatTemplateFiles chat_template_files_from_text(const std::string& chat_template_jinja,
                                                const std::string& tokenizer_config_json,
                                                const std::string& generation_config_json) {
  ChatTemplateFiles files;
  if (!tokenizer_config_json.empty()) {
    const nlohmann::json config = parse_json(tokenizer_config_json, "tokenizer_config.json");
    if (config.is_object()) {
      files.bos_token = token_spelling(config, "bos_token");
      files.eos_token = token_spelling(config, "eos_token");
      auto it = config.find("chat_template");
      if (it != config.end() && it->is_string()) {
        files.source = it->get<std::string>();
      } else if (it != config.end() && it->is_array()) {  // named templates: transformers uses "default"
        for (const auto& entry : *it)
          if (entry.is_object() && entry.value("name", "") == "default" && entry.contains("template") &&
              entry["template"].is_string())
            files.source = entry["template"].get<std::string>();
      }
      if (!files.source.empty()) files.origin = "tokenizer_config.json";
    }
  }
  if (!chat_template_jinja.empty()) {
    files.source = chat_template_jinja;
    files.origin = "chat_template.jinja";
  }
  if (!generation_config_json.empty()) {
    const nlohmann::json g = parse_json(generation_config_json, "generation_config.json");
    if (g.is_object()) files.generation = generation_defaults(g);
  }
  return files;
}

ChatTemplateFiles read_chat_template_files(const std::filesystem::path& folder) {
  auto read_if = [&](const char* name) {
    const std::filesystem::path p = folder / name;
    return std::filesystem::is_regular_file(p) ? read_file(p) : std::string();
  };
  try {
    return chat_template_files_from_text(read_if("chat_template.jinja"), read_if("tokenizer_config.json"),
                                         read_if("generation_config.json"));
  } catch (const TokenizerError& e) {
    throw TokenizerError(folder.string() + "/" + e.what());
  }
}

jinja::Value to_template_value(const nlohmann::json& j, bool untrusted) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return jinja::Value::none();
    case nlohmann::json::value_t::boolean: return jinja::Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return jinja::Value(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return jinja::Value(int64_t(j.get<uint64_t>()));
    case nlohmann::json::value_t::number_float: return jinja::Value(j.get<double>());
    case nlohmann::json::value_t::string:
      return untrusted ? jinja::Value(jinja::Text::untrusted(j.get<std::string>())) : jinja::Value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      jinja::Array items;
      for (const auto& x : j) items.push_back(to_template_value(x, untrusted));
      return jinja::Value(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      jinja::Object fields;
      for (auto it = j.begin(); it != j.end(); ++it) fields.emplace_back(it.key(), to_template_value(it.value(), untrusted));
      return jinja::Value(std::move(fields));
    }
    default: return {};
  }
}

ChatTemplate::ChatTemplate(std::string source, std::string bos_token, std::string eos_token)
    : source_(std::move(source)),
      bos_token_(std::move(bos_token)),
      eos_token_(std::move(eos_token)),
      template_(jinja::Template::parse(source_)) {}

jinja::Text ChatTemplate::render(std::span<const ChatMessage> messages, const ChatPromptOptions& options) const {
  jinja::Array list;
  for (const ChatMessage& m : messages) {
    const char* role = m.role == ChatRole::kSystem ? "system" : m.role == ChatRole::kUser ? "user" : "assistant";
    jinja::Object fields{{"role", jinja::Value(std::string(role))},
                         {"content", jinja::Value(jinja::Text::untrusted(m.content))}};
    if (m.role == ChatRole::kAssistant && !m.reasoning.empty())
      fields.emplace_back("reasoning_content", jinja::Value(jinja::Text::untrusted(m.reasoning)));
    list.emplace_back(std::move(fields));
  }
  // The variables of transformers' apply_chat_template (special tokens that
  // the tokenizer does not define are not passed, as there).
  jinja::Object vars{{"messages", jinja::Value(std::move(list))},
                     {"add_generation_prompt", jinja::Value(options.add_generation_prompt)},
                     {"enable_thinking", jinja::Value(options.enable_thinking)},
                     {"strftime_now", jinja::fixed_strftime_now(fixed_moment())}};
  if (!bos_token_.empty()) vars.emplace_back("bos_token", jinja::Value(bos_token_));
  if (!eos_token_.empty()) vars.emplace_back("eos_token", jinja::Value(eos_token_));
  return template_.render(vars);
}

std::vector<int32_t> ChatTemplate::encode(const jinja::Text& prompt, const Tokenizer& tokenizer) {
  EncodeOptions options;
  options.add_special_tokens = false;  // the template writes <bos> itself
  options.parse_special_tokens = true;
  options.untrusted_mask = prompt.mask;
  return tokenizer.encode(prompt.bytes, options);
}

}  // namespace zaya
