// Filters, tests, methods of str/dict and JSON output: the library of
// functions the interpreter calls by name. They report bad input by throwing
// Fault; the interpreter adds the template position.
#pragma once

#include <string>
#include <string_view>

#include "zaya/jinja/value.h"

namespace zaya::jinja {

struct Fault {
  std::string message;
};
[[noreturn]] void fault(std::string message);

// `input | name(args)`. Throws Fault for an unknown filter or bad arguments.
Value apply_filter(std::string_view name, const Value& input, const CallArgs& args);
// `input is name(args)`.
bool apply_test(std::string_view name, const Value& input, const CallArgs& args);

// `object.name` for str and dict methods ("startswith", "items", ...): a
// bound function, or undefined when the type has no such method.
Value find_method(const Value& object, std::string_view name);

// json.dumps as transformers' tojson calls it (ensure_ascii=False by default).
struct JsonStyle {
  int indent = -1;  // < 0: one line
  bool ensure_ascii = false;
  bool sort_keys = false;
  std::string item_separator = ", ";
  std::string key_separator = ": ";
};
std::string to_json(const Value& v, const JsonStyle& style);

// Python's str.strip family over Unicode whitespace (chars empty) or a set of characters.
Text strip_text(const Text& s, bool left, bool right, const Value* chars);

}  // namespace zaya::jinja
