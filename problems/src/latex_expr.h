// LaTeX (or plain "2*x^2") math expression -> GiNaC expression.
// Internal to the answer checker.
#pragma once

#include <ginac/ginac.h>

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace zaya::problems::detail {

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Symbols by name, shared by both sides of one comparison so that "x" on the
// gold side is the same GiNaC symbol as "x" on the candidate side.
class SymbolTable {
 public:
  GiNaC::ex get(const std::string& name);
  const std::map<std::string, GiNaC::symbol>& all() const { return symbols_; }

 private:
  std::map<std::string, GiNaC::symbol> symbols_;
};

struct ParsedExpr {
  GiNaC::ex value;
  bool has_decimal = false;   // a decimal literal (0.25) appears: compare with tolerance
  bool is_plain_number = false;  // the whole input is one numeric literal
  int decimals = 0;           // digits after the point of that literal
  int significant_digits = 0; // of that literal
};

// Throws ParseError on anything it does not understand or that exceeds the limits
// (input length, nesting depth, exponent and factorial sizes).
ParsedExpr parse_latex_expr(std::string_view text, SymbolTable& symbols);

// Name of the symbol standing for infinity.
inline constexpr const char* kInfinityName = "\\infty";

}  // namespace zaya::problems::detail
