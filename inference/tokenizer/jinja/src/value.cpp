// Value construction, Python truthiness, equality and str()/repr().
#include "zaya/jinja/value.h"

#include <charconv>
#include <cmath>

namespace zaya::jinja {

Text Text::untrusted(std::string s) {
  Text t(std::move(s));
  if (!t.bytes.empty()) t.mask.assign(t.bytes.size(), '\1');
  return t;
}

void Text::append(const Text& other) {
  if (other.tainted() && !tainted()) mask.assign(bytes.size(), '\0');
  bytes += other.bytes;
  if (other.tainted()) {
    mask += other.mask;
  } else if (tainted()) {
    mask.append(other.bytes.size(), '\0');
  }
}

void Text::append(std::string_view markup) {
  bytes += markup;
  if (tainted()) mask.append(markup.size(), '\0');
}

Text Text::substr(size_t pos, size_t n) const {
  Text t(bytes.substr(pos, n));
  if (tainted()) {
    t.mask = mask.substr(pos, n);
    if (!t.any_untrusted()) t.mask.clear();
  }
  return t;
}

bool Text::any_untrusted() const { return mask.find('\1') != std::string::npos; }

Value Value::none() {
  Value v;
  v.kind_ = Kind::kNone;
  return v;
}
Value::Value(bool b) : kind_(Kind::kBool), b_(b), i_(b ? 1 : 0) {}
Value::Value(int64_t i) : kind_(Kind::kInt), i_(i) {}
Value::Value(double d) : kind_(Kind::kFloat), d_(d) {}
Value::Value(Text s) : kind_(Kind::kString), s_(std::make_shared<const Text>(std::move(s))) {}
Value::Value(Array a) : kind_(Kind::kArray), a_(std::make_shared<const Array>(std::move(a))) {}
Value::Value(Object o, bool is_namespace)
    : kind_(Kind::kObject), namespace_(is_namespace), o_(std::make_shared<Object>(std::move(o))) {}

Value Value::function(std::string name, Function f) {
  Value v;
  v.kind_ = Kind::kFunction;
  v.s_ = std::make_shared<const Text>(std::move(name));
  v.f_ = std::make_shared<const Function>(std::move(f));
  return v;
}

bool Value::truthy() const {
  switch (kind_) {
    case Kind::kUndefined:
    case Kind::kNone: return false;
    case Kind::kBool: return b_;
    case Kind::kInt: return i_ != 0;
    case Kind::kFloat: return d_ != 0;
    case Kind::kString: return !s_->bytes.empty();
    case Kind::kArray: return !a_->empty();
    case Kind::kObject: return namespace_ || !o_->empty();
    case Kind::kFunction: return true;
  }
  return false;
}

const Value* Value::find(std::string_view key) const {
  if (kind_ != Kind::kObject) return nullptr;
  for (const auto& [k, v] : *o_)
    if (k == key) return &v;
  return nullptr;
}

std::string Value::type_name() const {
  switch (kind_) {
    case Kind::kUndefined: return "undefined";
    case Kind::kNone: return "NoneType";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float";
    case Kind::kString: return "str";
    case Kind::kArray: return "list";
    case Kind::kObject: return namespace_ ? "Namespace" : "dict";
    case Kind::kFunction: return "function";
  }
  return "?";
}

const Value* CallArgs::get(size_t i, std::string_view name) const {
  if (i < positional.size()) return &positional[i];
  for (const auto& [k, v] : keyword)
    if (k == name) return &v;
  return nullptr;
}

namespace {

// Python's repr(float): shortest round-trip digits, exponent outside [1e-4, 1e16).
std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, end);  // d.ddde±XX
  size_t e = sci.find('e');
  int exp = std::stoi(sci.substr(e + 1));
  std::string mant = sci.substr(0, e);
  bool neg = mant[0] == '-';
  if (neg) mant.erase(0, 1);
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  std::string out;
  if (exp < -4 || exp >= 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    out += eb;
  } else if (exp < 0) {
    out = "0." + std::string(size_t(-exp - 1), '0') + digits;
  } else {
    if (digits.size() <= size_t(exp) + 1) {
      out = digits + std::string(size_t(exp) + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, size_t(exp) + 1) + "." + digits.substr(size_t(exp) + 1);
    }
  }
  return neg ? "-" + out : out;
}

std::string string_repr(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos, has_double = s.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == quote) out += std::string("\\") + char(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      out += b;
    } else {
      out += char(c);
    }
  }
  return out + quote;
}

}  // namespace

std::string python_repr(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kString: return string_repr(v.str());
    case Value::Kind::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < v.array().size(); ++i) out += (i ? ", " : "") + python_repr(v.array()[i]);
      return out + "]";
    }
    case Value::Kind::kObject: {
      if (v.is_namespace()) return "<Namespace>";
      std::string out = "{";
      bool first = true;
      for (const auto& [k, x] : v.object()) {
        out += (first ? "" : ", ") + string_repr(k) + ": " + python_repr(x);
        first = false;
      }
      return out + "}";
    }
    default: return to_text(v).bytes;
  }
}

Text to_text(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined: return Text();
    case Value::Kind::kNone: return Text("None");
    case Value::Kind::kBool: return Text(v.as_bool() ? "True" : "False");
    case Value::Kind::kInt: return Text(std::to_string(v.as_int()));
    case Value::Kind::kFloat: return Text(float_repr(v.as_float()));
    case Value::Kind::kString: return v.text();
    case Value::Kind::kFunction: return Text("<function " + v.function_name() + ">");
    default: {
      // A list or dict printed whole: conservatively untrusted when any string in it is.
      std::string repr = python_repr(v);
      bool tainted = false;
      std::function<void(const Value&)> scan = [&](const Value& x) {
        if (x.is_string() && x.text().any_untrusted()) tainted = true;
        if (x.is_array()) for (const Value& e : x.array()) scan(e);
        if (x.is_object()) for (const auto& kv : x.object()) scan(kv.second);
      };
      scan(v);
      return tainted ? Text::untrusted(std::move(repr)) : Text(std::move(repr));
    }
  }
}

bool equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_float() == b.as_float();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone: return true;
    case Value::Kind::kString: return a.str() == b.str();
    case Value::Kind::kArray: {
      if (a.array().size() != b.array().size()) return false;
      for (size_t i = 0; i < a.array().size(); ++i)
        if (!equals(a.array()[i], b.array()[i])) return false;
      return true;
    }
    case Value::Kind::kObject: {
      if (a.is_namespace() || b.is_namespace()) return &a.object() == &b.object();
      if (a.object().size() != b.object().size()) return false;
      for (const auto& [k, x] : a.object()) {
        const Value* y = b.find(k);
        if (!y || !equals(x, *y)) return false;
      }
      return true;
    }
    case Value::Kind::kFunction: return &a.callable() == &b.callable();
    default: return false;
  }
}

std::vector<size_t> code_point_offsets(std::string_view s) {
  std::vector<size_t> out;
  out.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size();) {
    out.push_back(i);
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + n > s.size()) n = 1;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) n = 1;
    i += n;
  }
  out.push_back(s.size());
  return out;
}

size_t code_point_count(std::string_view s) { return code_point_offsets(s).size() - 1; }

}  // namespace zaya::jinja
