// Size bounds for the answer checker's algebra: GiNaC's expand(), normal() and
// pow() of numbers take time and memory that grow with the size of what they
// produce, and a short answer can ask for a result of any size
// ("(a+b+c+d+e+f+g+h)^{40}" has 63 million terms once expanded,
// "((9^{2000})^{2000})^{2000}" has 7.6 billion digits). Each such call is
// preceded by an estimate of that size, an upper bound computed from the
// expression tree alone, and refused with TooComplex when the bound is over
// budget. Internal to the answer checker.
#pragma once

#include <ginac/ginac.h>

#include <stdexcept>

namespace zaya::problems::detail {

// Thrown when an expression would be too large to simplify or evaluate here.
// A ParseError-like failure: the value is unknown, not wrong.
struct TooComplex : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Largest expansion the checker computes: terms of the numerator or
// denominator, and bits of a coefficient (about 30,000 decimal digits).
inline constexpr double kMaxExpandedTerms = 20000;
inline constexpr double kMaxNumberBits = 100000;

// Upper bounds on the expanded (and normal()-ised) form of an expression.
struct SizeEstimate {
  double terms = 1;            // terms of the numerator or denominator, whichever is larger
  double coefficient_bits = 1; // bits of the largest coefficient
};
SizeEstimate estimate_expanded_size(const GiNaC::ex& e);

// Throws TooComplex when expand() or normal() of `e` could exceed the budget.
void require_simplifiable(const GiNaC::ex& e);

// Throws TooComplex when base^exponent of a number could exceed kMaxNumberBits
// (towers: the base's own size is measured, so each level multiplies).
void require_number_power(const GiNaC::ex& base, const GiNaC::numeric& exponent);

}  // namespace zaya::problems::detail
