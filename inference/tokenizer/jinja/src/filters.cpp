// Filters (`x | name`) and tests (`x is name`) that chat templates use, with
// jinja2's semantics.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "builtins.h"

namespace zaya::jinja {

namespace {

int64_t int_arg(const CallArgs& args, size_t i, std::string_view name, int64_t fallback) {
  const Value* v = args.get(i, name);
  if (!v || v->is_none() || v->is_undefined()) return fallback;
  if (!v->is_number()) fault("argument '" + std::string(name) + "' must be a number");
  return v->as_int();
}

bool bool_arg(const CallArgs& args, size_t i, std::string_view name, bool fallback) {
  const Value* v = args.get(i, name);
  return v ? v->truthy() : fallback;
}

Array as_list(const Value& v) {
  if (v.is_array()) return v.array();
  if (v.is_object() && !v.is_namespace()) {
    Array keys;
    for (const auto& kv : v.object()) keys.emplace_back(kv.first);
    return keys;
  }
  if (v.is_string()) {
    Array chars;
    auto offsets = code_point_offsets(v.str());
    for (size_t i = 0; i + 1 < offsets.size(); ++i) chars.emplace_back(v.text().substr(offsets[i], offsets[i + 1] - offsets[i]));
    return chars;
  }
  if (v.is_undefined()) return {};
  fault("'" + v.type_name() + "' object is not iterable");
}

// "a.b.c" attribute paths of selectattr/map/sort/join.
Value attribute_path(const Value& item, const std::string& path) {
  Value cur = item;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const Value* next = nullptr;
    if (cur.is_object()) next = cur.find(part);
    else if (cur.is_array() && !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit)) {
      size_t i = std::strtoul(part.c_str(), nullptr, 10);
      next = i < cur.array().size() ? &cur.array()[i] : nullptr;
    }
    if (!next) return {};
    cur = *next;
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

const std::string& attribute_name(const CallArgs& args, size_t i, std::string_view filter) {
  const Value* a = args.get(i, "attribute");
  if (!a || !a->is_string()) fault(std::string(filter) + "() needs an attribute name");
  return a->str();
}

// Python ordering for sort/min/max; case-insensitive for strings unless asked.
bool less_than(const Value& a, const Value& b, bool case_sensitive) {
  if (a.is_number() && b.is_number()) return a.as_float() < b.as_float();
  if (a.is_string() && b.is_string()) {
    if (case_sensitive) return a.str() < b.str();
    std::string x = a.str(), y = b.str();
    for (char& c : x) c = char(std::tolower(static_cast<unsigned char>(c)));
    for (char& c : y) c = char(std::tolower(static_cast<unsigned char>(c)));
    return x < y;
  }
  fault("cannot compare '" + a.type_name() + "' with '" + b.type_name() + "'");
}

CallArgs rest_args(const CallArgs& args, size_t from) {
  CallArgs rest;
  for (size_t i = from; i < args.positional.size(); ++i) rest.positional.push_back(args.positional[i]);
  rest.keyword = args.keyword;
  return rest;
}

Value select_items(const Value& input, const CallArgs& args, bool by_attribute, bool keep) {
  Array out;
  const std::string* attr = nullptr;
  size_t test_at = 0;
  if (by_attribute) {
    if (args.positional.empty() || !args.positional[0].is_string()) fault("selectattr() needs an attribute name");
    attr = &args.positional[0].str();
    test_at = 1;
  }
  const bool has_test = args.positional.size() > test_at;
  if (has_test && !args.positional[test_at].is_string()) fault("the test name must be a string");
  CallArgs test_args = has_test ? rest_args(args, test_at + 1) : CallArgs{};
  for (const Value& item : as_list(input)) {
    Value subject = attr ? attribute_path(item, *attr) : item;
    bool pass = has_test ? apply_test(args.positional[test_at].str(), subject, test_args) : subject.truthy();
    if (pass == keep) out.push_back(item);
  }
  return Value(std::move(out));
}

Text html_escape(const Text& s) {
  Text out;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s.bytes[i];
    const char* rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&#34;" : c == '\'' ? "&#39;" : nullptr;
    if (rep) out.append(s.tainted() && s.mask[i] ? Text::untrusted(rep) : Text(rep));
    else out.append(s.substr(i, 1));
  }
  return out;
}

Value tojson(const Value& input, const CallArgs& args) {
  JsonStyle style;
  style.indent = int(int_arg(args, 0, "indent", -1));
  if (style.indent > 64) fault("tojson indent too large");
  style.ensure_ascii = bool_arg(args, 99, "ensure_ascii", false);
  style.sort_keys = bool_arg(args, 99, "sort_keys", false);
  if (style.indent >= 0) style.item_separator = ",";
  if (const Value* sep = args.get(99, "separators"); sep && sep->is_array() && sep->array().size() == 2 &&
                                                     sep->array()[0].is_string() && sep->array()[1].is_string()) {
    style.item_separator = sep->array()[0].str();
    style.key_separator = sep->array()[1].str();
  }
  std::string json = to_json(input, style);
  // The JSON of a value holding untrusted text is untrusted as a whole.
  bool tainted = false;
  std::function<void(const Value&)> scan = [&](const Value& v) {
    if (v.is_string() && v.text().any_untrusted()) tainted = true;
    if (v.is_array()) for (const Value& x : v.array()) scan(x);
    if (v.is_object()) for (const auto& kv : v.object()) scan(kv.second);
  };
  scan(input);
  return Value(tainted ? Text::untrusted(std::move(json)) : Text(std::move(json)));
}

}  // namespace

Value apply_filter(std::string_view name, const Value& input, const CallArgs& args) {
  if (name == "trim") return Value(strip_text(to_text(input), true, true, args.get(0, "chars")));
  if (name == "tojson") return tojson(input, args);
  if (name == "length" || name == "count") {
    if (input.is_string()) return Value(int64_t(code_point_count(input.str())));
    if (input.is_array()) return Value(int64_t(input.array().size()));
    if (input.is_object()) return Value(int64_t(input.object().size()));
    if (input.is_undefined()) return Value(int64_t(0));
    fault("object of type '" + input.type_name() + "' has no len()");
  }
  if (name == "string") return Value(to_text(input));
  if (name == "safe") return input;
  if (name == "upper" || name == "lower" || name == "title" || name == "capitalize") {
    Value method = find_method(Value(to_text(input)), name);
    CallArgs none;
    return method.callable()(none);
  }
  if (name == "replace") {
    Value method = find_method(Value(to_text(input)), "replace");
    CallArgs copy = args;
    return method.callable()(copy);
  }
  if (name == "default" || name == "d") {
    const bool use = bool_arg(args, 1, "boolean", false) ? !input.truthy() : input.is_undefined();
    if (!use) return input;
    const Value* fallback = args.get(0, "default_value");
    return fallback ? *fallback : Value(std::string());
  }
  if (name == "items") {
    if (input.is_undefined()) return Value(Array{});
    if (!input.is_object()) fault("items() needs a mapping");
    Array out;
    for (const auto& [k, v] : input.object()) out.emplace_back(Array{Value(k), v});
    return Value(std::move(out));
  }
  if (name == "list") return Value(as_list(input));
  if (name == "first" || name == "last") {
    Array items = as_list(input);
    if (items.empty()) return {};
    return name == "first" ? items.front() : items.back();
  }
  if (name == "reverse") {
    if (input.is_string()) {
      Array chars = as_list(input);
      Text out;
      for (auto it = chars.rbegin(); it != chars.rend(); ++it) out.append(it->text());
      return Value(std::move(out));
    }
    Array items = as_list(input);
    std::reverse(items.begin(), items.end());
    return Value(std::move(items));
  }
  if (name == "join") {
    const Value* sep = args.get(0, "d");
    const Text separator = sep ? to_text(*sep) : Text();
    const Value* attr = args.get(1, "attribute");
    Text out;
    bool first = true;
    for (const Value& item : as_list(input)) {
      if (!first) out.append(separator);
      first = false;
      out.append(to_text(attr && attr->is_string() ? attribute_path(item, attr->str()) : item));
    }
    return Value(std::move(out));
  }
  if (name == "map") {
    Array out;
    if (args.get(99, "attribute")) {
      const std::string& attr = attribute_name(args, 99, "map");
      const Value* fallback = args.get(99, "default");
      for (const Value& item : as_list(input)) {
        Value v = attribute_path(item, attr);
        out.push_back(v.is_undefined() && fallback ? *fallback : v);
      }
      return Value(std::move(out));
    }
    if (args.positional.empty() || !args.positional[0].is_string()) fault("map() needs a filter name or attribute=");
    CallArgs rest = rest_args(args, 1);
    for (const Value& item : as_list(input)) out.push_back(apply_filter(args.positional[0].str(), item, rest));
    return Value(std::move(out));
  }
  if (name == "selectattr") return select_items(input, args, true, true);
  if (name == "rejectattr") return select_items(input, args, true, false);
  if (name == "select") return select_items(input, args, false, true);
  if (name == "reject") return select_items(input, args, false, false);
  if (name == "unique") {
    Array out;
    for (const Value& item : as_list(input))
      if (std::none_of(out.begin(), out.end(), [&](const Value& seen) { return equals(seen, item); })) out.push_back(item);
    return Value(std::move(out));
  }
  if (name == "sort" || name == "min" || name == "max") {
    Array items = as_list(input);
    const bool case_sensitive = bool_arg(args, name == "sort" ? 1 : 0, "case_sensitive", false);
    const Value* attr = args.get(name == "sort" ? 2 : 1, "attribute");
    auto key = [&](const Value& v) { return attr && attr->is_string() ? attribute_path(v, attr->str()) : v; };
    auto less = [&](const Value& a, const Value& b) { return less_than(key(a), key(b), case_sensitive); };
    if (name == "sort") {
      std::stable_sort(items.begin(), items.end(), less);
      if (bool_arg(args, 0, "reverse", false)) std::reverse(items.begin(), items.end());
      return Value(std::move(items));
    }
    if (items.empty()) return {};
    return name == "min" ? *std::min_element(items.begin(), items.end(), less)
                         : *std::max_element(items.begin(), items.end(), less);
  }
  if (name == "sum") {
    const Value* attr = args.get(0, "attribute");
    const Value* start = args.get(1, "start");
    int64_t isum = start && start->is_number() && !start->is_float() ? start->as_int() : 0;
    double fsum = start && start->is_float() ? start->as_float() : 0;
    bool floats = start && start->is_float();
    for (const Value& item : as_list(input)) {
      Value v = attr && attr->is_string() ? attribute_path(item, attr->str()) : item;
      if (!v.is_number()) fault("sum() of non-numbers");
      if (v.is_float()) floats = true;
      fsum += v.as_float();
      isum += v.as_int();
    }
    return floats ? Value(fsum + 0.0) : Value(isum);
  }
  if (name == "int") {
    if (input.is_number()) return Value(input.as_int());
    if (input.is_string()) {
      const std::string& s = input.str();
      char* end = nullptr;
      long long v = std::strtoll(s.c_str(), &end, 10);
      if (end && end != s.c_str() && *end == '\0') return Value(int64_t(v));
      double d = std::strtod(s.c_str(), &end);
      if (end && end != s.c_str() && *end == '\0' && std::isfinite(d)) return Value(int64_t(d));
    }
    return Value(int_arg(args, 0, "default", 0));
  }
  if (name == "float") {
    if (input.is_number()) return Value(input.as_float());
    if (input.is_string()) {
      char* end = nullptr;
      double d = std::strtod(input.str().c_str(), &end);
      if (end && end != input.str().c_str() && *end == '\0') return Value(d);
    }
    const Value* fallback = args.get(0, "default");
    return fallback && fallback->is_number() ? Value(fallback->as_float()) : Value(0.0);
  }
  if (name == "abs") {
    if (!input.is_number()) fault("abs() needs a number");
    return input.is_float() ? Value(std::fabs(input.as_float())) : Value(input.as_int() < 0 ? -input.as_int() : input.as_int());
  }
  if (name == "round") {
    if (!input.is_number()) fault("round() needs a number");
    const double scale = std::pow(10.0, double(int_arg(args, 0, "precision", 0)));
    return Value(std::round(input.as_float() * scale) / scale);
  }
  if (name == "indent") {
    const Value* width_v = args.get(0, "width");
    Text pad(width_v && width_v->is_string() ? width_v->str() : std::string(size_t(std::clamp<int64_t>(int_arg(args, 0, "width", 4), 0, 64)), ' '));
    const bool first = bool_arg(args, 1, "first", false), blank = bool_arg(args, 2, "blank", false);
    Text s = to_text(input), out;
    size_t start = 0;
    bool line0 = true;
    while (start <= s.size()) {
      size_t nl = s.bytes.find('\n', start);
      Text line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if ((line0 ? first : true) && (blank || !line.bytes.empty())) out.append(pad);
      out.append(line);
      if (nl == std::string::npos) break;
      out.append("\n");
      start = nl + 1;
      line0 = false;
    }
    return Value(std::move(out));
  }
  if (name == "escape" || name == "e") return Value(html_escape(to_text(input)));
  if (name == "attr") {
    const Value* a = args.get(0, "name");
    if (!a || !a->is_string()) fault("attr() needs a name");
    const Value* v = input.find(a->str());
    return v ? *v : Value();
  }
  if (name == "dictsort") {
    if (!input.is_object()) fault("dictsort() needs a mapping");
    Object fields = input.object();
    std::stable_sort(fields.begin(), fields.end(), [](auto& a, auto& b) { return a.first < b.first; });
    Array out;
    for (auto& [k, v] : fields) out.emplace_back(Array{Value(k), v});
    return Value(std::move(out));
  }
  fault("unknown filter '" + std::string(name) + "'");
}

bool apply_test(std::string_view name, const Value& v, const CallArgs& args) {
  auto other = [&]() -> const Value& {
    const Value* o = args.get(0, "other");
    if (!o) fault("test '" + std::string(name) + "' needs an argument");
    return *o;
  };
  auto compare = [&](auto pred) {
    const Value& o = other();
    if (v.is_number() && o.is_number()) return pred(v.as_float() < o.as_float(), v.as_float() == o.as_float());
    if (v.is_string() && o.is_string()) return pred(v.str() < o.str(), v.str() == o.str());
    fault("cannot compare '" + v.type_name() + "' with '" + o.type_name() + "'");
  };
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.is_none();
  if (name == "boolean") return v.is_bool();
  if (name == "true") return v.is_bool() && v.as_bool();
  if (name == "false") return v.is_bool() && !v.as_bool();
  if (name == "integer") return v.is_int();
  if (name == "float") return v.is_float();
  if (name == "number") return v.is_number();
  if (name == "string") return v.is_string();
  if (name == "mapping") return v.is_object();
  if (name == "iterable") return v.is_string() || v.is_array() || (v.is_object() && !v.is_namespace());
  if (name == "sequence") return v.is_string() || v.is_array() || (v.is_object() && !v.is_namespace());
  if (name == "callable") return v.is_function();
  if (name == "escaped") return false;
  if (name == "odd" || name == "even") {
    if (!v.is_number() || v.is_float()) fault("test '" + std::string(name) + "' needs an integer");
    return (v.as_int() % 2 != 0) == (name == "odd");
  }
  if (name == "divisibleby") {
    const Value& o = other();
    if (!v.is_number() || !o.is_number() || o.as_int() == 0) fault("divisibleby needs non-zero integers");
    return v.as_int() % o.as_int() == 0;
  }
  if (name == "eq" || name == "equalto" || name == "==") return equals(v, other());
  if (name == "ne" || name == "!=") return !equals(v, other());
  if (name == "lt" || name == "lessthan" || name == "<") return compare([](bool lt, bool) { return lt; });
  if (name == "le" || name == "<=") return compare([](bool lt, bool eq) { return lt || eq; });
  if (name == "gt" || name == "greaterthan" || name == ">") return compare([](bool lt, bool eq) { return !lt && !eq; });
  if (name == "ge" || name == ">=") return compare([](bool lt, bool) { return !lt; });
  if (name == "in") {
    const Value& o = other();
    if (o.is_string()) return v.is_string() && o.str().find(v.str()) != std::string::npos;
    if (o.is_array()) return std::any_of(o.array().begin(), o.array().end(), [&](const Value& x) { return equals(x, v); });
    if (o.is_object()) return v.is_string() && o.find(v.str());
    fault("test 'in' needs a container");
  }
  if (name == "lower" || name == "upper") {
    if (!v.is_string()) return false;
    for (char c : v.str())
      if (name == "lower" ? std::isupper(static_cast<unsigned char>(c)) : std::islower(static_cast<unsigned char>(c))) return false;
    return true;
  }
  if (name == "sameas") return equals(v, other()) && v.kind() == other().kind();
  fault("unknown test '" + std::string(name) + "'");
}

}  // namespace zaya::jinja
