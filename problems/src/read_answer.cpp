// Reading an answer's text into a Value (answer_value.h): one function per
// written form, tried in the order of kForms below.
#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>
#include <type_traits>

#include "answer_label.h"
#include "answer_split.h"
#include "answer_text.h"
#include "answer_value.h"

namespace zaya::problems::detail {

namespace {

// What a form's reader says about a text: not this form (try the next), this
// form read into a value, or this form but unreadable (the answer then stays text).
struct Reading {
  bool matched = false;
  std::optional<Value> value;
};
Reading not_this_form() { return {false, std::nullopt}; }
Reading unreadable() { return {true, std::nullopt}; }
Reading read_as(std::optional<Value> v) { return {true, std::move(v)}; }

std::optional<Value> read_value(const std::string& s, CheckContext& ctx, int depth);

Value word_value(const std::string& s) {
  Word w;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '{' || c == '}') continue;
    w.text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return {w};
}

std::optional<Value> read_expression(const std::string& s, CheckContext& ctx) {
  try {
    return Value{Expression{parse_latex_expr(s, ctx.symbols)}};
  } catch (const TooComplex&) {
    ctx.too_complex = true;
    return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

const ParsedExpr* expression_of(const std::optional<Value>& v) {
  if (!v) return nullptr;
  const Expression* e = v->as<Expression>();
  return e ? &e->expr : nullptr;
}

// Elements that all carry one label ("x = 1, x = 2") are that unknown's values:
// the label is dropped. Elements with different labels ("a = 2, b = 3") keep
// them, so that the values cannot be swapped between the unknowns.
void drop_shared_label(std::vector<Value>& items) {
  const std::string* shared = nullptr;
  for (const auto& item : items) {
    const Labelled* l = item.as<Labelled>();
    if (!l) continue;
    if (shared && *shared != l->label) return;
    shared = &l->label;
  }
  for (auto& item : items) {
    if (const Labelled* l = item.as<Labelled>()) {
      Value inner = l->value.front();  // a copy first: it lives inside item
      item = std::move(inner);
    }
  }
}

template <typename List>
std::optional<Value> read_items(const std::vector<std::string>& parts, CheckContext& ctx, int depth, List list) {
  if (parts.size() > kMaxListItems) return std::nullopt;
  constexpr bool unordered = std::is_same_v<List, Unordered>;
  for (const auto& part : parts) {
    for (const auto& x : unordered ? expand_pm(part) : std::vector<std::string>{part}) {
      auto item = read_value(x, ctx, depth + 1);
      if (!item) return std::nullopt;
      list.items.push_back(std::move(*item));
    }
  }
  drop_shared_label(list.items);
  return Value{std::move(list)};
}

// The brackets at both ends enclose everything: "(a, b)" but not "(a)(b)".
bool brackets_enclose(const std::string& s) {
  int depth = 0;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (depth == 0) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// One reader per written form.

// "exact \approx decimal" gives the exact part; "x \approx 0.58" its value.
Reading read_approximation(const std::string& s, CheckContext& ctx, int depth) {
  std::size_t p = s.find("\\approx");
  if (p == std::string::npos) return not_this_form();
  std::string lhs = trim(s.substr(0, p)), rhs = trim(s.substr(p + 7));
  if (lhs.empty() || rhs.empty()) return not_this_form();
  return read_as(read_value(is_label(lhs) ? rhs : lhs, ctx, depth + 1));
}

// "x \in [a, b]": the set itself.
Reading read_membership(const std::string& s, CheckContext& ctx, int depth) {
  static const std::regex in_set(R"(^[A-Za-z](_\{?[A-Za-z0-9]+\}?)?\s*\\in\s*(.+)$)");
  std::smatch m;
  if (!std::regex_match(s, m, in_set)) return not_this_form();
  return read_as(read_value(m[2].str(), ctx, depth + 1));
}

// Set-builder notation "\{x \mid 1 < x < 4\}" or "\{x : ...\}": the condition.
Reading read_set_builder(const std::string& s, CheckContext& ctx, int depth) {
  static const std::regex builder(R"(^\\\{\s*[A-Za-z](_\{?[A-Za-z0-9]+\}?)?\s*(\\mid|\||:)\s*(.+)\\\}$)");
  std::smatch m;
  if (!std::regex_match(s, m, builder)) return not_this_form();
  return read_as(read_value(m[3].str(), ctx, depth + 1));
}

// "1, 2, 3", "6 and 8", "-12; -11": unordered. "n = 2, 3, 4": the label is the list's.
// The label alone ("x = 1, x = 2") is dropped by read_items.
Reading read_bare_list(const std::string& s, CheckContext& ctx, int depth) {
  std::vector<std::string> parts = split_top_level(s);
  if (parts.size() < 2) return not_this_form();
  // Only when no other element has a label of its own: "a = 2, b = 3" is two labelled values.
  const bool others_labelled = std::any_of(parts.begin() + 1, parts.end(), [](const std::string& p) {
    std::vector<std::string> sides, ops;
    return split_relation(p, sides, ops) && ops.size() == 1 && ops[0] == "=" && is_label(sides[0]);
  });
  std::vector<std::string> sides, ops;
  if (!others_labelled && split_relation(parts.front(), sides, ops) && ops.size() == 1 && ops[0] == "=" &&
      is_label(sides[0]))
    parts.front() = sides[1];
  return read_as(read_items(parts, ctx, depth, Unordered{}));
}

// "(-\infty, -2) \cup (3, \infty)": unordered.
Reading read_union(const std::string& s, CheckContext& ctx, int depth) {
  if (s.find("\\cup") == std::string::npos) return not_this_form();
  std::vector<std::string> parts;
  std::string rest = s;
  for (std::size_t p; (p = rest.find("\\cup")) != std::string::npos; rest = rest.substr(p + 4))
    parts.push_back(trim(rest.substr(0, p)));
  parts.push_back(trim(rest));
  return read_as(read_items(parts, ctx, depth, Unordered{}));
}

std::optional<Value> read_matrix_body(const std::string& s, CheckContext& ctx, int depth) {
  static const std::regex env(
      R"(^\\begin\{(pmatrix|bmatrix|Bmatrix|vmatrix|matrix|smallmatrix|array)\}(\{[^}]*\})?([\s\S]*)\\end\{\1\}$)");
  std::smatch m;
  std::string t = trim(s);
  if (!std::regex_match(t, m, env)) return std::nullopt;
  const std::string body = m[3].str();
  auto split = [](const std::string& text, std::string_view sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
      std::size_t p = text.find(sep, start);
      out.push_back(text.substr(start, p == std::string::npos ? std::string::npos : p - start));
      if (p == std::string::npos) return out;
      start = p + sep.size();
    }
  };
  std::vector<std::string> rows = split(body, "\\\\");
  while (!rows.empty() && trim(rows.back()).empty()) rows.pop_back();
  if (rows.empty() || rows.size() > kMaxListItems) return std::nullopt;
  Matrix matrix;
  for (const auto& row : rows) {
    std::vector<std::string> cells = split(row, "&");
    if (matrix.cols == 0) matrix.cols = cells.size();
    if (cells.size() != matrix.cols || matrix.cols > kMaxListItems) return std::nullopt;
    for (const auto& cell : cells) {
      auto entry = read_value(trim(cell), ctx, depth + 1);
      if (!entry) return std::nullopt;
      matrix.entries.push_back(std::move(*entry));
    }
    ++matrix.rows;
  }
  return Value{std::move(matrix)};
}

// "\begin{pmatrix} ... \end{pmatrix}", possibly inside "\left[ ... \right]".
Reading read_matrix(const std::string& s, CheckContext& ctx, int depth) {
  if (s.starts_with("\\begin")) return read_as(read_matrix_body(s, ctx, depth));
  if ((s.front() == '[' || s.front() == '(') && matching_close(s, 0) == s.size() - 1 &&
      trim(s.substr(1)).starts_with("\\begin"))
    return read_as(read_matrix_body(trim(s.substr(1, s.size() - 2)), ctx, depth));
  return not_this_form();
}

// "1\frac12", "2 \frac{5}{8}", "1 1/2": a whole number plus a fraction.
Reading read_mixed_number(const std::string& s, CheckContext& ctx, int depth) {
  static const std::regex mixed(
      R"(^(-?)(\d+)\s*(?:\\frac\s*(?:\{(\d+)\}|(\d))\s*(?:\{(\d+)\}|(\d))|\s(\d+)/(\d+))$)");
  std::smatch m;
  if (!std::regex_match(s, m, mixed)) return not_this_form();
  std::string num = m[3].matched ? m[3].str() : m[4].matched ? m[4].str() : m[7].str();
  std::string den = m[5].matched ? m[5].str() : m[6].matched ? m[6].str() : m[8].str();
  return read_as(read_value(m[1].str() + "(" + m[2].str() + "+\\frac{" + num + "}{" + den + "})", ctx, depth + 1));
}

// "\{1, 2\}": unordered; "\{\}" is the empty set.
Reading read_braced_set(const std::string& s, CheckContext& ctx, int depth) {
  if (!(s.starts_with("\\{") && s.ends_with("\\}")) || s.size() < 4) return not_this_form();
  auto parts = split_top_level(s.substr(2, s.size() - 4));
  if (parts.empty()) return read_as(word_value("\\varnothing"));
  return read_as(read_items(parts, ctx, depth, Unordered{}));
}

// "{...}": a LaTeX group around the whole answer.
Reading read_group(const std::string& s, CheckContext& ctx, int depth) {
  if (s.front() != '{' || matching_close(s, 0) != s.size() - 1) return not_this_form();
  return read_as(read_value(s.substr(1, s.size() - 2), ctx, depth + 1));
}

// x < 5 is also the interval (-\infty, 5); 2 \le x its [2, \infty).
std::vector<Value> interval_of(const Expression& l, const Expression& r, const std::string& op, CheckContext& ctx) {
  bool var_left = GiNaC::is_a<GiNaC::symbol>(l.expr.value) && !has_symbols(r.expr.value);
  bool var_right = GiNaC::is_a<GiNaC::symbol>(r.expr.value) && !has_symbols(l.expr.value);
  if (!var_left && !var_right) return {};
  const bool strict = op == "<" || op == ">";
  const Expression& bound = var_left ? r : l;
  const bool upper = (op[0] == '<') == var_left;  // x < b or b > x: b bounds from above
  Expression inf;
  inf.expr.value = upper ? -ctx.symbols.get(kInfinityName) : ctx.symbols.get(kInfinityName);
  Ordered iv;
  iv.open = upper ? '(' : (strict ? '(' : '[');
  iv.close = upper ? (strict ? ')' : ']') : ')';
  iv.items = upper ? std::vector<Value>{{inf}, {bound}} : std::vector<Value>{{bound}, {inf}};
  return {Value{std::move(iv)}};
}

// a < x \le b (or descending): the interval, when x is one variable.
Value read_chain(const std::string& s, const std::vector<std::string>& sides, const std::vector<std::string>& ops,
                 CheckContext& ctx) {
  auto lo = read_expression(sides[0], ctx), mid = read_expression(sides[1], ctx), hi = read_expression(sides[2], ctx);
  const bool ascending = ops[0][0] == '<' && ops[1][0] == '<';
  const bool descending = ops[0][0] == '>' && ops[1][0] == '>';
  if (!lo || !mid || !hi || !GiNaC::is_a<GiNaC::symbol>(expression_of(mid)->value) || !(ascending || descending))
    return word_value(s);
  const std::string& op_lo = ascending ? ops[0] : ops[1];
  const std::string& op_hi = ascending ? ops[1] : ops[0];
  Ordered iv;
  iv.open = op_lo == "<=" || op_lo == ">=" ? '[' : '(';
  iv.close = op_hi == "<=" || op_hi == ">=" ? ']' : ')';
  iv.items = ascending ? std::vector<Value>{*lo, *hi} : std::vector<Value>{*hi, *lo};
  return {std::move(iv)};
}

// Equations, labels ("x = 3", "AB:BC = 2:3"), inequalities and chains.
Reading read_relation(const std::string& s, CheckContext& ctx, int depth) {
  std::vector<std::string> sides, ops;
  if (!split_relation(s, sides, ops)) return not_this_form();
  const bool all_eq = std::all_of(ops.begin(), ops.end(), [](const std::string& o) { return o == "="; });
  const bool all_ineq = std::none_of(ops.begin(), ops.end(), [](const std::string& o) { return o == "=" || o == "!="; });
  if (all_eq && ops.size() == 1) {
    auto l = read_expression(sides[0], ctx), r = read_expression(sides[1], ctx);
    std::optional<Value> equation;
    if (l && r) equation = Value{Equation{expression_of(l)->value - expression_of(r)->value}};
    if (is_label(sides[0])) {
      auto rhs = read_value(sides[1], ctx, depth + 1);
      if (!rhs) return unreadable();
      Labelled labelled{label_key(sides[0]), {std::move(*rhs)}, {}};
      if (equation) labelled.as_equation.push_back(std::move(*equation));
      return read_as(Value{std::move(labelled)});
    }
    return read_as(equation ? std::move(equation) : word_value(s));
  }
  // "x = 5 + 6 = 11": a label, working, then the value.
  if (all_eq && ops.size() == 2 && is_label(sides[0])) return read_as(read_value(sides.back(), ctx, depth + 1));
  if (all_ineq && ops.size() == 2) return read_as(read_chain(s, sides, ops, ctx));
  if (all_ineq && ops.size() == 1) {
    auto l = read_expression(sides[0], ctx), r = read_expression(sides[1], ctx);
    if (!l || !r) return read_as(word_value(s));
    const GiNaC::ex& a = expression_of(l)->value;
    const GiNaC::ex& b = expression_of(r)->value;
    Inequality iq;
    iq.strict = ops[0] == "<" || ops[0] == ">";
    iq.lhs_minus_rhs = ops[0][0] == '<' ? a - b : b - a;
    iq.as_interval = interval_of(*l->as<Expression>(), *r->as<Expression>(), ops[0], ctx);
    return read_as(Value{std::move(iq)});
  }
  return read_as(word_value(s));
}

// "C", "(C)", "(C) Cecile", "C. 12", "C) 12", "C: 12".
Reading read_choice_letter(const std::string& s, CheckContext& ctx, int depth) {
  static const std::regex letter(R"(^([A-E])$|^\(([A-E])\)\s*(.*)$|^([A-E])[.):]\s+(.*)$)");
  std::smatch m;
  if (!std::regex_match(s, m, letter)) return not_this_form();
  ChoiceLetter c;
  c.letter = m[1].matched ? m[1].str() : m[2].matched ? m[2].str() : m[4].str();
  c.option_text = trim(m[2].matched ? m[3].str() : m[4].matched ? m[5].str() : std::string());
  if (!c.option_text.empty())
    if (auto option = read_value(c.option_text, ctx, depth + 1)) c.option_value.push_back(std::move(*option));
  return read_as(Value{std::move(c)});
}

// "7:32", "20:34:00" (a clock time after clean-up has turned "2:30 PM" into "14:30").
Reading read_ratio(const std::string& s, CheckContext& ctx, int) {
  if (s.find(':') == std::string::npos) return not_this_form();
  static const std::regex clock(R"(^\d{1,2}\s*:\s*[0-5]\d(\s*:\s*[0-5]\d)?$)");
  Ratio ratio;
  ratio.written_as_clock = std::regex_match(s, clock);
  std::size_t start = 0;
  for (;;) {
    std::size_t p = s.find(':', start);
    auto term = read_expression(trim(s.substr(start, p == std::string::npos ? std::string::npos : p - start)), ctx);
    if (!term || ratio.terms.size() >= kMaxListItems) return read_as(word_value(s));
    ratio.terms.push_back(std::move(*term));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return read_as(Value{std::move(ratio)});
}

// "(a, b]", "[a, b)": a tuple or interval, brackets kept.
Reading read_bracketed(const std::string& s, CheckContext& ctx, int depth) {
  if (!(s.front() == '(' || s.front() == '[') || !(s.back() == ')' || s.back() == ']') || !brackets_enclose(s))
    return not_this_form();
  auto parts = split_top_level(s.substr(1, s.size() - 2));
  if (parts.size() < 2) return not_this_form();
  return read_as(read_items(parts, ctx, depth, Ordered{s.front(), s.back(), {}}));
}

// "\langle a, b \rangle": a vector, as a tuple.
Reading read_angle_tuple(const std::string& s, CheckContext& ctx, int depth) {
  if (!(s.starts_with("\\langle") && s.ends_with("\\rangle")) || s.size() < 14) return not_this_form();
  return read_as(read_items(split_top_level(s.substr(7, s.size() - 14)), ctx, depth, Ordered{}));
}

// "1 \pm \sqrt{5}": both values (too many signs to expand: not read).
Reading read_plus_minus(const std::string& s, CheckContext& ctx, int depth) {
  if (find_command(s, "\\pm") == std::string::npos && find_command(s, "\\mp") == std::string::npos)
    return not_this_form();
  if (expand_pm(s).size() == 1) return unreadable();
  return read_as(read_items({s}, ctx, depth, Unordered{}));
}

// "Even", "odd": letters only, three or more.
Reading read_word(const std::string& s, CheckContext&, int) {
  static const std::regex word(R"(^[A-Za-z][A-Za-z ]{2,}$)");
  if (!std::regex_match(s, word)) return not_this_form();
  return read_as(word_value(s));
}

// Everything else: an expression, else text.
Reading read_expression_or_text(const std::string& s, CheckContext& ctx, int) {
  if (auto e = read_expression(s, ctx)) return read_as(std::move(e));
  return read_as(word_value(s));
}

struct Form {
  const char* name;
  Reading (*read)(const std::string&, CheckContext&, int);
};

// The order matters where one text fits several forms; the outermost structure
// is tried first so that its parts are read by the same table:
// - "\approx", "\in" and set-builder braces wrap a whole answer (possibly a list);
// - a top-level comma/"and"/"or" list comes before anything with brackets or
//   relations, so "x = 1, x = 2" is a list of labelled values, not an equation;
// - unions, matrices, mixed numbers and "\{…\}" sets before the relation reader,
//   whose "=" / "<" splitting would cut them apart;
// - relations before choice letters and ratios: "AB:BC = 2:3" is a label;
// - choice letters before ratios ("C: 12" is an option, not a ratio);
// - ratios before brackets: a colon is never inside a tuple's entries;
// - "\pm" after every form that has its own parts, so each part expands alone;
// - words and expressions last, as the fallback for everything.
constexpr Form kForms[] = {
    {"approximation", read_approximation},
    {"membership", read_membership},
    {"set-builder", read_set_builder},
    {"bare list", read_bare_list},
    {"union", read_union},
    {"matrix", read_matrix},
    {"mixed number", read_mixed_number},
    {"braced set", read_braced_set},
    {"group", read_group},
    {"relation", read_relation},
    {"choice letter", read_choice_letter},
    {"ratio", read_ratio},
    {"bracketed", read_bracketed},
    {"angle tuple", read_angle_tuple},
    {"plus-minus", read_plus_minus},
    {"word", read_word},
    {"expression", read_expression_or_text},
};

std::optional<Value> read_value(const std::string& raw, CheckContext& ctx, int depth) {
  if (depth > kMaxValueDepth) return std::nullopt;
  std::string s = trim(raw);
  if (s.empty()) return std::nullopt;
  for (const Form& form : kForms) {
    Reading r = form.read(s, ctx, depth);
    if (r.matched) return std::move(r.value);
  }
  return word_value(s);
}

}  // namespace

std::vector<Value> read_answer(const std::string& raw, CheckContext& ctx, std::string& cleaned) {
  CleanText ct = clean_answer_text(raw);
  cleaned = ct.text;
  std::vector<std::string> texts{ct.text};
  // "1,000" is a number before it is a list; "1,22" may be a decimal comma or a
  // list of two numbers (both readings are tried). A label may precede either.
  static const std::regex thousands(R"(^([A-Za-z]\s*=\s*)?-?\d{1,3}(,\d{3})+(\.\d+)?$)");
  static const std::regex decimal_comma(R"(^([A-Za-z]\s*=\s*)?-?\d+,(\d{1,2}|\d{4,})$)");
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
    const Expression* e = v->as<Expression>();
    if (ct.percent && e) {
      // 28% is 28 (the number the key states) and 0.28.
      Expression scaled = *e;
      scaled.expr.value = e->expr.value / 100;
      scaled.expr.is_plain_number = false;
      out.push_back(*v);
      out.push_back({std::move(scaled)});
    } else {
      out.push_back(std::move(*v));
    }
  }
  if (out.empty()) out.push_back(word_value(ct.text));
  return out;
}

}  // namespace zaya::problems::detail
