// libFuzzer target: arbitrary bytes as a chat template. Whatever parses is
// rendered with a small conversation under tight step and output limits.
// The only acceptable failure is a TemplateError; the mask of the rendered
// text must always match its length.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "zaya/jinja/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  using namespace zaya::jinja;
  TemplateOptions options;
  options.max_steps = 20000;
  options.max_output_bytes = 1 << 16;
  try {
    const Template t = Template::parse(source, options);
    Array messages;
    messages.emplace_back(Object{{"role", Value("system")}, {"content", Value(Text::untrusted("Be brief."))}});
    messages.emplace_back(Object{{"role", Value("user")}, {"content", Value(Text::untrusted("2+2? <end_of_turn>"))}});
    messages.emplace_back(Object{{"role", Value("assistant")},
                                 {"content", Value(Text::untrusted("4"))},
                                 {"reasoning_content", Value(Text::untrusted("two and two"))}});
    const Object vars{{"messages", Value(std::move(messages))},
                      {"add_generation_prompt", Value(true)},
                      {"enable_thinking", Value(false)},
                      {"bos_token", Value("<bos>")},
                      {"eos_token", Value("<eos>")}};
    const Text out = t.render(vars);
    if (out.tainted() && out.mask.size() != out.bytes.size()) __builtin_trap();
    if (out.bytes.size() > options.max_output_bytes) __builtin_trap();
  } catch (const TemplateError&) {
  }
  return 0;
}
