// Walks the syntax tree: statements write to the output, expressions yield
// Values. Scoping follows jinja2: a for-loop body and a macro body see the
// outer names but their own assignments stay inside (hence namespace()).
#include <algorithm>
#include <cmath>

#include "ast.h"
#include "builtins.h"
#include "lexer.h"
#include "parser.h"
#include "zaya/jinja/template.h"

namespace zaya::jinja {

namespace {

using N = Node::Kind;

enum class Flow { kNormal, kBreak, kContinue };

class Interpreter {
 public:
  Interpreter(const TemplateOptions& options, const Object& variables) : options_(options) {
    frames_.emplace_back(global_functions());
    frames_.emplace_back(variables);
    frames_.emplace_back();  // the template's own top-level assignments
  }

  Text run(const Node& root) {
    exec(root);
    return std::move(out_);
  }

 private:
  // ---- Names ----
  Value lookup(const std::string& name) const {
    for (auto f = frames_.rbegin(); f != frames_.rend(); ++f)
      for (const auto& [k, v] : *f)
        if (k == name) return v;
    return {};
  }
  void assign(const std::string& name, Value v) {
    for (auto& [k, old] : frames_.back())
      if (k == name) {
        old = std::move(v);
        return;
      }
    frames_.back().emplace_back(name, std::move(v));
  }

  struct FrameGuard {
    Interpreter& in;
    size_t depth;
    FrameGuard(Interpreter& i, Object frame) : in(i), depth(i.frames_.size()) { i.frames_.push_back(std::move(frame)); }
    ~FrameGuard() { in.frames_.resize(depth); }
  };

  void step(const Node& node) {
    if (++steps_ > options_.max_steps) throw TemplateError("render step limit exceeded", node.pos);
  }

  void write(const Text& t, const Node& node) {
    Text& sink = sinks_.empty() ? out_ : sinks_.back();
    if (sink.size() + t.size() > options_.max_output_bytes || out_.size() + t.size() > options_.max_output_bytes)
      throw TemplateError("rendered output exceeds " + std::to_string(options_.max_output_bytes) + " bytes", node.pos);
    sink.append(t);
  }

  // Renders body into its own buffer (macros, set blocks, filter blocks).
  Text capture(const Node& body) {
    sinks_.emplace_back();
    try {
      exec(body);
    } catch (...) {
      sinks_.pop_back();
      throw;
    }
    Text t = std::move(sinks_.back());
    sinks_.pop_back();
    return t;
  }

  // ---- Statements ----
  Flow exec(const Node& node) {
    step(node);
    switch (node.kind) {
      case N::kBody:
        for (const NodePtr& kid : node.kids) {
          Flow f = exec(*kid);
          if (f != Flow::kNormal) return f;
        }
        return Flow::kNormal;
      case N::kText: write(node.literal.text(), node); return Flow::kNormal;
      case N::kOutput: write(to_text(eval(*node.kids[0])), node); return Flow::kNormal;
      case N::kIf: {
        size_t i = 0;
        for (; i + 1 < node.kids.size(); i += 2)
          if (eval(*node.kids[i]).truthy()) return exec(*node.kids[i + 1]);
        if (node.flag) return exec(*node.kids.back());
        return Flow::kNormal;
      }
      case N::kFor: return exec_for(node);
      case N::kSet: {
        Value v = eval(*node.kids[0]);
        if (node.names.size() == 1) {
          assign(node.names[0], std::move(v));
        } else {
          Value ns = lookup(node.names[0]);
          if (!ns.is_namespace())
            throw TemplateError("cannot assign attribute '" + node.names[1] + "' of '" + node.names[0] +
                                    "': not a namespace",
                                node.pos);
          Object& fields = ns.mutable_object();
          auto it = std::find_if(fields.begin(), fields.end(), [&](auto& kv) { return kv.first == node.names[1]; });
          if (it != fields.end()) it->second = std::move(v);
          else fields.emplace_back(node.names[1], std::move(v));
        }
        return Flow::kNormal;
      }
      case N::kSetBlock: assign(node.names[0], Value(capture(*node.kids[0]))); return Flow::kNormal;
      case N::kMacro: assign(node.name, make_macro(node)); return Flow::kNormal;
      case N::kCallBlock: {
        const Node& call = *node.kids[0];
        std::vector<std::pair<std::string, Value>> extra{{"caller", make_macro(*node.kids[1])}};
        write(to_text(eval_call(call, &extra)), node);
        return Flow::kNormal;
      }
      case N::kFilterBlock: {
        Text body = capture(*node.kids[1]);
        FrameGuard frame(*this, Object{{"", Value(std::move(body))}});
        write(to_text(eval(*node.kids[0])), node);
        return Flow::kNormal;
      }
      case N::kBreak: return Flow::kBreak;
      case N::kContinue: return Flow::kContinue;
      default: write(to_text(eval(node)), node); return Flow::kNormal;
    }
  }

  static Array iterate(const Value& v, const Node& at) {
    if (v.is_array()) return v.array();
    if (v.is_object() && !v.is_namespace()) {
      Array keys;
      for (const auto& kv : v.object()) keys.emplace_back(kv.first);
      return keys;
    }
    if (v.is_string()) {
      Array chars;
      auto offsets = code_point_offsets(v.str());
      for (size_t i = 0; i + 1 < offsets.size(); ++i)
        chars.emplace_back(v.text().substr(offsets[i], offsets[i + 1] - offsets[i]));
      return chars;
    }
    if (v.is_undefined()) return {};  // jinja2 iterates an undefined as empty
    throw TemplateError("'" + v.type_name() + "' object is not iterable", at.pos);
  }

  void bind_targets(Object& frame, const std::vector<std::string>& names, const Value& item, const Node& at) {
    if (names.size() == 1) {
      frame.emplace_back(names[0], item);
      return;
    }
    Array parts = iterate(item, at);
    if (parts.size() != names.size())
      throw TemplateError("cannot unpack " + std::to_string(parts.size()) + " values into " +
                              std::to_string(names.size()) + " names",
                          at.pos);
    for (size_t i = 0; i < names.size(); ++i) frame.emplace_back(names[i], parts[i]);
  }

  Flow exec_for(const Node& node) {
    Array all = iterate(eval(*node.kids[0]), node);
    Array items;
    if (node.kids[1]) {  // `for x in xs if cond`: the filter runs first, loop.* counts what passes
      for (const Value& item : all) {
        Object frame;
        bind_targets(frame, node.names, item, node);
        FrameGuard guard(*this, std::move(frame));
        if (eval(*node.kids[1]).truthy()) items.push_back(item);
      }
    } else {
      items = std::move(all);
    }
    if (items.empty()) {
      if (node.kids[3]) return exec(*node.kids[3]);
      return Flow::kNormal;
    }
    const int64_t n = int64_t(items.size());
    for (int64_t i = 0; i < n; ++i) {
      Object loop{{"index", Value(i + 1)},
                  {"index0", Value(i)},
                  {"revindex", Value(n - i)},
                  {"revindex0", Value(n - i - 1)},
                  {"first", Value(i == 0)},
                  {"last", Value(i == n - 1)},
                  {"length", Value(n)},
                  {"depth", Value(int64_t(1))},
                  {"depth0", Value(int64_t(0))},
                  {"previtem", i > 0 ? items[size_t(i - 1)] : Value()},
                  {"nextitem", i + 1 < n ? items[size_t(i + 1)] : Value()}};
      loop.emplace_back("cycle", Value::function("loop.cycle", [i](CallArgs& args) -> Value {
                          if (args.positional.empty()) fault("loop.cycle() needs at least one value");
                          return args.positional[size_t(i) % args.positional.size()];
                        }));
      Object frame{{"loop", Value(std::move(loop))}};
      bind_targets(frame, node.names, items[size_t(i)], node);
      FrameGuard guard(*this, std::move(frame));
      if (exec(*node.kids[2]) == Flow::kBreak) break;
    }
    return Flow::kNormal;
  }

  Value make_macro(const Node& macro) {
    const Node* m = &macro;
    return Value::function(macro.name, [this, m](CallArgs& args) -> Value {
      if (++call_depth_ > options_.max_call_depth) {
        --call_depth_;
        fault("macro calls nested deeper than " + std::to_string(options_.max_call_depth));
      }
      struct Unwind {
        int& d;
        ~Unwind() { --d; }
      } unwind{call_depth_};
      Object frame;
      const size_t params = m->names.size();
      for (size_t i = 0; i < params; ++i) {
        const Value* given = args.get(i, m->names[i]);
        if (given) frame.emplace_back(m->names[i], *given);
        else if (m->kids[i]) frame.emplace_back(m->names[i], eval(*m->kids[i]));
        else frame.emplace_back(m->names[i], Value());
      }
      for (const auto& [k, v] : args.keyword)
        if (k == "caller") frame.emplace_back(k, v);
      // A macro sees the globals and the template's variables, not the caller's locals.
      std::vector<Object> saved(frames_.begin() + 3, frames_.end());
      frames_.resize(3);
      Text body;
      try {
        FrameGuard guard(*this, std::move(frame));
        body = capture(*m->kids.back());
      } catch (...) {
        frames_.insert(frames_.end(), saved.begin(), saved.end());
        throw;
      }
      frames_.insert(frames_.end(), saved.begin(), saved.end());
      return Value(std::move(body));
    });
  }

  // ---- Expressions ----
  Value eval(const Node& node) {
    step(node);
    try {
      return eval_inner(node);
    } catch (const Fault& f) {
      throw TemplateError(f.message, node.pos);
    }
  }

  CallArgs eval_args(const Node& node, size_t first) {
    CallArgs args;
    const size_t keyword_start = node.kids.size() - node.names.size();
    for (size_t i = first; i < node.kids.size(); ++i) {
      Value v = eval(*node.kids[i]);
      if (i < keyword_start) args.positional.push_back(std::move(v));
      else args.keyword.emplace_back(node.names[i - keyword_start], std::move(v));
    }
    return args;
  }

  Value eval_call(const Node& node, std::vector<std::pair<std::string, Value>>* extra = nullptr) {
    Value callee = eval(*node.kids[0]);
    CallArgs args = eval_args(node, 1);
    if (extra) args.keyword.insert(args.keyword.end(), extra->begin(), extra->end());
    if (!callee.is_function()) {
      std::string what = node.kids[0]->kind == N::kName ? "'" + node.kids[0]->name + "'" : "value";
      throw TemplateError(what + (callee.is_undefined() ? " is undefined" : " is not callable"), node.pos);
    }
    try {
      return callee.callable()(args);
    } catch (const Fault& f) {
      throw TemplateError(f.message, node.pos);
    }
  }

  Value attribute(const Value& obj, const std::string& name, const Node& at) {
    if (obj.is_undefined())
      throw TemplateError("cannot read '" + name + "' of an undefined value", at.pos);
    if (obj.is_object()) {
      if (!obj.is_namespace()) {
        Value method = find_method(obj, name);
        if (!method.is_undefined()) return method;
      }
      const Value* v = obj.find(name);
      return v ? *v : Value();
    }
    return find_method(obj, name);
  }

  static int64_t normalise_index(int64_t i, int64_t n) { return i < 0 ? i + n : i; }

  Value index(const Value& obj, const Value& key, const Node& at) {
    if (obj.is_undefined()) throw TemplateError("cannot index an undefined value", at.pos);
    if (obj.is_object()) {
      if (!key.is_string()) return {};
      const Value* v = obj.find(key.str());
      return v ? *v : Value();
    }
    if (obj.is_array() && key.is_number() && !key.is_float()) {
      int64_t i = normalise_index(key.as_int(), int64_t(obj.array().size()));
      return i >= 0 && i < int64_t(obj.array().size()) ? obj.array()[size_t(i)] : Value();
    }
    if (obj.is_string() && key.is_number() && !key.is_float()) {
      auto offsets = code_point_offsets(obj.str());
      int64_t n = int64_t(offsets.size()) - 1;
      int64_t i = normalise_index(key.as_int(), n);
      if (i < 0 || i >= n) return {};
      return Value(obj.text().substr(offsets[size_t(i)], offsets[size_t(i) + 1] - offsets[size_t(i)]));
    }
    if (key.is_string()) return attribute(obj, key.str(), at);
    return {};
  }

  // Python slice semantics for lists and strings (by code point).
  Value slice(const Value& obj, const Node& node) {
    auto bound = [&](const NodePtr& n, bool& given) -> int64_t {
      given = false;
      if (!n) return 0;
      Value v = eval(*n);
      if (v.is_none() || v.is_undefined()) return 0;
      if (!v.is_number() || v.is_float()) throw TemplateError("slice indices must be integers", n->pos);
      given = true;
      return v.as_int();
    };
    bool has_start, has_stop, has_step;
    int64_t start = bound(node.kids[1], has_start), stop = bound(node.kids[2], has_stop),
            stride = bound(node.kids[3], has_step);
    if (!has_step) stride = 1;
    if (stride == 0) throw TemplateError("slice step cannot be zero", node.pos);
    std::vector<size_t> offsets;
    int64_t n;
    if (obj.is_array()) {
      n = int64_t(obj.array().size());
    } else if (obj.is_string()) {
      offsets = code_point_offsets(obj.str());
      n = int64_t(offsets.size()) - 1;
    } else {
      throw TemplateError("cannot slice a value of type " + obj.type_name(), node.pos);
    }
    auto clamp = [&](int64_t v, bool given, int64_t dflt) -> int64_t {
      if (!given) return dflt;
      if (v < 0) v += n;
      if (stride > 0) return std::clamp<int64_t>(v, 0, n);
      return std::clamp<int64_t>(v, -1, n - 1);
    };
    start = clamp(start, has_start, stride > 0 ? 0 : n - 1);
    stop = clamp(stop, has_stop, stride > 0 ? n : -1);
    std::vector<int64_t> picks;
    for (int64_t i = start; stride > 0 ? i < stop : i > stop; i += stride) picks.push_back(i);
    if (obj.is_array()) {
      Array out;
      for (int64_t i : picks) out.push_back(obj.array()[size_t(i)]);
      return Value(std::move(out));
    }
    Text out;
    for (int64_t i : picks) out.append(obj.text().substr(offsets[size_t(i)], offsets[size_t(i) + 1] - offsets[size_t(i)]));
    return Value(std::move(out));
  }

  Value eval_inner(const Node& node) {
    switch (node.kind) {
      case N::kLiteral: return node.literal;
      case N::kName: return lookup(node.name);
      case N::kList:
      case N::kTuple: {
        Array items;
        for (const NodePtr& kid : node.kids) items.push_back(eval(*kid));
        return Value(std::move(items));
      }
      case N::kDict: {
        Object fields;
        for (size_t i = 0; i + 1 < node.kids.size(); i += 2) {
          Value key = eval(*node.kids[i]);
          if (!key.is_string()) throw TemplateError("dict keys must be strings", node.kids[i]->pos);
          Value v = eval(*node.kids[i + 1]);
          auto it = std::find_if(fields.begin(), fields.end(), [&](auto& kv) { return kv.first == key.str(); });
          if (it != fields.end()) it->second = std::move(v);
          else fields.emplace_back(key.str(), std::move(v));
        }
        return Value(std::move(fields));
      }
      case N::kAttr: return attribute(eval(*node.kids[0]), node.name, node);
      case N::kIndex: return index(eval(*node.kids[0]), eval(*node.kids[1]), node);
      case N::kSlice: return slice(eval(*node.kids[0]), node);
      case N::kCall: return eval_call(node);
      case N::kFilter: {
        Value input = eval(*node.kids[0]);
        CallArgs args = eval_args(node, 1);
        return apply_filter(node.name, input, args);
      }
      case N::kTest: {
        Value input = eval(*node.kids[0]);
        CallArgs args = eval_args(node, 1);
        return Value(apply_test(node.name, input, args) != node.flag);
      }
      case N::kUnary: {
        Value v = eval(*node.kids[0]);
        if (node.name == "not") return Value(!v.truthy());
        if (!v.is_number()) fault("bad operand type for unary " + node.name + ": '" + v.type_name() + "'");
        if (node.name == "+") return v.is_bool() ? Value(v.as_int()) : v;
        return v.is_float() ? Value(-v.as_float()) : Value(-v.as_int());
      }
      case N::kBinary: return binary(node);
      case N::kTernary: {
        if (eval(*node.kids[1]).truthy()) return eval(*node.kids[0]);
        return node.kids[2] ? eval(*node.kids[2]) : Value();
      }
      default: throw TemplateError("statement used as an expression", node.pos);
    }
  }

  static bool contains(const Value& haystack, const Value& needle) {
    if (haystack.is_string()) {
      if (!needle.is_string()) fault("'in <string>' requires a string on the left");
      return haystack.str().find(needle.str()) != std::string::npos;
    }
    if (haystack.is_array()) {
      for (const Value& v : haystack.array())
        if (equals(v, needle)) return true;
      return false;
    }
    if (haystack.is_object()) return needle.is_string() && haystack.find(needle.str()) != nullptr;
    fault("argument of type '" + haystack.type_name() + "' is not iterable");
  }

  static int compare(const Value& a, const Value& b, const std::string& op) {
    if (a.is_number() && b.is_number()) {
      double x = a.as_float(), y = b.as_float();
      if (!a.is_float() && !b.is_float()) return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int();
      return x < y ? -1 : x > y;
    }
    if (a.is_string() && b.is_string()) return a.str().compare(b.str()) < 0 ? -1 : a.str() != b.str();
    fault("'" + op + "' not supported between '" + a.type_name() + "' and '" + b.type_name() + "'");
  }

  Value binary(const Node& node) {
    const std::string& op = node.name;
    if (op == "and") {
      Value a = eval(*node.kids[0]);
      return a.truthy() ? eval(*node.kids[1]) : a;
    }
    if (op == "or") {
      Value a = eval(*node.kids[0]);
      return a.truthy() ? a : eval(*node.kids[1]);
    }
    Value a = eval(*node.kids[0]);
    Value b = eval(*node.kids[1]);
    if (op == "==") return Value(equals(a, b));
    if (op == "!=") return Value(!equals(a, b));
    if (op == "in") return Value(contains(b, a));
    if (op == "not in") return Value(!contains(b, a));
    if (op == "<") return Value(compare(a, b, op) < 0);
    if (op == ">") return Value(compare(a, b, op) > 0);
    if (op == "<=") return Value(compare(a, b, op) <= 0);
    if (op == ">=") return Value(compare(a, b, op) >= 0);
    if (op == "~") {
      Text t = to_text(a);
      t.append(to_text(b));
      return Value(std::move(t));
    }
    if (op == "+") {
      if (a.is_string() && b.is_string()) {
        Text t = a.text();
        t.append(b.text());
        return Value(std::move(t));
      }
      if (a.is_array() && b.is_array()) {
        Array out = a.array();
        out.insert(out.end(), b.array().begin(), b.array().end());
        return Value(std::move(out));
      }
    }
    if (op == "*" && (a.is_string() || a.is_array() || b.is_string() || b.is_array())) return repeat(a, b, node);
    if (!a.is_number() || !b.is_number())
      fault("unsupported operand types for " + op + ": '" + a.type_name() + "' and '" + b.type_name() + "'");
    return arithmetic(op, a, b);
  }

  Value repeat(const Value& a, const Value& b, const Node& node) {
    const Value& seq = a.is_number() ? b : a;
    const Value& count = a.is_number() ? a : b;
    if (!count.is_number() || count.is_float()) fault("can only multiply a sequence by an integer");
    const int64_t n = std::max<int64_t>(0, count.as_int());
    const size_t unit = seq.is_string() ? seq.str().size() : seq.array().size();
    if (unit && uint64_t(n) > options_.max_output_bytes / unit)
      throw TemplateError("repeated value exceeds the output limit", node.pos);
    if (seq.is_string()) {
      Text t;
      for (int64_t i = 0; i < n; ++i) t.append(seq.text());
      return Value(std::move(t));
    }
    Array out;
    for (int64_t i = 0; i < n; ++i) out.insert(out.end(), seq.array().begin(), seq.array().end());
    return Value(std::move(out));
  }

  static Value arithmetic(const std::string& op, const Value& a, const Value& b) {
    const bool floats = a.is_float() || b.is_float();
    if (op == "/") {
      if (b.as_float() == 0) fault("division by zero");
      return Value(a.as_float() / b.as_float());
    }
    if (op == "**") {
      if (!floats && b.as_int() >= 0) {
        const int64_t base = a.as_int();
        int64_t e = b.as_int(), r = 1;
        if (base == 0 || base == 1) return Value(e == 0 ? int64_t(1) : base);
        if (base == -1) return Value(e % 2 ? int64_t(-1) : int64_t(1));
        for (; e > 0; --e)
          if (__builtin_mul_overflow(r, base, &r)) fault("integer overflow");
        return Value(r);
      }
      return Value(std::pow(a.as_float(), b.as_float()));
    }
    if (floats) {
      double x = a.as_float(), y = b.as_float();
      if (op == "+") return Value(x + y);
      if (op == "-") return Value(x - y);
      if (op == "*") return Value(x * y);
      if (y == 0) fault("division by zero");
      if (op == "//") return Value(std::floor(x / y));
      double m = std::fmod(x, y);
      if (m != 0 && ((m < 0) != (y < 0))) m += y;
      return Value(m);
    }
    int64_t x = a.as_int(), y = b.as_int(), r = 0;
    if (op == "+" && !__builtin_add_overflow(x, y, &r)) return Value(r);
    if (op == "-" && !__builtin_sub_overflow(x, y, &r)) return Value(r);
    if (op == "*" && !__builtin_mul_overflow(x, y, &r)) return Value(r);
    if (op == "+" || op == "-" || op == "*") fault("integer overflow");
    if (y == 0) fault("integer division or modulo by zero");
    if (x == INT64_MIN && y == -1) fault("integer overflow");
    int64_t q = x / y, m = x % y;
    if (m != 0 && ((m < 0) != (y < 0))) {
      q -= 1;
      m += y;
    }
    return Value(op == "//" ? q : m);
  }

  static Object global_functions() {
    Object g;
    g.emplace_back("raise_exception", Value::function("raise_exception", [](CallArgs& args) -> Value {
                     const Value* msg = args.get(0, "message");
                     fault("template raised an error: " + (msg ? to_text(*msg).bytes : std::string()));
                   }));
    g.emplace_back("namespace", Value::function("namespace", [](CallArgs& args) -> Value {
                     Object fields;
                     if (!args.positional.empty()) {
                       if (!args.positional[0].is_object()) fault("namespace() takes a dict or keyword arguments");
                       fields = args.positional[0].object();
                     }
                     for (auto& kv : args.keyword) fields.push_back(kv);
                     return Value(std::move(fields), /*is_namespace=*/true);
                   }));
    g.emplace_back("dict", Value::function("dict", [](CallArgs& args) -> Value {
                     Object fields;
                     for (auto& kv : args.keyword) fields.push_back(kv);
                     return Value(std::move(fields));
                   }));
    g.emplace_back("range", Value::function("range", [](CallArgs& args) -> Value {
                     std::vector<int64_t> p;
                     for (const Value& v : args.positional) {
                       if (!v.is_number() || v.is_float()) fault("range() takes integers");
                       p.push_back(v.as_int());
                     }
                     if (p.empty() || p.size() > 3) fault("range() takes 1 to 3 integers");
                     int64_t start = p.size() > 1 ? p[0] : 0, stop = p.size() > 1 ? p[1] : p[0],
                             stride = p.size() > 2 ? p[2] : 1;
                     if (stride == 0) fault("range() step cannot be zero");
                     Array out;
                     for (int64_t i = start; stride > 0 ? i < stop : i > stop; i += stride) {
                       if (out.size() >= 100000) fault("range() longer than 100000 items");
                       out.emplace_back(i);
                     }
                     return Value(std::move(out));
                   }));
    return g;
  }

  const TemplateOptions& options_;
  std::vector<Object> frames_;
  std::vector<Text> sinks_;
  Text out_;
  size_t steps_ = 0;
  int call_depth_ = 0;
};

}  // namespace

Template Template::parse(std::string_view source, const TemplateOptions& options) {
  LexOptions lex_options{options.trim_blocks, options.lstrip_blocks, options.keep_trailing_newline};
  std::shared_ptr<const Node> root = jinja::parse(lex(source, lex_options));
  return Template(std::move(root), options);
}

Text Template::render(const Object& variables) const { return Interpreter(options_, variables).run(*root_); }

Value fixed_strftime_now(const std::tm& moment) {
  return Value::function("strftime_now", [moment](CallArgs& args) -> Value {
    const Value* format = args.get(0, "format");
    if (!format || !format->is_string()) fault("strftime_now() needs a format string");
    if (format->str().size() > 256) fault("strftime_now() format too long");
    char buf[1024];
    size_t n = std::strftime(buf, sizeof buf, format->str().c_str(), &moment);
    return Value(std::string(buf, n));
  });
}

}  // namespace zaya::jinja
