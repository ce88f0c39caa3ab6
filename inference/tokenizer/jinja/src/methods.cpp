// The str and dict methods chat templates call (content.startswith(...),
// message.items(), ...), with Python's semantics. String results keep the
// untrusted mask of the bytes they are made of.
#include <algorithm>

#include "builtins.h"

namespace zaya::jinja {

void fault(std::string message) { throw Fault{std::move(message)}; }

namespace {

// Length of the Unicode whitespace character at s[i] (0 when not whitespace), as Python's str.isspace.
size_t space_at(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)) return 1;
  if (c == 0xC2 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) == 0x85 || static_cast<unsigned char>(s[i + 1]) == 0xA0)) return 2;
  if (i + 2 < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i + 1]), d = static_cast<unsigned char>(s[i + 2]);
    uint32_t cp = ((c & 0x0Fu) << 12) | ((b & 0x3Fu) << 6) | (d & 0x3Fu);
    if ((c >> 4) == 0xE && (b & 0xC0) == 0x80 && (d & 0xC0) == 0x80 &&
        (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000))
      return 3;
  }
  return 0;
}

const std::string& string_arg(const CallArgs& args, size_t i, std::string_view name, std::string_view method) {
  const Value* v = args.get(i, name);
  if (!v || !v->is_string()) fault(std::string(method) + "() needs a string argument");
  return v->str();
}

Value split(const Text& s, const CallArgs& args, bool from_right) {
  const Value* sep = args.get(0, "sep");
  const Value* max = args.get(1, "maxsplit");
  int64_t maxsplit = max && max->is_number() ? max->as_int() : -1;
  Array parts;
  if (!sep || sep->is_none()) {  // runs of whitespace, ends ignored
    std::vector<std::pair<size_t, size_t>> words;
    size_t i = 0;
    while (i < s.size()) {
      size_t n = space_at(s.bytes, i);
      if (n) {
        i += n;
        continue;
      }
      size_t j = i;
      while (j < s.size() && !space_at(s.bytes, j)) ++j;
      words.emplace_back(i, j);
      i = j;
    }
    // With maxsplit, the unsplit rest keeps its whitespace on the far side (Python).
    if (maxsplit >= 0 && int64_t(words.size()) > maxsplit + 1) {
      if (from_right) {
        size_t keep = words.size() - size_t(maxsplit);
        words[keep - 1].first = 0;
        words.erase(words.begin(), words.begin() + long(keep - 1));
      } else {
        words[size_t(maxsplit)].second = s.size();
        words.resize(size_t(maxsplit) + 1);
      }
    }
    for (auto [a, b] : words) parts.emplace_back(s.substr(a, b - a));
    return Value(std::move(parts));
  }
  if (!sep->is_string()) fault("split() separator must be a string");
  const std::string& d = sep->str();
  if (d.empty()) fault("empty separator");
  std::vector<size_t> cuts;
  if (!from_right) {
    for (size_t p = s.bytes.find(d); p != std::string::npos && (maxsplit < 0 || int64_t(cuts.size()) < maxsplit);
         p = s.bytes.find(d, p + d.size()))
      cuts.push_back(p);
  } else {
    size_t end = s.size();
    while (end >= d.size() && (maxsplit < 0 || int64_t(cuts.size()) < maxsplit)) {
      size_t p = s.bytes.rfind(d, end - d.size());
      if (p == std::string::npos) break;
      cuts.push_back(p);
      end = p;
    }
    std::reverse(cuts.begin(), cuts.end());
  }
  size_t start = 0;
  for (size_t p : cuts) {
    parts.emplace_back(s.substr(start, p - start));
    start = p + d.size();
  }
  parts.emplace_back(s.substr(start));
  return Value(std::move(parts));
}

bool affix_match(const std::string& s, const Value& affix, bool prefix) {
  auto one = [&](const Value& a) {
    if (!a.is_string()) fault("startswith()/endswith() need a string or a list of strings");
    const std::string& x = a.str();
    if (x.size() > s.size()) return false;
    return prefix ? s.compare(0, x.size(), x) == 0 : s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  if (affix.is_array()) return std::any_of(affix.array().begin(), affix.array().end(), one);
  return one(affix);
}

Text map_ascii(const Text& s, int (*f)(int)) {
  Text t = s;
  for (char& c : t.bytes)
    if (static_cast<unsigned char>(c) < 0x80) c = char(f(static_cast<unsigned char>(c)));
  return t;
}

Text title_case(const Text& s, bool only_first) {
  Text t = s;
  bool start = true;
  for (char& c : t.bytes) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      start = false;
      continue;
    }
    if (std::isalpha(u)) {
      c = char(start ? std::toupper(u) : std::tolower(u));
      start = false;
    } else {
      if (!only_first) start = true;
      else start = false;
    }
  }
  return t;
}

Value string_method(const Value& self, std::string_view name, const CallArgs& args) {
  const Text& s = self.text();
  if (name == "startswith" || name == "endswith") {
    const Value* a = args.get(0, "prefix");
    if (!a) fault(std::string(name) + "() needs an argument");
    return Value(affix_match(s.bytes, *a, name == "startswith"));
  }
  if (name == "strip" || name == "lstrip" || name == "rstrip")
    return Value(strip_text(s, name != "rstrip", name != "lstrip", args.get(0, "chars")));
  if (name == "split") return split(s, args, false);
  if (name == "rsplit") return split(s, args, true);
  if (name == "upper") return Value(map_ascii(s, [](int c) { return std::toupper(c); }));
  if (name == "lower") return Value(map_ascii(s, [](int c) { return std::tolower(c); }));
  if (name == "title") return Value(title_case(s, false));
  if (name == "capitalize") {
    Text t = map_ascii(s, [](int c) { return std::tolower(c); });
    if (!t.bytes.empty() && static_cast<unsigned char>(t.bytes[0]) < 0x80) t.bytes[0] = char(std::toupper(t.bytes[0]));
    return Value(std::move(t));
  }
  if (name == "replace") {
    const std::string& from = string_arg(args, 0, "old", name);
    const Value* to_v = args.get(1, "new");
    if (!to_v || !to_v->is_string()) fault("replace() needs two strings");
    const Value* count_v = args.get(2, "count");
    int64_t count = count_v && count_v->is_number() ? count_v->as_int() : -1;
    Text out;
    size_t start = 0;
    if (from.empty()) fault("replace() with an empty pattern is not supported");
    for (size_t p = s.bytes.find(from); p != std::string::npos && count != 0; p = s.bytes.find(from, start)) {
      out.append(s.substr(start, p - start));
      out.append(to_v->text());
      start = p + from.size();
      --count;
    }
    out.append(s.substr(start));
    return Value(std::move(out));
  }
  if (name == "find" || name == "rfind" || name == "count") {
    const std::string& x = string_arg(args, 0, "sub", name);
    if (name == "count") {
      if (x.empty()) return Value(int64_t(code_point_count(s.bytes) + 1));
      int64_t n = 0;
      for (size_t p = s.bytes.find(x); p != std::string::npos; p = s.bytes.find(x, p + x.size())) ++n;
      return Value(n);
    }
    size_t p = name == "find" ? s.bytes.find(x) : s.bytes.rfind(x);
    return Value(p == std::string::npos ? int64_t(-1) : int64_t(code_point_count(s.bytes.substr(0, p))));
  }
  if (name == "join") {
    const Value* items = args.get(0, "iterable");
    if (!items || !items->is_array()) fault("join() needs a list");
    Text out;
    for (size_t i = 0; i < items->array().size(); ++i) {
      if (i) out.append(s);
      const Value& item = items->array()[i];
      if (!item.is_string()) fault("join() needs a list of strings");
      out.append(item.text());
    }
    return Value(std::move(out));
  }
  if (name == "splitlines") {
    Array lines;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i)
      if (s.bytes[i] == '\n') {
        lines.emplace_back(s.substr(start, i - start));
        start = i + 1;
      }
    if (start < s.size()) lines.emplace_back(s.substr(start));
    return Value(std::move(lines));
  }
  auto all_of = [&](auto pred) {
    return Value(!s.bytes.empty() && std::all_of(s.bytes.begin(), s.bytes.end(), [&](char c) {
      return pred(static_cast<unsigned char>(c));
    }));
  };
  if (name == "isdigit") return all_of([](unsigned char c) { return std::isdigit(c) != 0; });
  if (name == "isalpha") return all_of([](unsigned char c) { return std::isalpha(c) != 0; });
  if (name == "isspace") return all_of([](unsigned char c) { return std::isspace(c) != 0; });
  fault("str has no method '" + std::string(name) + "'");
}

Value dict_method(const Value& self, std::string_view name, const CallArgs& args) {
  Array out;
  if (name == "items") {
    for (const auto& [k, v] : self.object()) out.emplace_back(Array{Value(k), v});
  } else if (name == "keys") {
    for (const auto& kv : self.object()) out.emplace_back(kv.first);
  } else if (name == "values") {
    for (const auto& kv : self.object()) out.push_back(kv.second);
  } else {  // get
    const Value* key = args.get(0, "key");
    if (!key) fault("get() needs a key");
    const Value* found = key->is_string() ? self.find(key->str()) : nullptr;
    if (found) return *found;
    const Value* fallback = args.get(1, "default");
    return fallback ? *fallback : Value::none();
  }
  return Value(std::move(out));
}

constexpr std::string_view kStringMethods[] = {"startswith", "endswith", "strip", "lstrip", "rstrip",
                                               "split", "rsplit", "upper", "lower", "title", "capitalize",
                                               "replace", "find", "rfind", "count", "join", "splitlines",
                                               "isdigit", "isalpha", "isspace"};
constexpr std::string_view kDictMethods[] = {"items", "keys", "values", "get"};

}  // namespace

Text strip_text(const Text& s, bool left, bool right, const Value* chars) {
  size_t b = 0, e = s.size();
  if (chars && !chars->is_none() && !chars->is_undefined()) {
    if (!chars->is_string()) fault("strip() chars must be a string");
    const std::string& set = chars->str();
    // Byte-wise is exact for ASCII sets, which is what templates pass ('\n', ' ').
    while (left && b < e && set.find(s.bytes[b]) != std::string::npos) ++b;
    while (right && e > b && set.find(s.bytes[e - 1]) != std::string::npos) --e;
    return s.substr(b, e - b);
  }
  while (left && b < e) {
    size_t n = space_at(s.bytes, b);
    if (!n) break;
    b += n;
  }
  while (right && e > b) {
    size_t n = 0;
    for (size_t k = 1; k <= 3 && k <= e - b; ++k)
      if (space_at(s.bytes, e - k) == k) n = k;
    if (!n) break;
    e -= n;
  }
  return s.substr(b, e - b);
}

Value find_method(const Value& object, std::string_view name) {
  if (object.is_string()) {
    for (auto m : kStringMethods)
      if (m == name)
        return Value::function("str." + std::string(name), [object, m](CallArgs& args) { return string_method(object, m, args); });
  } else if (object.is_object() && !object.is_namespace()) {
    for (auto m : kDictMethods)
      if (m == name)
        return Value::function("dict." + std::string(name), [object, m](CallArgs& args) { return dict_method(object, m, args); });
  }
  return {};
}

}  // namespace zaya::jinja
