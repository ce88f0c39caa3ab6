// The answer checker: text clean-up (answer_text.cpp), then each side is read
// into a small tree of values (number/expression, tuple or interval, unordered
// list/set, matrix, equation, inequality, labelled value, choice letter, word)
// and the two trees are compared by value. Expressions are compared with GiNaC:
// exact simplification first, then a numeric check at random points.
#include "zaya/problems/answer_checker.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <complex>
#include <mutex>
#include <random>
#include <regex>

#include "answer_text.h"
#include "latex_expr.h"

namespace zaya::problems {

namespace {

using detail::ParsedExpr;
using detail::SymbolTable;
using GiNaC::ex;

constexpr std::size_t kMaxAnswerBytes = 4000;
constexpr std::size_t kMaxListItems = 64;
constexpr int kMaxValueDepth = 8;

struct Value {
  enum class Kind { Expr, Text, Tuple, Set, Matrix, Equation, Inequality, Labeled, Letter, Ratio };
  Kind kind = Kind::Text;
  ParsedExpr expr;             // Expr
  std::string text;            // Text (lower case, no spaces), Letter ("C")
  std::string option_text;     // Letter: text after the letter, if any
  char open = 0, close = 0;    // Tuple brackets
  std::vector<Value> items;    // Tuple/Set/Ratio elements, Matrix row-major, Labeled: {value}
  std::size_t rows = 0, cols = 0;
  ex relation;                 // Equation: lhs - rhs; Inequality: e < 0 or e <= 0
  bool strict = false;         // Inequality
  std::string label_text;      // Labeled: the label as written
  std::vector<Value> as_interval;     // Inequality in one variable: the same set as an interval
  std::vector<Value> label_equation;  // Labeled: the same thing read as an equation, if it reads
};

bool has_symbols(const GiNaC::ex& e);

struct Ctx {
  SymbolTable symbols;
  double rel_tol = 1e-5;
};

// ---------------------------------------------------------------------------
// Reading

bool is_label_like(const std::string& lhs) {
  static const std::regex label(
      R"(^(\\?[A-Za-z]+('|_\{?[A-Za-z0-9]+\}?)*(\([A-Za-z0-9, ]*\))?)(\s*:\s*\\?[A-Za-z]+('|_\{?[A-Za-z0-9]+\}?)*)*$)");
  static const std::regex abs_label(R"(^\|[A-Za-z]+\|$|^\\?(overline|angle|triangle)\s*\{?[A-Za-z]+\}?$)");
  static const std::regex tuple_label(R"(^\(\s*[A-Za-z](_\{?[A-Za-z0-9]+\}?)?(\s*,\s*[A-Za-z](_\{?[A-Za-z0-9]+\}?)?)+\s*\)$)");
  std::string t = detail::trim(lhs);
  return std::regex_match(t, label) || std::regex_match(t, abs_label) || std::regex_match(t, tuple_label);
}

std::optional<Value> read_value(const std::string& s, Ctx& ctx, int depth);

Value text_value(const std::string& s) {
  Value v;
  v.kind = Value::Kind::Text;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '{' || c == '}') continue;
    v.text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return v;
}

std::optional<Value> read_expr(const std::string& s, Ctx& ctx) {
  try {
    Value v;
    v.kind = Value::Kind::Expr;
    v.expr = detail::parse_latex_expr(s, ctx.symbols);
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Where the command `name` ("\pm") next occurs at or after `from`, as a
// whole command: "\pmod" or "\mpg" is not "\pm" or "\mp".
std::size_t find_command(const std::string& s, std::string_view name, std::size_t from = 0) {
  for (std::size_t p = s.find(name, from); p != std::string::npos; p = s.find(name, p + 1)) {
    const std::size_t end = p + name.size();
    if (end >= s.size() || !std::isalpha(static_cast<unsigned char>(s[end]))) return p;
  }
  return std::string::npos;
}

// Answers with more signs than this are not expanded (each doubles the
// readings); the reader then rejects the unexpanded command.
constexpr int kMaxPlusMinus = 4;

// Expands each \pm / \mp into both signs: "1 \pm \sqrt 2" reads as
// "1+\sqrt 2" and "1-\sqrt 2".
std::vector<std::string> expand_pm(const std::string& s) {
  int signs = 0;
  for (std::string_view pm : {"\\pm", "\\mp"})
    for (std::size_t p = find_command(s, pm); p != std::string::npos; p = find_command(s, pm, p + 1)) ++signs;
  if (signs == 0 || signs > kMaxPlusMinus) return {s};
  for (std::string_view pm : {"\\pm", "\\mp"}) {
    const std::size_t p = find_command(s, pm);
    if (p != std::string::npos) {
      std::string a = s.substr(0, p) + "+" + s.substr(p + 3);
      std::string b = s.substr(0, p) + "-" + s.substr(p + 3);
      if (detail::trim(s.substr(0, p)).empty()) a = s.substr(p + 3);
      std::vector<std::string> out;
      for (auto& x : expand_pm(a)) out.push_back(x);
      for (auto& x : expand_pm(b)) out.push_back(x);
      return out;
    }
  }
  return {s};
}

// Splits at top-level relation operators; returns sides and operators.
bool split_relation(const std::string& s, std::vector<std::string>& sides, std::vector<std::string>& ops) {
  static const std::pair<const char*, const char*> rel_ops[] = {
      {"\\leq", "<="}, {"\\geq", ">="}, {"\\neq", "!="}, {"<", "<"}, {">", ">"}, {"=", "="}};
  int depth = 0;
  std::string cur;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    bool matched = false;
    if (depth == 0) {
      for (const auto& [tok, op] : rel_ops) {
        std::string_view t(tok);
        if (std::string_view(s).substr(i).starts_with(t)) {
          if (t.front() == '\\' && i + t.size() < s.size() && std::isalpha(static_cast<unsigned char>(s[i + t.size()])))
            continue;
          sides.push_back(detail::trim(cur));
          ops.push_back(op);
          cur.clear();
          i += t.size() - 1;
          matched = true;
          break;
        }
      }
    }
    if (!matched) cur += c;
  }
  sides.push_back(detail::trim(cur));
  if (ops.empty()) return false;
  for (const auto& side : sides)
    if (side.empty()) return false;
  return true;
}

std::optional<Value> read_matrix(const std::string& s, Ctx& ctx, int depth) {
  static const std::regex env(R"(^\\begin\{(pmatrix|bmatrix|Bmatrix|vmatrix|matrix|smallmatrix|array)\}(\{[^}]*\})?([\s\S]*)\\end\{\1\}$)");
  std::smatch m;
  std::string t = detail::trim(s);
  if (!std::regex_match(t, m, env)) return std::nullopt;
  std::string body = m[3].str();
  Value v;
  v.kind = Value::Kind::Matrix;
  std::vector<std::string> rows;
  std::size_t start = 0;
  for (;;) {
    std::size_t p = body.find("\\\\", start);
    rows.push_back(body.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 2;
  }
  while (!rows.empty() && detail::trim(rows.back()).empty()) rows.pop_back();
  if (rows.empty() || rows.size() > kMaxListItems) return std::nullopt;
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    std::size_t cs = 0;
    for (;;) {
      std::size_t p = row.find('&', cs);
      cells.push_back(row.substr(cs, p == std::string::npos ? std::string::npos : p - cs));
      if (p == std::string::npos) break;
      cs = p + 1;
    }
    if (v.cols == 0) v.cols = cells.size();
    if (cells.size() != v.cols || v.cols > kMaxListItems) return std::nullopt;
    for (const auto& cell : cells) {
      auto cv = read_value(detail::trim(cell), ctx, depth + 1);
      if (!cv) return std::nullopt;
      v.items.push_back(std::move(*cv));
    }
    ++v.rows;
  }
  return v;
}

std::optional<Value> read_list(const std::vector<std::string>& parts, Ctx& ctx, int depth, Value::Kind kind,
                               char open = 0, char close = 0) {
  if (parts.size() > kMaxListItems) return std::nullopt;
  Value v;
  v.kind = kind;
  v.open = open;
  v.close = close;
  for (const auto& part : parts) {
    std::vector<std::string> expanded = kind == Value::Kind::Set ? expand_pm(part) : std::vector<std::string>{part};
    for (const auto& x : expanded) {
      auto item = read_value(x, ctx, depth + 1);
      if (!item) return std::nullopt;
      // A labelled element contributes its value ("x = 1, x = 2").
      if (item->kind == Value::Kind::Labeled) {
        Value inner = item->items.front();
        item = inner;
      }
      v.items.push_back(std::move(*item));
    }
  }
  return v;
}

std::optional<Value> read_value(const std::string& raw, Ctx& ctx, int depth) {
  if (depth > kMaxValueDepth) return std::nullopt;
  std::string s = detail::trim(raw);
  if (s.empty()) return std::nullopt;

  // \approx: a labelled approximation gives its value; "exact \approx decimal" the exact part.
  if (std::size_t p = s.find("\\approx"); p != std::string::npos) {
    std::string lhs = detail::trim(s.substr(0, p)), rhs = detail::trim(s.substr(p + 7));
    if (!lhs.empty() && !rhs.empty()) return read_value(is_label_like(lhs) ? rhs : lhs, ctx, depth + 1);
  }
  // "x \in [a, b]"
  {
    static const std::regex in_set(R"(^[A-Za-z](_\{?[A-Za-z0-9]+\}?)?\s*\\in\s*(.+)$)");
    std::smatch m;
    if (std::regex_match(s, m, in_set)) return read_value(m[2].str(), ctx, depth + 1);
  }
  // Bare list: unordered.
  {
    std::vector<std::string> parts = detail::split_top_level(s);
    if (parts.size() >= 2) {
      // "n = 2, 3, 4": the label belongs to the whole list.
      std::vector<std::string> rel_sides, rel_ops;
      if (split_relation(parts.front(), rel_sides, rel_ops) && rel_ops.size() == 1 && rel_ops[0] == "=" &&
          is_label_like(rel_sides[0]))
        parts.front() = rel_sides[1];
      return read_list(parts, ctx, depth, Value::Kind::Set);
    }
  }
  // Union of intervals or sets: unordered.
  if (s.find("\\cup") != std::string::npos) {
    std::vector<std::string> parts;
    std::string rest = s;
    std::size_t p;
    while ((p = rest.find("\\cup")) != std::string::npos) {
      parts.push_back(detail::trim(rest.substr(0, p)));
      rest = rest.substr(p + 4);
    }
    parts.push_back(detail::trim(rest));
    return read_list(parts, ctx, depth, Value::Kind::Set);
  }
  // Matrix, possibly inside \left[ ... \right].
  if (s.starts_with("\\begin")) return read_matrix(s, ctx, depth);
  if ((s.front() == '[' || s.front() == '(') && detail::matching_close(s, 0) == s.size() - 1 &&
      detail::trim(s.substr(1)).starts_with("\\begin"))
    return read_matrix(detail::trim(s.substr(1, s.size() - 2)), ctx, depth);
  // Mixed number: 1\frac12, 2 \frac{5}{8}, 1 1/2.
  {
    static const std::regex mixed(R"(^(-?)(\d+)\s*(?:\\frac\s*(?:\{(\d+)\}|(\d))\s*(?:\{(\d+)\}|(\d))|\s(\d+)/(\d+))$)");
    std::smatch m;
    if (std::regex_match(s, m, mixed)) {
      std::string num = m[3].matched ? m[3].str() : m[4].matched ? m[4].str() : m[7].str();
      std::string den = m[5].matched ? m[5].str() : m[6].matched ? m[6].str() : m[8].str();
      return read_value(m[1].str() + "(" + m[2].str() + "+\\frac{" + num + "}{" + den + "})", ctx, depth + 1);
    }
  }
  // Set in braces.
  if (s.starts_with("\\{") && s.ends_with("\\}")) {
    std::string inner = s.substr(2, s.size() - 4);
    auto parts = detail::split_top_level(inner);
    if (parts.empty()) return text_value("\\varnothing");
    return read_list(parts, ctx, depth, Value::Kind::Set);
  }
  if (s.front() == '{' && detail::matching_close(s, 0) == s.size() - 1) return read_value(s.substr(1, s.size() - 2), ctx, depth + 1);
  // Relations: equations, inequalities, labels.
  {
    std::vector<std::string> sides, ops;
    if (split_relation(s, sides, ops)) {
      bool all_eq = std::all_of(ops.begin(), ops.end(), [](const std::string& o) { return o == "="; });
      if (all_eq && ops.size() == 1) {
        Value eq;
        eq.kind = Value::Kind::Equation;
        auto l = read_expr(sides[0], ctx), r = read_expr(sides[1], ctx);
        if (l && r) eq.relation = l->expr.value - r->expr.value;
        if (is_label_like(sides[0])) {
          auto rhs = read_value(sides[1], ctx, depth + 1);
          if (!rhs) return std::nullopt;
          Value lab;
          lab.kind = Value::Kind::Labeled;
          lab.label_text = sides[0];
          lab.items.push_back(std::move(*rhs));
          if (l && r) lab.label_equation.push_back(eq);
          return lab;
        }
        if (!(l && r)) return text_value(s);
        return eq;
      }
      if (all_eq && ops.size() == 2 && is_label_like(sides[0])) return read_value(sides.back(), ctx, depth + 1);
      bool all_ineq = std::none_of(ops.begin(), ops.end(), [](const std::string& o) { return o == "=" || o == "!="; });
      if (all_ineq && ops.size() == 2) {
        // a < x < b: an interval when x is a single variable and the ends are numbers.
        auto lo = read_expr(sides[0], ctx), mid = read_expr(sides[1], ctx), hi = read_expr(sides[2], ctx);
        if (lo && mid && hi && GiNaC::is_a<GiNaC::symbol>(mid->expr.value)) {
          bool ascending = ops[0][0] == '<' && ops[1][0] == '<';
          bool descending = ops[0][0] == '>' && ops[1][0] == '>';
          if (ascending || descending) {
            Value iv;
            iv.kind = Value::Kind::Tuple;
            const std::string& op_lo = ascending ? ops[0] : ops[1];
            const std::string& op_hi = ascending ? ops[1] : ops[0];
            iv.open = op_lo == "<=" || op_lo == ">=" ? '[' : '(';
            iv.close = op_hi == "<=" || op_hi == ">=" ? ']' : ')';
            Value a = ascending ? *lo : *hi;
            Value b = ascending ? *hi : *lo;
            iv.items = {a, b};
            return iv;
          }
        }
        return text_value(s);
      }
      if (all_ineq && ops.size() == 1) {
        auto l = read_expr(sides[0], ctx), r = read_expr(sides[1], ctx);
        if (!l || !r) return text_value(s);
        Value iq;
        iq.kind = Value::Kind::Inequality;
        iq.strict = ops[0] == "<" || ops[0] == ">";
        iq.relation = ops[0][0] == '<' ? l->expr.value - r->expr.value : r->expr.value - l->expr.value;
        // x < 5 is also the interval (-\infty, 5).
        bool var_left = GiNaC::is_a<GiNaC::symbol>(l->expr.value) && !has_symbols(r->expr.value);
        bool var_right = GiNaC::is_a<GiNaC::symbol>(r->expr.value) && !has_symbols(l->expr.value);
        if (var_left || var_right) {
          const Value& bound = var_left ? *r : *l;
          bool upper = (ops[0][0] == '<') == var_left;  // x < b or b > x: b bounds from above
          Value inf;
          inf.kind = Value::Kind::Expr;
          inf.expr.value = upper ? -ctx.symbols.get(detail::kInfinityName) : ctx.symbols.get(detail::kInfinityName);
          Value iv;
          iv.kind = Value::Kind::Tuple;
          iv.open = upper ? '(' : (iq.strict ? '(' : '[');
          iv.close = upper ? (iq.strict ? ')' : ']') : ')';
          iv.items = upper ? std::vector<Value>{inf, bound} : std::vector<Value>{bound, inf};
          iq.as_interval.push_back(std::move(iv));
        }
        return iq;
      }
      return text_value(s);
    }
  }
  // Multiple-choice letter: "C", "(C)", "(C) Cecile".
  {
    static const std::regex letter(R"(^([A-E])$|^\(([A-E])\)\s*(.*)$|^([A-E])[.)]\s+(.*)$)");
    std::smatch m;
    if (std::regex_match(s, m, letter)) {
      Value v;
      v.kind = Value::Kind::Letter;
      v.text = m[1].matched ? m[1].str() : m[2].matched ? m[2].str() : m[4].str();
      v.option_text = detail::trim(m[2].matched ? m[3].str() : m[4].matched ? m[5].str() : std::string());
      // A bare capital letter could be a variable: only "(C)" forms or a letter alone count.
      return v;
    }
  }
  // Ratio or clock time: 7:32, 20:34:00.
  if (s.find(':') != std::string::npos) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
      std::size_t p = s.find(':', start);
      parts.push_back(detail::trim(s.substr(start, p == std::string::npos ? std::string::npos : p - start)));
      if (p == std::string::npos) break;
      start = p + 1;
    }
    Value v;
    v.kind = Value::Kind::Ratio;
    for (const auto& part : parts) {
      auto e = read_expr(part, ctx);
      if (!e) return text_value(s);
      v.items.push_back(std::move(*e));
    }
    return v;
  }
  // Tuple or interval: (a, b], [a, b), \langle a, b \rangle.
  if ((s.front() == '(' || s.front() == '[') && (s.back() == ')' || s.back() == ']')) {
    std::string inner = s.substr(1, s.size() - 2);
    // Only when the outer brackets enclose everything (not "(a)(b)").
    int depth_here = 0;
    bool encloses = true;
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
      char c = s[i];
      if (c == '(' || c == '[' || c == '{') ++depth_here;
      if (c == ')' || c == ']' || c == '}') --depth_here;
      if (depth_here == 0) {
        encloses = false;
        break;
      }
    }
    if (encloses) {
      auto parts = detail::split_top_level(inner);
      if (parts.size() >= 2) return read_list(parts, ctx, depth, Value::Kind::Tuple, s.front(), s.back());
    }
  }
  if (s.starts_with("\\langle") && s.ends_with("\\rangle")) {
    auto parts = detail::split_top_level(s.substr(7, s.size() - 14));
    return read_list(parts, ctx, depth, Value::Kind::Tuple, '(', ')');
  }
  // 1 \pm \sqrt{5}: two values (an answer with too many signs to expand is
  // not read as one).
  if (find_command(s, "\\pm") != std::string::npos || find_command(s, "\\mp") != std::string::npos) {
    if (expand_pm(s).size() == 1) return std::nullopt;
    return read_list({s}, ctx, depth, Value::Kind::Set);
  }
  // A word ("Even", "odd"): letters only, three or more.
  {
    static const std::regex word(R"(^[A-Za-z][A-Za-z ]{2,}$)");
    if (std::regex_match(s, word)) return text_value(s);
  }
  if (auto e = read_expr(s, ctx)) return e;
  return text_value(s);
}

// Readings of a whole answer: usually one; a percent value and an ambiguous
// comma ("1,000" as a number or a list, "1,22" as a decimal comma) give more.
std::vector<Value> read_answer(const std::string& raw, Ctx& ctx, std::string& cleaned) {
  detail::CleanText ct = detail::clean_answer_text(raw);
  cleaned = ct.text;
  std::vector<std::string> texts{ct.text};
  static const std::regex thousands(R"(^-?\d{1,3}(,\d{3})+(\.\d+)?$)");
  static const std::regex decimal_comma(R"(^-?\d+,(\d{1,2}|\d{4,})$)");
  if (std::regex_match(ct.text, thousands)) {
    std::string joined = ct.text;
    joined.erase(std::remove(joined.begin(), joined.end(), ','), joined.end());
    texts.insert(texts.begin(), joined);
  } else if (std::regex_match(ct.text, decimal_comma)) {
    std::string dec = ct.text;
    std::replace(dec.begin(), dec.end(), ',', '.');
    texts.push_back(dec);
  }
  std::vector<Value> out;
  for (const auto& t : texts) {
    auto v = read_value(t, ctx, 0);
    if (!v) continue;
    if (ct.percent && v->kind == Value::Kind::Expr) {
      Value scaled = *v;
      scaled.expr.value = v->expr.value / 100;
      scaled.expr.is_plain_number = false;
      out.push_back(*v);
      out.push_back(scaled);
    } else {
      out.push_back(std::move(*v));
    }
  }
  if (out.empty()) out.push_back(text_value(ct.text));
  return out;
}

// ---------------------------------------------------------------------------
// Comparing

struct Cmp {
  bool equal = false;
  std::string reason;
};

std::optional<std::complex<double>> to_complex(const ex& e) {
  try {
    ex v = GiNaC::evalf(e);
    if (!GiNaC::is_a<GiNaC::numeric>(v)) return std::nullopt;
    const auto& n = GiNaC::ex_to<GiNaC::numeric>(v);
    double re = n.real().to_double(), im = n.imag().to_double();
    if (!std::isfinite(re) || !std::isfinite(im)) return std::nullopt;
    return std::complex<double>(re, im);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool has_symbols(const ex& e) {
  for (GiNaC::const_preorder_iterator it = e.preorder_begin(); it != e.preorder_end(); ++it)
    if (GiNaC::is_a<GiNaC::symbol>(*it)) return true;
  return false;
}

void collect_symbols(const ex& e, GiNaC::exset& out) {
  for (GiNaC::const_preorder_iterator it = e.preorder_begin(); it != e.preorder_end(); ++it)
    if (GiNaC::is_a<GiNaC::symbol>(*it)) out.insert(*it);
}

bool is_terminating_rational(const ex& e) {
  if (!GiNaC::is_a<GiNaC::numeric>(e)) return false;
  const auto& n = GiNaC::ex_to<GiNaC::numeric>(e);
  if (!n.is_rational()) return false;
  GiNaC::numeric d = n.denom();
  while (GiNaC::mod(d, 2).is_zero()) d = d / 2;
  while (GiNaC::mod(d, 5).is_zero()) d = d / 5;
  return d.is_equal(1);
}

bool close_enough(std::complex<double> a, std::complex<double> b, double rel) {
  double scale = std::max(std::abs(a), std::abs(b));
  return std::abs(a - b) <= rel * scale + 1e-12;
}

// Values at a few fixed pseudo-random points for the symbols of a and b.
// Returns the number of points where both sides were finite and agreed, or -1
// when they disagreed somewhere.
int spot_check(const ex& a, const ex& b, double rel) {
  GiNaC::exset syms;
  collect_symbols(a, syms);
  collect_symbols(b, syms);
  std::mt19937 rng(12345);
  std::uniform_real_distribution<double> dist(0.3, 2.7);
  int agreed = 0;
  for (int trial = 0; trial < 8; ++trial) {
    GiNaC::exmap at;
    for (const auto& s : syms) at[s] = GiNaC::numeric(dist(rng));
    try {
      auto va = to_complex(a.subs(at)), vb = to_complex(b.subs(at));
      if (!va || !vb) continue;
      if (!close_enough(*va, *vb, rel)) return -1;
      ++agreed;
    } catch (const std::exception&) {
      continue;
    }
  }
  return agreed;
}

bool contains_infinity(const ex& e) {
  for (GiNaC::const_preorder_iterator it = e.preorder_begin(); it != e.preorder_end(); ++it)
    if (GiNaC::is_a<GiNaC::symbol>(*it) && GiNaC::ex_to<GiNaC::symbol>(*it).get_name() == detail::kInfinityName)
      return true;
  return false;
}

Cmp compare_expr(const ParsedExpr& a, const ParsedExpr& b, const Ctx& ctx) {
  try {
    ex diff = a.value - b.value;
    bool sym = has_symbols(a.value) || has_symbols(b.value);
    if (!sym || contains_infinity(a.value) || contains_infinity(b.value)) {
      if (contains_infinity(a.value) || contains_infinity(b.value)) {
        return {GiNaC::normal(diff).is_zero(), "infinite values compared symbolically"};
      }
      if (!a.has_decimal && !b.has_decimal) {
        ex d = GiNaC::normal(diff);
        if (d.is_zero()) return {true, "equal values"};
        auto va = to_complex(a.value), vb = to_complex(b.value);
        if (va && vb && close_enough(*va, *vb, 1e-11)) return {true, "equal values (numerically)"};
        return {false, "different values"};
      }
      auto va = to_complex(a.value), vb = to_complex(b.value);
      if (!va || !vb) return {false, "not a finite number"};
      if (close_enough(*va, *vb, ctx.rel_tol)) return {true, "equal within relative tolerance"};
      // A decimal rounded or truncated to its last digit against an exact,
      // non-terminating value (1.732 for sqrt 3, 2.6667 for 8/3).
      for (int side = 0; side < 2; ++side) {
        const ParsedExpr& dec = side == 0 ? a : b;
        const ParsedExpr& exact = side == 0 ? b : a;
        if (!dec.is_plain_number || dec.decimals == 0 || dec.significant_digits < 3) continue;
        if (exact.has_decimal || is_terminating_rational(exact.value)) continue;
        double ulp = std::pow(10.0, -dec.decimals);
        if (std::abs(*va - *vb) <= ulp) return {true, "decimal rounds to the exact value"};
      }
      return {false, "different values"};
    }
    // Expressions with variables: same variables, then GiNaC, then spot check.
    GiNaC::exset sa, sb;
    collect_symbols(a.value, sa);
    collect_symbols(b.value, sb);
    if (sa != sb) {
      // Different variables can still be the same function (\sin^2 x + \cos^2 x and 1).
      ex d = GiNaC::normal(diff);
      if (d.is_zero()) return {true, "equal expressions"};
      if (spot_check(a.value, b.value, 1e-9) >= 3) return {true, "expressions agree at random points"};
      return {false, "different variables"};
    }
    ex d = GiNaC::normal(GiNaC::expand(diff));
    if (d.is_zero()) return {true, "equal expressions (simplified)"};
    double rel = (a.has_decimal || b.has_decimal) ? ctx.rel_tol : 1e-9;
    int agreed = spot_check(a.value, b.value, rel);
    if (agreed >= 3) return {true, "expressions agree at random points"};
    return {false, agreed < 0 ? "expressions differ" : "expressions could not be compared"};
  } catch (const std::exception& e) {
    return {false, std::string("comparison failed: ") + e.what()};
  }
}

// e1 = k e2 for a constant k (positive when `positive_only`).
bool proportional(const ex& e1, const ex& e2, bool positive_only) {
  try {
    if (e1.is_zero() || e2.is_zero()) return e1.is_zero() && e2.is_zero();
    ex q = GiNaC::normal(e1 / e2);
    if (!has_symbols(q)) {
      auto v = to_complex(q);
      if (!v || std::abs(v->imag()) > 1e-12 || std::abs(v->real()) < 1e-300) return false;
      return !positive_only || v->real() > 0;
    }
    // Numeric: the ratio is the same at several points.
    GiNaC::exset syms;
    collect_symbols(e1, syms);
    collect_symbols(e2, syms);
    std::mt19937 rng(777);
    std::uniform_real_distribution<double> dist(0.3, 2.7);
    std::optional<std::complex<double>> ratio;
    int agreed = 0;
    for (int t = 0; t < 8; ++t) {
      GiNaC::exmap at;
      for (const auto& s : syms) at[s] = GiNaC::numeric(dist(rng));
      auto v1 = to_complex(e1.subs(at)), v2 = to_complex(e2.subs(at));
      if (!v1 || !v2 || std::abs(*v2) < 1e-12) continue;
      auto r = *v1 / *v2;
      if (!ratio) ratio = r;
      else if (!close_enough(*ratio, r, 1e-9)) return false;
      ++agreed;
    }
    if (!ratio || agreed < 3) return false;
    return !positive_only || (ratio->real() > 0 && std::abs(ratio->imag()) < 1e-12);
  } catch (const std::exception&) {
    return false;
  }
}

Cmp compare(const Value& a, const Value& b, const Ctx& ctx, int depth = 0);

Cmp compare_ordered(const std::vector<Value>& a, const std::vector<Value>& b, const Ctx& ctx, int depth) {
  if (a.size() != b.size()) return {false, "different number of elements"};
  for (std::size_t i = 0; i < a.size(); ++i) {
    Cmp c = compare(a[i], b[i], ctx, depth + 1);
    if (!c.equal) return {false, "element " + std::to_string(i + 1) + " differs"};
  }
  return {true, "same elements in order"};
}

Cmp compare_unordered(const std::vector<Value>& a, const std::vector<Value>& b, const Ctx& ctx, int depth) {
  if (a.size() != b.size()) return {false, "different number of elements"};
  std::vector<bool> used(b.size(), false);
  for (const auto& x : a) {
    bool found = false;
    for (std::size_t j = 0; j < b.size() && !found; ++j) {
      if (used[j]) continue;
      if (compare(x, b[j], ctx, depth + 1).equal) {
        used[j] = true;
        found = true;
      }
    }
    if (!found) return {false, "an element has no match"};
  }
  return {true, "same elements (any order)"};
}

Cmp compare(const Value& a, const Value& b, const Ctx& ctx, int depth) {
  using K = Value::Kind;
  if (depth > 2 * kMaxValueDepth) return {false, "too deeply nested"};
  // Labels: compare values; an equation against a labelled value compares as equations.
  if (a.kind == K::Labeled || b.kind == K::Labeled) {
    const Value& l = a.kind == K::Labeled ? a : b;
    const Value& o = a.kind == K::Labeled ? b : a;
    if (o.kind == K::Labeled) {
      Cmp c = compare(l.items.front(), o.items.front(), ctx, depth + 1);
      if (c.equal) return {true, "labelled values: " + c.reason};
      if (!l.label_equation.empty() && !o.label_equation.empty())
        return compare(l.label_equation.front(), o.label_equation.front(), ctx, depth + 1);
      return c;
    }
    if (o.kind == K::Equation) {
      if (l.label_equation.empty()) return {false, "equation against a value"};
      return compare(l.label_equation.front(), o, ctx, depth + 1);
    }
    Cmp c = compare(l.items.front(), o, ctx, depth + 1);
    c.reason = "label ignored: " + c.reason;
    return c;
  }
  if (a.kind == K::Letter || b.kind == K::Letter) {
    if (a.kind == K::Letter && b.kind == K::Letter) {
      return a.text == b.text ? Cmp{true, "same choice letter"} : Cmp{false, "different choice letter"};
    }
    // A single capital letter may be a variable: compare as text.
    const Value& l = a.kind == K::Letter ? a : b;
    const Value& o = a.kind == K::Letter ? b : a;
    if (o.kind == K::Expr && l.option_text.empty()) {
      if (GiNaC::is_a<GiNaC::symbol>(o.expr.value) &&
          GiNaC::ex_to<GiNaC::symbol>(o.expr.value).get_name() == l.text)
        return {true, "same letter"};
    }
    return {false, "a choice letter against a non-letter"};
  }
  if (a.kind == K::Set || b.kind == K::Set) {
    const Value& s = a.kind == K::Set ? a : b;
    const Value& o = a.kind == K::Set ? b : a;
    if (o.kind == K::Set) return compare_unordered(a.items, b.items, ctx, depth);
    if (o.kind == K::Tuple && o.open == '(' && o.close == ')') return compare_unordered(s.items, o.items, ctx, depth);
    if (s.items.size() == 1) return compare(s.items.front(), o, ctx, depth + 1);
    return {false, "a list against a single value"};
  }
  if (a.kind == K::Matrix || b.kind == K::Matrix) {
    if (a.kind == K::Matrix && b.kind == K::Matrix) {
      if (a.rows != b.rows || a.cols != b.cols) return {false, "different matrix shapes"};
      Cmp c = compare_ordered(a.items, b.items, ctx, depth);
      return {c.equal, c.equal ? "same matrix entries" : "matrix entries differ"};
    }
    const Value& m = a.kind == K::Matrix ? a : b;
    const Value& o = a.kind == K::Matrix ? b : a;
    if (o.kind == K::Tuple && (m.rows == 1 || m.cols == 1)) {
      Cmp c = compare_ordered(m.items, o.items, ctx, depth);
      return {c.equal, c.equal ? "vector entries match" : "vector entries differ"};
    }
    return {false, "a matrix against a non-matrix"};
  }
  if (a.kind == K::Inequality && b.kind == K::Tuple && !a.as_interval.empty())
    return compare(a.as_interval.front(), b, ctx, depth + 1);
  if (b.kind == K::Inequality && a.kind == K::Tuple && !b.as_interval.empty())
    return compare(a, b.as_interval.front(), ctx, depth + 1);
  if (a.kind != b.kind) {
    return {false, "different kinds of answer"};
  }
  switch (a.kind) {
    case K::Expr: return compare_expr(a.expr, b.expr, ctx);
    case K::Text: return a.text == b.text ? Cmp{true, "same text"} : Cmp{false, "different text"};
    case K::Tuple: {
      if (a.open != b.open || a.close != b.close) return {false, "different brackets"};
      return compare_ordered(a.items, b.items, ctx, depth);
    }
    case K::Ratio: {
      std::vector<Value> x = a.items, y = b.items;
      // Clock times: 20:34 = 20:34:00.
      auto zero = [](const Value& v) { return v.kind == K::Expr && v.expr.value.is_zero(); };
      while (x.size() > y.size() && zero(x.back())) x.pop_back();
      while (y.size() > x.size() && zero(y.back())) y.pop_back();
      return compare_ordered(x, y, ctx, depth);
    }
    case K::Equation: {
      if (proportional(a.relation, b.relation, false)) return {true, "equivalent equations"};
      return {false, "different equations"};
    }
    case K::Inequality: {
      if (a.strict != b.strict) return {false, "strict against non-strict inequality"};
      if (proportional(a.relation, b.relation, true)) return {true, "equivalent inequalities"};
      return {false, "different inequalities"};
    }
    default: return {false, "different answers"};
  }
}

std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

Verdict check_impl(std::string_view gold, std::string_view candidate, const CheckOptions& options) {
  if (gold.size() > kMaxAnswerBytes || candidate.size() > 4 * kMaxAnswerBytes) return {false, "answer too long"};
  std::string cand(candidate);
  if (cand.size() > kMaxAnswerBytes) {
    auto extracted = extract_final_answer(cand);
    if (!extracted || extracted->size() > kMaxAnswerBytes) return {false, "answer too long"};
    cand = *extracted;
  }
  Ctx ctx;
  ctx.rel_tol = options.relative_tolerance;
  std::string gold_clean, cand_clean;
  std::vector<Value> gv = read_answer(std::string(gold), ctx, gold_clean);
  std::vector<Value> cv = read_answer(cand, ctx, cand_clean);
  if (squeeze(cand_clean).empty()) return {false, "empty answer"};
  if (squeeze(gold_clean) == squeeze(cand_clean)) return {true, "same answer after normalisation"};
  Cmp last{false, "different answers"};
  for (const auto& g : gv) {
    for (const auto& c : cv) {
      Cmp r = compare(g, c, ctx);
      if (r.equal) return {true, r.reason};
      last = r;
    }
  }
  // Multiple choice: the text of the correct option instead of its letter.
  if (!options.choices.empty() && gv.front().kind == Value::Kind::Letter) {
    for (const auto& choice : options.choices) {
      if (choice.label != gv.front().text) continue;
      CheckOptions plain;
      plain.relative_tolerance = options.relative_tolerance;
      Verdict v = check_impl(choice.text, cand, plain);
      if (v.equivalent) return {true, "matches the text of choice " + choice.label};
    }
  }
  return {false, last.reason};
}

std::mutex& checker_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

Verdict check_answer(std::string_view gold, std::string_view candidate, const CheckOptions& options) {
  std::lock_guard<std::mutex> lock(checker_mutex());
  try {
    return check_impl(gold, candidate, options);
  } catch (const std::exception& e) {
    return {false, std::string("could not read the answer: ") + e.what()};
  } catch (...) {
    return {false, "could not read the answer"};
  }
}

Verdict check_problem_answer(const Problem& problem, std::string_view candidate) {
  CheckOptions options;
  options.choices = problem.choices;
  Verdict last{false, "no answer key"};
  std::vector<std::string> keys = problem.accepted_answers;
  if (keys.empty()) keys.push_back(problem.answer);
  for (const auto& key : keys) {
    last = check_answer(key, candidate, options);
    if (last.equivalent) return last;
  }
  return last;
}

}  // namespace zaya::problems
