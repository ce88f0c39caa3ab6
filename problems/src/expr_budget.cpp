// Upper bounds on the size of an expanded expression (expr_budget.h). The
// bounds follow how expand() and normal() build their result: a product's
// terms multiply, a sum of fractions is put over the product of the
// denominators, and t terms raised to the power k give at most
// C(t + k - 1, k) terms (the monomials of degree k in t unknowns), each
// coefficient at most k times as long as the base's plus the multinomial factor.
#include "expr_budget.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace zaya::problems::detail {

namespace {

using GiNaC::ex;

constexpr double kHuge = std::numeric_limits<double>::infinity();

// Numerator and denominator of a normal() form, and the largest coefficient.
struct Shape {
  double num_terms = 1;
  double den_terms = 1;
  double bits = 1;
};

double bits_of(const GiNaC::numeric& n) {
  if (!n.is_rational()) {
    if (!n.is_real()) return std::max(bits_of(n.real()), bits_of(n.imag()));
    return 64;  // a float stays a float
  }
  if (n.is_zero()) return 1;
  double numer = static_cast<double>(GiNaC::abs(n.numer()).int_length());
  double denom = static_cast<double>(n.denom().int_length());
  return std::max({numer, denom, 1.0});
}

bool is_float_number(const ex& e) {
  if (!GiNaC::is_a<GiNaC::numeric>(e)) return false;
  const auto& n = GiNaC::ex_to<GiNaC::numeric>(e);
  return !n.real().is_rational() || !n.imag().is_rational();
}

// Monomials of degree k in t terms: C(t + k - 1, k), in floating point so that
// it saturates to infinity instead of overflowing.
double power_terms(double t, double k) {
  if (t <= 1 || k <= 0) return 1;
  if (!std::isfinite(t) || !std::isfinite(k)) return kHuge;
  double log_c = std::lgamma(t + k) - std::lgamma(k + 1) - std::lgamma(t);
  return log_c > 700 ? kHuge : std::max(1.0, std::round(std::exp(log_c)));
}

class Estimator {
 public:
  SizeEstimate result(const ex& e) {
    Shape s = shape(e);
    return {std::max({s.num_terms, s.den_terms, worst_.terms}), std::max(s.bits, worst_.coefficient_bits)};
  }

 private:
  // What normal() does inside a function argument or under a non-integer
  // power is a separate problem of its own size: remember the largest.
  Shape atom_over(const ex& inner, double bits) {
    Shape s = shape(inner);
    worst_.terms = std::max({worst_.terms, s.num_terms, s.den_terms});
    worst_.coefficient_bits = std::max(worst_.coefficient_bits, s.bits);
    return {1, 1, bits};
  }

  Shape shape(const ex& e) {
    if (GiNaC::is_a<GiNaC::numeric>(e)) return {1, 1, bits_of(GiNaC::ex_to<GiNaC::numeric>(e))};
    if (GiNaC::is_a<GiNaC::symbol>(e) || GiNaC::is_a<GiNaC::constant>(e)) return {1, 1, 1};
    if (GiNaC::is_a<GiNaC::add>(e)) {
      std::vector<Shape> parts;
      double den = 1, max_bits = 1, sum_bits = 0;
      for (const auto& op : e) {
        parts.push_back(shape(op));
        den *= parts.back().den_terms;
        max_bits = std::max(max_bits, parts.back().bits);
        sum_bits += parts.back().bits;
      }
      double num = 0;
      for (const auto& p : parts) num += p.num_terms * (den / p.den_terms);
      // Over a common denominator the coefficients multiply; without one they only add.
      double bits = den > 1 ? sum_bits : max_bits + std::log2(static_cast<double>(parts.size()));
      return {num, den, bits};
    }
    if (GiNaC::is_a<GiNaC::mul>(e)) {
      Shape s{1, 1, 0};
      for (const auto& op : e) {
        Shape p = shape(op);
        s.num_terms *= p.num_terms;
        s.den_terms *= p.den_terms;
        s.bits += p.bits + std::log2(std::max(p.num_terms, 1.0));
      }
      s.bits = std::max(s.bits, 1.0);
      return s;
    }
    if (GiNaC::is_a<GiNaC::power>(e)) {
      const ex base = e.op(0), exponent = e.op(1);
      if (!GiNaC::is_a<GiNaC::numeric>(exponent) || !GiNaC::ex_to<GiNaC::numeric>(exponent).is_rational())
        return atom_over(base, 64);
      const auto& n = GiNaC::ex_to<GiNaC::numeric>(exponent);
      if (is_float_number(base)) return {1, 1, 64};
      Shape b = shape(base);
      const double k = GiNaC::abs(n.numer()).to_double();
      if (!n.is_integer()) {
        // A root stays a power: an atom whose base is simplified on its own.
        worst_.terms = std::max({worst_.terms, b.num_terms, b.den_terms});
        worst_.coefficient_bits = std::max(worst_.coefficient_bits, b.bits);
        return {1, 1, b.bits * k};
      }
      Shape p{power_terms(b.num_terms, k), power_terms(b.den_terms, k),
              k * (b.bits + std::log2(std::max({b.num_terms, b.den_terms, 1.0})))};
      if (n.is_negative()) std::swap(p.num_terms, p.den_terms);
      return p;
    }
    // A function (sin, log, ...) or anything else: an atom over its arguments.
    Shape s{1, 1, 1};
    for (const auto& op : e) {
      Shape a = atom_over(op, 1);
      s.bits = std::max(s.bits, a.bits);
    }
    return s;
  }

  SizeEstimate worst_{1, 1};
};

}  // namespace

SizeEstimate estimate_expanded_size(const ex& e) { return Estimator().result(e); }

void require_simplifiable(const ex& e) {
  SizeEstimate s = estimate_expanded_size(e);
  // Memory grows with terms times digits as well as with each alone.
  if (s.terms > kMaxExpandedTerms || s.coefficient_bits > kMaxNumberBits ||
      s.terms * std::max(s.coefficient_bits, 64.0) > kMaxExpandedTerms * 64.0 * 100)
    throw TooComplex("expression too large to simplify");
}

void require_number_power(const ex& base, const GiNaC::numeric& exponent) {
  if (!exponent.is_rational() || is_float_number(base)) return;
  double base_bits = estimate_expanded_size(base).coefficient_bits;
  if (base_bits * GiNaC::abs(exponent.numer()).to_double() > kMaxNumberBits)
    throw TooComplex("number too large");
}

}  // namespace zaya::problems::detail
