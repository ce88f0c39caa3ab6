// Values of the template language, modelled on the Python objects that
// transformers hands to jinja2 (str, int, float, bool, None, list, dict),
// plus Jinja's own undefined, namespace and callables.
//
// Strings carry a per-byte "untrusted" mask: bytes that came from message
// content keep the mark through concatenation, slicing, trimming and
// splitting, so the rendered prompt says which bytes may never be read as
// control tokens.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zaya::jinja {

// Text plus its untrusted-byte mask (empty mask: every byte is template markup).
struct Text {
  std::string bytes;
  std::string mask;  // empty, or one byte per text byte: 1 = untrusted

  Text() = default;
  Text(std::string s) : bytes(std::move(s)) {}  // NOLINT: markup text converts implicitly
  static Text untrusted(std::string s);

  bool tainted() const { return !mask.empty(); }
  size_t size() const { return bytes.size(); }
  void append(const Text& other);
  void append(std::string_view markup);
  Text substr(size_t pos, size_t n = std::string::npos) const;
  bool any_untrusted() const;
};

class Value;
using Array = std::vector<Value>;
// A dict keeps insertion order as Python's does (templates iterate items()).
using Object = std::vector<std::pair<std::string, Value>>;

struct CallArgs;
using Function = std::function<Value(CallArgs&)>;

class Value {
 public:
  enum class Kind { kUndefined, kNone, kBool, kInt, kFloat, kString, kArray, kObject, kFunction };

  Value() = default;  // undefined
  static Value none();
  Value(bool b);              // NOLINT
  Value(int64_t i);           // NOLINT
  Value(int i) : Value(int64_t(i)) {}  // NOLINT
  Value(double d);            // NOLINT
  Value(Text s);              // NOLINT
  Value(std::string s) : Value(Text(std::move(s))) {}  // NOLINT
  Value(const char* s) : Value(Text(std::string(s))) {}  // NOLINT
  Value(Array a);             // NOLINT
  Value(Object o, bool is_namespace = false);  // NOLINT
  static Value function(std::string name, Function f);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  bool is_number() const { return kind_ == Kind::kInt || kind_ == Kind::kFloat || kind_ == Kind::kBool; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }
  bool is_namespace() const { return kind_ == Kind::kObject && namespace_; }
  bool is_function() const { return kind_ == Kind::kFunction; }

  bool as_bool() const { return b_; }
  int64_t as_int() const { return kind_ == Kind::kFloat ? int64_t(d_) : i_; }
  double as_float() const { return kind_ == Kind::kFloat ? d_ : double(i_); }
  const Text& text() const { return *s_; }
  const std::string& str() const { return s_->bytes; }
  const Array& array() const { return *a_; }
  const Object& object() const { return *o_; }
  Object& mutable_object() const { return *o_; }  // namespaces are shared and mutable
  const std::string& function_name() const { return s_->bytes; }
  const Function& callable() const { return *f_; }

  // Python truthiness.
  bool truthy() const;
  // Member of a dict (nullptr when absent).
  const Value* find(std::string_view key) const;
  // Python-style type name for error messages.
  std::string type_name() const;

 private:
  Kind kind_ = Kind::kUndefined;
  bool b_ = false;
  bool namespace_ = false;
  int64_t i_ = 0;
  double d_ = 0;
  std::shared_ptr<const Text> s_;
  std::shared_ptr<const Array> a_;
  std::shared_ptr<Object> o_;
  std::shared_ptr<const Function> f_;
};

// Arguments of a call: positional, then keyword.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
  // Positional i, else keyword `name`, else nullptr.
  const Value* get(size_t i, std::string_view name) const;
};

// str(value) as Python prints it ("True", "None", "['a', 1]", "{'k': 'v'}").
// Undefined prints as empty text. Keeps the untrusted mask of strings.
Text to_text(const Value& v);
std::string python_repr(const Value& v);
// Python ==.
bool equals(const Value& a, const Value& b);
// Code point count of UTF-8 text (an invalid byte counts as one).
size_t code_point_count(std::string_view s);
// Byte offsets where each code point starts (size = count + 1, last = s.size()).
std::vector<size_t> code_point_offsets(std::string_view s);

}  // namespace zaya::jinja
