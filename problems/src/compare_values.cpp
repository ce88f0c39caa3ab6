// Comparing the key's Value with the candidate's (answer_value.h). The key
// comes first: some rules depend on which side is the key (a tuple key keeps
// its order against a bare list; a list key takes a tuple in any order).
// Reasons are written for the student, about their answer.
#include <algorithm>
#include <cmath>
#include <complex>
#include <optional>
#include <random>

#include "answer_label.h"
#include "answer_value.h"

namespace zaya::problems::detail {

using GiNaC::ex;

bool has_symbols(const ex& e) {
  for (GiNaC::const_preorder_iterator it = e.preorder_begin(); it != e.preorder_end(); ++it)
    if (GiNaC::is_a<GiNaC::symbol>(*it)) return true;
  return false;
}

namespace {

Comparison same(std::string reason) { return {true, std::move(reason)}; }
Comparison differs(std::string reason) { return {false, std::move(reason)}; }

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

// Values at fixed pseudo-random points for the symbols of a and b: the number
// of points where both were finite and agreed, or -1 when they disagreed.
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

// Built from rational numbers and variables by +, *, and integer powers
// (no roots, functions or constants such as pi).
bool is_rational_function(const ex& e) {
  if (GiNaC::is_a<GiNaC::numeric>(e)) return GiNaC::ex_to<GiNaC::numeric>(e).is_rational();
  if (GiNaC::is_a<GiNaC::symbol>(e)) return GiNaC::ex_to<GiNaC::symbol>(e).get_name() != kInfinityName;
  if (GiNaC::is_a<GiNaC::power>(e))
    return GiNaC::is_a<GiNaC::numeric>(e.op(1)) && GiNaC::ex_to<GiNaC::numeric>(e.op(1)).is_integer() &&
           is_rational_function(e.op(0));
  if (GiNaC::is_a<GiNaC::add>(e) || GiNaC::is_a<GiNaC::mul>(e))
    return std::all_of(e.begin(), e.end(), [](const ex& op) { return is_rational_function(op); });
  return false;
}

bool contains_infinity(const ex& e) {
  for (GiNaC::const_preorder_iterator it = e.preorder_begin(); it != e.preorder_end(); ++it)
    if (GiNaC::is_a<GiNaC::symbol>(*it) && GiNaC::ex_to<GiNaC::symbol>(*it).get_name() == kInfinityName) return true;
  return false;
}

Comparison compare_numbers(const ParsedExpr& a, const ParsedExpr& b, const CheckContext& ctx) {
  ex diff = a.value - b.value;
  if (!a.has_decimal && !b.has_decimal) {
    require_simplifiable(diff);
    if (GiNaC::normal(diff).is_zero()) return same("Your answer has the same value as the answer.");
    auto va = to_complex(a.value), vb = to_complex(b.value);
    if (va && vb && close_enough(*va, *vb, 1e-11)) return same("Your answer has the same value as the answer.");
    return differs("Your answer has a different value.");
  }
  auto va = to_complex(a.value), vb = to_complex(b.value);
  if (!va || !vb) return differs("Your answer is not a finite number.");
  if (close_enough(*va, *vb, ctx.relative_tolerance)) return same("Your decimal matches the answer's value.");
  // A decimal rounded or truncated to its last digit against an exact,
  // non-terminating value (1.732 for sqrt 3, 2.6667 for 8/3).
  for (int side = 0; side < 2; ++side) {
    const ParsedExpr& dec = side == 0 ? a : b;
    const ParsedExpr& exact = side == 0 ? b : a;
    if (!dec.is_plain_number || dec.decimals == 0 || dec.significant_digits < 3) continue;
    if (exact.has_decimal || is_terminating_rational(exact.value)) continue;
    if (std::abs(*va - *vb) <= std::pow(10.0, -dec.decimals)) return same("Your decimal is the answer's value rounded.");
  }
  return differs("Your answer has a different value.");
}

Comparison compare_expressions(const ParsedExpr& a, const ParsedExpr& b, const CheckContext& ctx) {
  try {
    ex diff = a.value - b.value;
    if (contains_infinity(a.value) || contains_infinity(b.value)) {
      require_simplifiable(diff);
      return GiNaC::normal(diff).is_zero() ? same("Your answer has the same value as the answer.")
                                           : differs("Your answer has a different value.");
    }
    if (!has_symbols(a.value) && !has_symbols(b.value)) return compare_numbers(a, b, ctx);
    GiNaC::exset sa, sb;
    collect_symbols(a.value, sa);
    collect_symbols(b.value, sb);
    if (sa != sb) {
      // Different variables can still be the same function (\sin^2 x + \cos^2 x
      // and 1): the values at a few points decide first, which costs little
      // whatever the size; only when they cannot, the exact form, if small enough.
      const int agreed = spot_check(a.value, b.value, 1e-9);
      if (agreed >= 3) return same("Your expression is equal to the answer.");
      if (agreed < 0) return differs("Your answer uses different variables from the answer.");
      require_simplifiable(diff);
      if (GiNaC::normal(diff).is_zero()) return same("Your expression is equal to the answer.");
      return differs("Your answer uses different variables from the answer.");
    }
    const bool exact = !a.has_decimal && !b.has_decimal;
    double rel = exact ? 1e-9 : ctx.relative_tolerance;
    bool small_enough = true;
    try {
      require_simplifiable(diff);
    } catch (const TooComplex&) {
      small_enough = false;
    }
    if (small_enough) {
      const ex simplified = GiNaC::normal(GiNaC::expand(diff));
      if (simplified.is_zero()) return same("Your expression is equal to the answer.");
      // normal() is exact on rational functions: a nonzero one means the two
      // differ, however close their values are at the test points
      // ((a+b)^{20} + 1 against (a+b)^{20}).
      if (exact && is_rational_function(simplified)) return differs("Your expression is not equal to the answer.");
    }
    // Too large to simplify: values that agree at a few points to 1e-9 prove
    // little when they are as large as (a+b+...)^{40}, so no verdict.
    if (!small_enough) throw TooComplex("expression too large to simplify");
    int agreed = spot_check(a.value, b.value, rel);
    if (agreed >= 3) return same("Your expression is equal to the answer.");
    return differs(agreed < 0 ? "Your expression is not equal to the answer."
                              : "Your expression could not be compared with the answer.");
  } catch (const TooComplex&) {
    throw;
  } catch (const std::exception&) {
    return differs("Your expression could not be compared with the answer.");
  }
}

// e1 = k e2 for a constant k (positive when `positive_only`).
bool proportional(const ex& e1, const ex& e2, bool positive_only) {
  try {
    if (e1.is_zero() || e2.is_zero()) return e1.is_zero() && e2.is_zero();
    bool small_enough = true;
    try {
      require_simplifiable(e1 / e2);
    } catch (const TooComplex&) {
      small_enough = false;
    }
    if (small_enough) {
      ex q = GiNaC::normal(e1 / e2);
      if (!has_symbols(q)) {
        auto v = to_complex(q);
        if (!v || std::abs(v->imag()) > 1e-12 || std::abs(v->real()) < 1e-300) return false;
        return !positive_only || v->real() > 0;
      }
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
    if (!ratio || agreed < 3) {
      if (!small_enough) throw TooComplex("expression too large to simplify");
      return false;
    }
    return !positive_only || (ratio->real() > 0 && std::abs(ratio->imag()) < 1e-12);
  } catch (const TooComplex&) {
    throw;
  } catch (const std::exception&) {
    return false;
  }
}

Comparison compare(const Value& gold, const Value& cand, const CheckContext& ctx, int depth);

Comparison compare_in_order(const std::vector<Value>& gold, const std::vector<Value>& cand, const CheckContext& ctx,
                            int depth) {
  if (gold.size() != cand.size())
    return differs("Your answer has " + std::to_string(cand.size()) + " entries; the answer has " +
                   std::to_string(gold.size()) + ".");
  for (std::size_t i = 0; i < gold.size(); ++i)
    if (!compare(gold[i], cand[i], ctx, depth + 1).equal)
      return differs("Entry " + std::to_string(i + 1) + " of your answer is not the answer's (the order matters).");
  return same("Your answer has the same entries in the same order.");
}

// As sets: every element of each side equals an element of the other, so a
// repeated element counts once ("1, 1, 2" = "1, 2").
Comparison compare_as_sets(const std::vector<Value>& gold, const std::vector<Value>& cand, const CheckContext& ctx,
                           int depth) {
  std::vector<bool> cand_matched(cand.size(), false);
  for (const auto& g : gold) {
    bool found = false;
    for (std::size_t j = 0; j < cand.size(); ++j) {
      if (compare(g, cand[j], ctx, depth + 1).equal) {
        cand_matched[j] = true;
        found = true;
        break;
      }
    }
    if (!found) return differs("Your answer is missing a value of the answer.");
  }
  for (std::size_t j = 0; j < cand.size(); ++j) {
    if (cand_matched[j]) continue;
    bool found = std::any_of(gold.begin(), gold.end(),
                             [&](const Value& g) { return compare(g, cand[j], ctx, depth + 1).equal; });
    if (!found) return differs("Your answer has a value that is not in the answer.");
  }
  return same("Your answer has the same values (the order does not matter).");
}

Comparison kinds_differ(const Value& gold, const Value& cand) {
  return differs("Your answer is " + describe_kind(cand) + "; the answer is " + describe_kind(gold) + ".");
}

Comparison compare_labelled(const Value& gold, const Value& cand, const CheckContext& ctx, int depth) {
  const Labelled* lg = gold.as<Labelled>();
  const Labelled* lc = cand.as<Labelled>();
  if (lg && lc) {
    const bool same_name = same_unknown(lg->label, lc->label);
    if (same_name) {
      Comparison c = compare(lg->value.front(), lc->value.front(), ctx, depth + 1);
      if (c.equal) return c;
    }
    // "y = 2x" and "x = y/2" are one equation under two labels.
    if (!lg->as_equation.empty() && !lc->as_equation.empty() &&
        compare(lg->as_equation.front(), lc->as_equation.front(), ctx, depth + 1).equal)
      return same("Your equation is equivalent to the answer.");
    if (!same_name) return differs("Your answer gives " + lc->label + "; the question asks for " + lg->label + ".");
    return compare(lg->value.front(), lc->value.front(), ctx, depth + 1);
  }
  const Labelled& l = lg ? *lg : *lc;
  const Value& other = lg ? cand : gold;
  if (other.is<Equation>()) {
    if (l.as_equation.empty()) return differs(lg ? "Your answer is an equation; the answer is a value." :
                                                   "Your answer is a value; the answer is an equation.");
    return lg ? compare(l.as_equation.front(), other, ctx, depth + 1) : compare(other, l.as_equation.front(), ctx, depth + 1);
  }
  return lg ? compare(l.value.front(), other, ctx, depth + 1) : compare(other, l.value.front(), ctx, depth + 1);
}

Comparison compare_choice(const Value& gold, const Value& cand, const CheckContext& ctx, int depth) {
  const ChoiceLetter* cg = gold.as<ChoiceLetter>();
  const ChoiceLetter* cc = cand.as<ChoiceLetter>();
  if (cg && cc) {
    if (cg->letter != cc->letter) return differs("You chose " + cc->letter + "; the answer is " + cg->letter + ".");
    // The right letter with another option's text is a contradiction, not the answer.
    if (!cg->option_value.empty() && !cc->option_value.empty() &&
        !compare(cg->option_value.front(), cc->option_value.front(), ctx, depth + 1).equal)
      return differs("Your letter is right but the text after it is not the answer's option.");
    return same("You chose the right option.");
  }
  const ChoiceLetter& c = cg ? *cg : *cc;
  const Value& other = cg ? cand : gold;
  // The option's text alone, when the letter comes with it: "(C) 12" and "12".
  if (!c.option_value.empty()) {
    Comparison r = cg ? compare(c.option_value.front(), other, ctx, depth + 1)
                      : compare(other, c.option_value.front(), ctx, depth + 1);
    if (r.equal) return same("Your answer is the text of the right option.");
    return r;
  }
  // A single capital letter may be a variable.
  if (const Expression* e = other.as<Expression>()) {
    if (GiNaC::is_a<GiNaC::symbol>(e->expr.value) && GiNaC::ex_to<GiNaC::symbol>(e->expr.value).get_name() == c.letter)
      return same("Your answer is the same letter.");
  }
  return kinds_differ(gold, cand);
}

// A tuple key keeps its order against a bare list or set; a list or set key
// takes the values in any order, bracketed as a tuple or not, unless its
// values are labelled with different names.
Comparison compare_lists(const Value& gold, const Value& cand, const CheckContext& ctx, int depth) {
  const Unordered* ug = gold.as<Unordered>();
  const Unordered* uc = cand.as<Unordered>();
  if (ug && uc) return compare_as_sets(ug->items, uc->items, ctx, depth);
  const Unordered& u = ug ? *ug : *uc;
  const Value& other = ug ? cand : gold;
  if (const Ordered* o = other.as<Ordered>(); o && o->open == '(' && o->close == ')') {
    // "x = 1, y = 2" names each coordinate: against a tuple it keeps its order.
    const bool named = std::any_of(u.items.begin(), u.items.end(), [](const Value& v) { return v.is<Labelled>(); });
    if (ug && !named) return compare_as_sets(ug->items, o->items, ctx, depth);
    return ug ? compare_in_order(ug->items, o->items, ctx, depth) : compare_in_order(o->items, uc->items, ctx, depth);
  }
  if (u.items.size() == 1) return ug ? compare(u.items.front(), cand, ctx, depth + 1) : compare(gold, u.items.front(), ctx, depth + 1);
  return kinds_differ(gold, cand);
}

Comparison compare_matrices(const Value& gold, const Value& cand, const CheckContext& ctx, int depth) {
  const Matrix* mg = gold.as<Matrix>();
  const Matrix* mc = cand.as<Matrix>();
  if (mg && mc) {
    if (mg->rows != mc->rows || mg->cols != mc->cols) return differs("Your matrix has a different size from the answer.");
    return compare_in_order(mg->entries, mc->entries, ctx, depth).equal
               ? same("Your matrix has the same entries.")
               : differs("An entry of your matrix is not the answer's.");
  }
  const Matrix& m = mg ? *mg : *mc;
  const Value& other = mg ? cand : gold;
  if (const Ordered* o = other.as<Ordered>(); o && (m.rows == 1 || m.cols == 1))
    return compare_in_order(m.entries, o->items, ctx, depth).equal ? same("Your vector has the same entries.")
                                                                  : differs("An entry of your vector is not the answer's.");
  return kinds_differ(gold, cand);
}

Comparison compare_ratios(const Ratio& gold, const Ratio& cand, const CheckContext& ctx, int depth) {
  std::vector<Value> x = gold.terms, y = cand.terms;
  // Clock times: 20:34 = 20:34:00.
  auto zero = [](const Value& v) {
    const Expression* e = v.as<Expression>();
    return e && e->expr.value.is_zero();
  };
  while (x.size() > y.size() && zero(x.back())) x.pop_back();
  while (y.size() > x.size() && zero(y.back())) y.pop_back();
  return compare_in_order(x, y, ctx, depth).equal ? same("Your ratio is the answer's.")
                                                  : differs("Your ratio or time is not the answer's.");
}

// A ratio of two terms against a number: its quotient (2:3 and 2/3).
Comparison compare_quotient(const Ratio& ratio, const Value& number, bool ratio_is_gold, const CheckContext& ctx) {
  const Expression* a = ratio.terms.size() == 2 ? ratio.terms[0].as<Expression>() : nullptr;
  const Expression* b = ratio.terms.size() == 2 ? ratio.terms[1].as<Expression>() : nullptr;
  if (!a || !b || b->expr.value.is_zero() || ratio.written_as_clock) return ratio_is_gold ? kinds_differ(Value{ratio}, number) : kinds_differ(number, Value{ratio});
  ParsedExpr quotient = a->expr;
  quotient.value = a->expr.value / b->expr.value;
  quotient.has_decimal = a->expr.has_decimal || b->expr.has_decimal;
  quotient.is_plain_number = false;
  const ParsedExpr& n = number.as<Expression>()->expr;
  Comparison c = ratio_is_gold ? compare_expressions(quotient, n, ctx) : compare_expressions(n, quotient, ctx);
  if (c.equal) return same("Your answer is the ratio's value.");
  return differs(ratio_is_gold ? "Your answer is not the value of the answer's ratio." : "Your ratio's value is not the answer.");
}

Comparison compare(const Value& gold, const Value& cand, const CheckContext& ctx, int depth) {
  if (depth > 2 * kMaxValueDepth) return differs("Your answer is too deeply nested to check.");
  if (gold.is<Labelled>() || cand.is<Labelled>()) return compare_labelled(gold, cand, ctx, depth);
  if (gold.is<ChoiceLetter>() || cand.is<ChoiceLetter>()) return compare_choice(gold, cand, ctx, depth);
  if (gold.is<Unordered>() || cand.is<Unordered>()) return compare_lists(gold, cand, ctx, depth);
  if (gold.is<Matrix>() || cand.is<Matrix>()) return compare_matrices(gold, cand, ctx, depth);
  // An inequality in one variable against an interval: as intervals.
  if (const Inequality* i = gold.as<Inequality>(); i && cand.is<Ordered>() && !i->as_interval.empty())
    return compare(i->as_interval.front(), cand, ctx, depth + 1);
  if (const Inequality* i = cand.as<Inequality>(); i && gold.is<Ordered>() && !i->as_interval.empty())
    return compare(gold, i->as_interval.front(), ctx, depth + 1);
  if (const Ratio* r = gold.as<Ratio>(); r && cand.is<Expression>()) return compare_quotient(*r, cand, true, ctx);
  if (const Ratio* r = cand.as<Ratio>(); r && gold.is<Expression>()) return compare_quotient(*r, gold, false, ctx);
  if (gold.kind.index() != cand.kind.index()) return kinds_differ(gold, cand);
  if (const Expression* e = gold.as<Expression>()) return compare_expressions(e->expr, cand.as<Expression>()->expr, ctx);
  if (const Word* w = gold.as<Word>())
    return w->text == cand.as<Word>()->text ? same("Your answer is the same word.") : differs("Your answer is a different word.");
  if (const Ordered* o = gold.as<Ordered>()) {
    const Ordered& c = *cand.as<Ordered>();
    if (o->open != c.open || o->close != c.close)
      return differs("Your brackets differ from the answer's: check which ends are included.");
    return compare_in_order(o->items, c.items, ctx, depth);
  }
  if (const Ratio* r = gold.as<Ratio>()) return compare_ratios(*r, *cand.as<Ratio>(), ctx, depth);
  if (const Equation* e = gold.as<Equation>())
    return proportional(e->difference, cand.as<Equation>()->difference, false)
               ? same("Your equation is equivalent to the answer.")
               : differs("Your equation is not equivalent to the answer.");
  if (const Inequality* i = gold.as<Inequality>()) {
    const Inequality& c = *cand.as<Inequality>();
    if (i->strict != c.strict) return differs(i->strict ? "Your inequality includes the boundary; the answer's does not."
                                                         : "Your inequality leaves out the boundary; the answer's includes it.");
    return proportional(i->lhs_minus_rhs, c.lhs_minus_rhs, true) ? same("Your inequality is equivalent to the answer.")
                                                                  : differs("Your inequality is not equivalent to the answer.");
  }
  return differs("Your answer is not the answer.");
}

}  // namespace

std::string describe_kind(const Value& v) {
  if (const Expression* e = v.as<Expression>())
    return has_symbols(e->expr.value) && !contains_infinity(e->expr.value) ? "an expression" : "a single number";
  if (v.is<Word>()) return "a word";
  if (const Ordered* o = v.as<Ordered>()) {
    bool infinite = std::any_of(o->items.begin(), o->items.end(), [](const Value& x) {
      const Expression* e = x.as<Expression>();
      return e && contains_infinity(e->expr.value);
    });
    const bool mixed_brackets = (o->open == '(') != (o->close == ')');
    if (infinite || mixed_brackets) return "an interval";
    if (o->open == '[') return o->items.size() == 2 ? "an interval" : "a list in brackets";
    return o->items.size() == 2 ? "an ordered pair" : "an ordered list of values";
  }
  if (v.is<Unordered>()) return "a list of values";
  if (v.is<Matrix>()) return "a matrix";
  if (v.is<Equation>()) return "an equation";
  if (v.is<Inequality>()) return "an inequality";
  if (const Labelled* l = v.as<Labelled>()) return describe_kind(l->value.front());
  if (v.is<ChoiceLetter>()) return "a choice letter";
  return "a ratio or a time";
}

Comparison compare_values(const Value& gold, const Value& candidate, const CheckContext& ctx) {
  return compare(gold, candidate, ctx, 0);
}

}  // namespace zaya::problems::detail
