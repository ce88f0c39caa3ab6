// Peer check of the chat-template interpreter: every (template, conversation)
// pair rendered here must give exactly the text that jinja2 (configured as
// transformers configures it) and @huggingface/jinja give. The templates are
// the real ones of Gemma 3, Qwen3, Llama 3.1, Llama 3.2, DeepSeek-V3 and
// Mistral Nemo, plus a ZAYA-shaped one. Skips, saying what to run, when the
// npm packages, node or python3-jinja2 are missing.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "chat_template_cases.h"
#include "reference.h"
#include "zaya/chat_template.h"

namespace zaya::test {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string visible(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\n' ? std::string("\\n") : c == '\t' ? std::string("\\t") : std::string(1, c);
  return out;
}

// "" when equal, else where and how they first differ.
std::string first_difference(const std::string& ours, const std::string& theirs) {
  size_t i = 0;
  while (i < ours.size() && i < theirs.size() && ours[i] == theirs[i]) ++i;
  if (i == ours.size() && i == theirs.size()) return {};
  size_t line = 1 + size_t(std::count(ours.begin(), ours.begin() + long(i), '\n'));
  size_t from = i > 40 ? i - 40 : 0;
  return "first difference at byte " + std::to_string(i) + " (line " + std::to_string(line) + ")\n  ours:   ..." +
         visible(ours.substr(from, i - from)) + "[" + visible(ours.substr(i, 40)) + "]\n  theirs: ..." +
         visible(theirs.substr(from, i - from)) + "[" + visible(theirs.substr(i, 40)) + "]";
}

std::tm peer_moment() {  // 2026-01-15T09:30:00, as given to the peers
  std::tm t{};
  t.tm_year = 126;
  t.tm_mon = 0;
  t.tm_mday = 15;
  t.tm_hour = 9;
  t.tm_min = 30;
  t.tm_wday = 4;
  t.tm_yday = 14;
  return t;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(ChatTemplatePeers, RealTemplatesRenderAsJinja2AndHuggingFaceJinja) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> missing;
  const std::vector<NamedTemplate> templates = chat_templates(missing);
  const std::filesystem::path modules = npm_modules_dir();
  if (!std::filesystem::is_directory(modules / "@huggingface" / "jinja")) missing.push_back("@huggingface/jinja");
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += " " + m;
    GTEST_SKIP() << "npm packages missing from " << modules << ":" << list << " (run tools/setup.sh)";
  }
  const std::string node = ZAYA_NODE_EXECUTABLE, python = ZAYA_PYTHON3_EXECUTABLE;
  if (node.empty() || node.find("NOTFOUND") != std::string::npos) GTEST_SKIP() << "node not found (run tools/setup.sh)";
  std::string probe;
  if (python.empty() || run_command(shell_quote(python) + " -c 'import jinja2' 2>&1", probe) != 0)
    GTEST_SKIP() << python << " cannot import jinja2: install python3-jinja2 (tools/setup.sh)";

  const std::vector<nlohmann::json> conversations = chat_conversations();
  nlohmann::json cases = nlohmann::json::array();
  for (const NamedTemplate& t : templates)
    for (const nlohmann::json& c : conversations) {
      nlohmann::json context = c;
      if (!t.bos_token.empty()) context["bos_token"] = t.bos_token;
      if (!t.eos_token.empty()) context["eos_token"] = t.eos_token;
      cases.push_back({{"template", t.source}, {"context", context}});
    }
  const std::string base = (std::filesystem::temp_directory_path() / ("zaya-chat-peers-" + std::to_string(getpid()))).string();
  {
    std::ofstream(base + ".in.json") << nlohmann::json{{"cases", cases}, {"strftime_now", "2026-01-15T09:30:00"}}.dump();
  }
  std::string out;
  const std::string js = shell_quote(node) + " " + shell_quote(std::string(ZAYA_SOURCE_DIR) + "/tools/npm/render-chat-template.js") +
                         " --modules " + shell_quote(modules.string()) + " " + shell_quote(base + ".in.json") + " " +
                         shell_quote(base + ".js.json") + " 2>&1";
  ASSERT_EQ(run_command(js, out), 0) << js << "\n" << out;
  const std::string py = shell_quote(python) + " " + shell_quote(std::string(ZAYA_SOURCE_DIR) + "/tools/jinja/render_chat_template.py") +
                         " " + shell_quote(base + ".in.json") + " " + shell_quote(base + ".py.json") + " 2>&1";
  ASSERT_EQ(run_command(py, out), 0) << py << "\n" << out;
  const nlohmann::json js_out = read_json(base + ".js.json"), py_out = read_json(base + ".py.json");
  for (const char* ext : {".in.json", ".js.json", ".py.json"}) std::filesystem::remove(base + ext);
  ASSERT_EQ(js_out.size(), cases.size());
  ASSERT_EQ(py_out.size(), cases.size());

  const jinja::Value strftime_now = jinja::fixed_strftime_now(peer_moment());
  size_t identical = 0, index = 0;
  for (const NamedTemplate& t : templates) {
    const jinja::Template compiled = jinja::Template::parse(t.source);
    for (size_t ci = 0; ci < conversations.size(); ++ci, ++index) {
      SCOPED_TRACE(t.name + ", conversation " + std::to_string(ci));
      const nlohmann::json& py_case = py_out[index];
      const nlohmann::json& js_case = js_out[index];
      ASSERT_TRUE(py_case.contains("text")) << "jinja2 failed: " << py_case.dump();
      ASSERT_TRUE(js_case.contains("text")) << "@huggingface/jinja failed: " << js_case.dump();
      jinja::Object vars = to_template_value(cases[index]["context"]).object();
      vars.emplace_back("strftime_now", strftime_now);
      std::string ours;
      try {
        ours = compiled.render(vars).bytes;
      } catch (const jinja::TemplateError& e) {
        FAIL() << "our render failed: " << e.what();
      }
      const std::string py_text = py_case["text"], js_text = js_case["text"];
      const std::string vs_py = first_difference(ours, py_text), vs_js = first_difference(ours, js_text);
      EXPECT_EQ(vs_py, "") << "against jinja2: " << vs_py;
      EXPECT_EQ(vs_js, "") << "against @huggingface/jinja: " << vs_js;
      if (vs_py.empty() && vs_js.empty()) ++identical;
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("chat-template peer check: %zu of %zu (template, conversation) pairs identical to jinja2 and "
              "@huggingface/jinja (%zu templates x %zu conversations), %.2f s\n",
              identical, cases.size(), templates.size(), conversations.size(), s);
  EXPECT_EQ(identical, cases.size());
}

}  // namespace
}  // namespace zaya::test
