// Labels in front of an answer ("x =", "f(x) =", "(p, q) =", "AB:BC =",
// "\frac{AE}{EC} ="): recognising them and deciding whether two name the same
// unknown. Internal to the answer checker.
#pragma once

#include <string>
#include <string_view>

namespace zaya::problems::detail {

// Is `lhs` (the left side of "lhs = value") a label rather than an expression?
// Labels are built from names only: letters with primes or subscripts, a
// function of names, a tuple of names, |AB|, \angle ABC, and ratios or
// quotients of these.
bool is_label(std::string_view lhs);

// The label as compared: spaces, \left/\right and braces dropped.
std::string label_key(std::string_view label);

// Do two labels name the same unknown? The same key, or "y" against a function
// of one variable ("f(x)"): both name the dependent variable of a graph.
bool same_unknown(std::string_view a_key, std::string_view b_key);

}  // namespace zaya::problems::detail
