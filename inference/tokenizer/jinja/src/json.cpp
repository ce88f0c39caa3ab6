// tojson: Python's json.dumps, because transformers defines the filter as
// json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)
// and the peers compare our text with its output byte for byte.
#include <algorithm>
#include <cstdio>

#include "builtins.h"

namespace zaya::jinja {

namespace {

void append_escaped(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    char buf[16];
    if (c < 0x20) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else if (c < 0x80 || !ensure_ascii) {
      out += char(c);
    } else {
      // Decode one UTF-8 sequence; write it as \uXXXX (a surrogate pair above U+FFFF).
      size_t n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
      uint32_t cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : n == 4 ? c & 0x07 : 0xFFFD;
      for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      i += n - 1;
      if (cp >= 0x10000) {
        cp -= 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      }
      out += buf;
    }
  }
  out += '"';
}

void dump(std::string& out, const Value& v, const JsonStyle& style, int level) {
  auto newline = [&](int depth) {
    if (style.indent < 0) return;
    out += '\n';
    out.append(size_t(style.indent) * size_t(depth), ' ');
  };
  if (level > 200) fault("tojson: value nested too deeply");
  switch (v.kind()) {
    case Value::Kind::kNone: out += "null"; return;
    case Value::Kind::kBool: out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::kInt: out += std::to_string(v.as_int()); return;
    case Value::Kind::kFloat: {
      std::string r = to_text(v).bytes;
      out += r == "nan" ? "NaN" : r == "inf" ? "Infinity" : r == "-inf" ? "-Infinity" : r;
      return;
    }
    case Value::Kind::kString: append_escaped(out, v.str(), style.ensure_ascii); return;
    case Value::Kind::kArray: {
      if (v.array().empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < v.array().size(); ++i) {
        if (i) out += style.item_separator;
        newline(level + 1);
        dump(out, v.array()[i], style, level + 1);
      }
      newline(level);
      out += ']';
      return;
    }
    case Value::Kind::kObject: {
      if (v.is_namespace()) fault("Object of type Namespace is not JSON serializable");
      if (v.object().empty()) {
        out += "{}";
        return;
      }
      std::vector<const std::pair<std::string, Value>*> fields;
      for (const auto& kv : v.object()) fields.push_back(&kv);
      if (style.sort_keys)
        std::stable_sort(fields.begin(), fields.end(), [](auto* a, auto* b) { return a->first < b->first; });
      out += '{';
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += style.item_separator;
        newline(level + 1);
        append_escaped(out, fields[i]->first, style.ensure_ascii);
        out += style.key_separator;
        dump(out, fields[i]->second, style, level + 1);
      }
      newline(level);
      out += '}';
      return;
    }
    default: fault("Object of type " + v.type_name() + " is not JSON serializable");
  }
}

}  // namespace

std::string to_json(const Value& v, const JsonStyle& style) {
  std::string out;
  dump(out, v, style, 0);
  return out;
}

}  // namespace zaya::jinja
