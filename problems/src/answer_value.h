// What an answer is once read: one small type per kind of answer, held in a
// std::variant so that each kind carries only the fields that mean something
// for it. Internal to the answer checker (read_answer.cpp reads text into a
// Value, compare_values.cpp compares two Values).
#pragma once

#include <ginac/ginac.h>

#include <string>
#include <variant>
#include <vector>

#include "expr_budget.h"
#include "latex_expr.h"

namespace zaya::problems::detail {

struct Value;

// A number or an algebraic expression ("\frac{1}{3}", "2x+1").
struct Expression {
  ParsedExpr expr;
};

// A word or symbol compared as text: lower case, spaces and braces dropped.
struct Word {
  std::string text;
};

// Brackets that keep their order: a tuple "(1, 2)" or an interval "[0, 1)".
struct Ordered {
  char open = '(', close = ')';
  std::vector<Value> items;
};

// A bare list "1, 2, 3", a set "\{1, 2\}", a union or the two signs of "\pm":
// order does not matter and a repeated element counts once.
struct Unordered {
  std::vector<Value> items;
};

struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<Value> entries;  // row-major
};

// lhs = rhs, kept as lhs - rhs = 0.
struct Equation {
  GiNaC::ex difference;
};

// e < 0 (strict) or e <= 0.
struct Inequality {
  GiNaC::ex lhs_minus_rhs;
  bool strict = false;
  // In one variable against numbers: the same set as an interval (empty otherwise).
  std::vector<Value> as_interval;
};

// "x = 3", "f(x) = 2x+1", "AB:BC = 2:3": a name and its value.
struct Labelled {
  std::string label;              // as written, spaces dropped
  std::vector<Value> value;       // exactly one
  std::vector<Value> as_equation; // the whole "label = value" as an equation, when it reads as one
};

// A multiple-choice letter, possibly followed by the option's text: "(C) 12".
struct ChoiceLetter {
  std::string letter;       // "C"
  std::string option_text;  // "12", empty when only the letter is given
  std::vector<Value> option_value;  // the option's text read as an answer, when given
};

// "2:3", "7:32", "20:34:00" (clock times in 24-hour form read as ratios too).
struct Ratio {
  std::vector<Value> terms;
  // Written h:mm or h:mm:ss ("12:30"): a time, so never read as the quotient 0.4.
  bool written_as_clock = false;
};

using ValueKind =
    std::variant<Expression, Word, Ordered, Unordered, Matrix, Equation, Inequality, Labelled, ChoiceLetter, Ratio>;

struct Value {
  ValueKind kind;

  template <typename T>
  const T* as() const {
    return std::get_if<T>(&kind);
  }
  template <typename T>
  bool is() const {
    return std::holds_alternative<T>(kind);
  }
};

// Both sides of one comparison share the symbols ("x" on each side is the same
// GiNaC symbol) and the tolerance.
struct CheckContext {
  SymbolTable symbols;
  double relative_tolerance = 1e-5;
  // Set when a reading was refused as too large to compute (expr_budget.h).
  bool too_complex = false;
};

inline constexpr std::size_t kMaxListItems = 64;
inline constexpr int kMaxValueDepth = 8;

// Readings of a whole answer (read_answer.cpp): usually one; a percent value or
// an ambiguous comma ("1,000" as a number or a list) give more. Never empty.
// `cleaned` receives the text after clean-up.
std::vector<Value> read_answer(const std::string& raw, CheckContext& ctx, std::string& cleaned);

// The outcome of comparing the key with a candidate (compare_values.cpp): the
// reason is written for the student.
struct Comparison {
  bool equal = false;
  std::string reason;
};
Comparison compare_values(const Value& gold, const Value& candidate, const CheckContext& ctx);

// Whether `e` contains a variable (compare_values.cpp).
bool has_symbols(const GiNaC::ex& e);

// What kind of answer a value is, in the student's words ("an interval").
std::string describe_kind(const Value& v);

}  // namespace zaya::problems::detail
