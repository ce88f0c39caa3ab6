// Keyword rules, one table per topic. A keyword adds its weight once per
// problem when it occurs (case-insensitive) in the statement. Ties and
// problems with no cue go to Prealgebra (plain arithmetic).
#include "zaya/problems/topic_tagger.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace zaya::problems {

namespace {

struct Rule {
  const char* keyword;
  double weight;
};

const Rule kPrealgebra[] = {
    {"percent", 1.5}, {"\\%", 1.5}, {"average", 1.0}, {"mean", 0.8}, {"median", 1.5}, {"mode", 0.5},
    {"round", 1.2}, {"nearest", 1.0}, {"dollars", 0.8}, {"cents", 1.0}, {"price", 0.8}, {"cost", 0.6},
    {"decimal", 1.0}, {"fraction", 0.6}, {"simplify", 0.4}, {"minutes", 0.6}, {"hours", 0.5}, {"inches", 0.6},
    {"feet", 0.5}, {"ratio", 0.6}, {"miles", 0.5}, {"pounds", 0.6}, {"students", 0.6}, {"mixed number", 1.5},
    {"how many more", 0.8}, {"scored", 0.8}, {"times as many", 0.8}, {"\\times", 0.5}, {"\\div", 1.0},
    {"perimeter", 0.6}, {"whole number", 0.8}, {"sale", 0.8}, {"discount", 1.0}, {"buys", 0.6}, {"spends", 0.6}};
const Rule kAlgebra[] = {
    {"slope", 2.0}, {"line", 0.6}, {"linear", 1.2}, {"quadratic", 1.2}, {"solve for", 1.2}, {"equation", 0.6},
    {"system", 0.6}, {"intercept", 1.5}, {"midpoint", 1.2}, {"distance between", 0.8}, {"domain", 1.0},
    {"range", 0.6}, {"f(x)", 0.8}, {"g(x)", 0.8}, {"f^{-1}", 1.5}, {"inverse", 0.8}, {"evaluate", 0.8},
    {"expand", 0.8}, {"factor the expression", 1.0}, {"arithmetic sequence", 1.5}, {"geometric sequence", 1.0},
    {"rationalize", 1.5}, {"\\sqrt", 0.3}, {"^2", 0.4}, {"x^2", 0.6}, {"exponent", 0.6}, {"vertex", 0.8},
    {"parabola", 0.5}, {"interest", 1.2}, {"compounded", 1.5}, {"x =", 0.3}, {"value of $x", 0.8},
    {"value of x", 0.8}, {"consecutive", 0.3}, {"sum of the solutions", 0.8}, {"product of the solutions", 0.8}};
const Rule kNumberTheory[] = {
    {"prime", 1.5}, {"divisor", 2.0}, {"divisible", 1.8}, {"remainder", 1.8}, {"modulo", 2.5}, {"\\pmod", 2.5},
    {"mod ", 1.5}, {"\\equiv", 2.0}, {"greatest common", 2.0}, {"gcd", 2.0}, {"least common multiple", 2.0},
    {"lcm", 2.0}, {"factors", 0.8}, {"multiple of", 1.0}, {"base ", 1.8}, {"_{", 0.2}, {"digit", 1.2},
    {"units digit", 1.5}, {"integer", 0.5}, {"positive integers", 0.6}, {"relatively prime", 2.0},
    {"perfect square", 0.8}, {"perfect cube", 0.8}, {"terminating decimal", 1.8}, {"repeating decimal", 1.5},
    {"congruen", 1.5}, {"inverse modulo", 2.0}, {"odd", 0.4}, {"even", 0.3}, {"factorial", 0.5}};
const Rule kCounting[] = {
    {"probability", 3.0}, {"how many ways", 2.5}, {"in how many", 2.0}, {"arrange", 1.8}, {"arrangement", 1.8},
    {"choose", 1.2}, {"committee", 2.0}, {"dice", 2.0}, {"die ", 1.5}, {"coin", 1.5}, {"cards", 1.5},
    {"deck", 1.5}, {"random", 1.8}, {"expected value", 2.5}, {"permutation", 2.0}, {"combination", 1.5},
    {"\\binom", 1.5}, {"distinguishable", 2.0}, {"indistinguishable", 2.0}, {"selected", 1.0}, {"chosen", 1.0},
    {"marbles", 1.5}, {"how many different", 1.5}, {"pascal", 2.5}, {"outcomes", 1.5}, {"flip", 1.2},
    {"spinner", 2.0}, {"at least one", 0.8}, {"how many distinct", 1.2}, {"paths", 1.0}, {"!", 0.6},
    {"tournament", 1.0}, {"handshake", 2.0}, {"lists", 0.6}, {"sequences of", 0.8}};
const Rule kGeometry[] = {
    {"triangle", 2.0}, {"circle", 1.6}, {"angle", 1.2}, {"\\angle", 1.8}, {"\\triangle", 2.0}, {"polygon", 1.5},
    {"radius", 1.4}, {"diameter", 1.5}, {"circumference", 1.5}, {"rectangle", 1.0}, {"square", 0.5},
    {"parallel", 1.2}, {"perpendicular", 1.0}, {"hexagon", 1.8}, {"pentagon", 1.8}, {"octagon", 1.8},
    {"trapezoid", 2.0}, {"isosceles", 1.8}, {"equilateral", 1.5}, {"hypotenuse", 1.5}, {"right angle", 1.5},
    {"cube", 0.8}, {"sphere", 1.5}, {"cylinder", 1.8}, {"cone", 1.8}, {"pyramid", 1.8}, {"prism", 1.8},
    {"volume", 1.2}, {"area", 1.0}, {"inscribed", 1.5}, {"circumscribed", 1.5}, {"chord", 1.8}, {"arc", 1.0},
    {"[asy]", 1.5}, {"^\\circ", 1.0}, {"degrees", 0.8}, {"overline", 1.5}, {"segment", 1.2}, {"quadrilateral", 1.8},
    {"rhombus", 2.0}, {"parallelogram", 2.0}, {"similar", 0.8}, {"congruent", 0.4}, {"tangent to", 1.2},
    {"vertices", 0.6}, {"diagonal", 1.0}, {"sector", 1.5}, {"legs", 1.0}, {"centimeters", 0.6}, {"units", 0.4}};
const Rule kIntermediate[] = {
    {"polynomial", 2.0}, {"roots", 1.2}, {"\\log", 1.8}, {"logarithm", 1.8}, {"ellipse", 2.5}, {"hyperbola", 2.5},
    {"focus", 1.5}, {"foci", 2.5}, {"asymptote", 1.5}, {"complex number", 1.2}, {"|z", 1.5}, {"\\sum", 1.5},
    {"\\infty", 1.2}, {"infinite", 1.0}, {"sequence", 0.6}, {"series", 1.2}, {"minimum value", 1.5},
    {"maximum value", 1.5}, {"real numbers such that", 1.5}, {"positive real numbers", 1.8},
    {"\\sqrt[3]", 0.8}, {"degree", 0.4}, {"vieta", 2.0}, {"monic", 2.5}, {"f(f(", 1.5}, {"functional", 1.5},
    {"inequality", 1.0}, {"floor", 1.5}, {"\\lfloor", 1.5}, {"\\lceil", 1.2}, {"x^4", 1.2}, {"x^3", 1.0},
    {"rational function", 1.5}, {"remainder when", 0.6}, {"is divided by $x", 2.0}, {"\\frac{1}{a}", 1.0},
    {"\\cdots", 0.8}, {"\\dots", 0.6}, {"a_n", 1.0}, {"\\prod", 1.5}, {"nonnegative real", 1.8}};
const Rule kPrecalculus[] = {
    {"\\sin", 1.5}, {"\\cos", 1.5}, {"\\tan", 1.5}, {"\\sec", 2.0}, {"\\csc", 2.0}, {"\\cot", 2.0},
    {"\\arcsin", 2.5}, {"\\arccos", 2.5}, {"\\arctan", 2.5}, {"matrix", 3.0}, {"pmatrix", 3.0}, {"vector", 2.5},
    {"\\mathbf", 1.5}, {"determinant", 3.0}, {"radians", 2.0}, {"polar", 2.5}, {"rectangular coordinates", 2.5},
    {"spherical coordinates", 3.0}, {"cylindrical coordinates", 3.0}, {"\\theta", 1.0}, {"rotation", 1.5},
    {"projection", 2.5}, {"reflection", 1.2}, {"dot product", 2.5}, {"cross product", 2.5}, {"parametric", 2.0},
    {"e^{i", 2.0}, {"cis", 1.0}, {"\\operatorname", 1.0}, {"plane", 1.0}, {"three-dimensional", 0.8},
    {"dilation", 2.0}, {"trigonometric", 2.0}, {"period", 0.8}, {"\\omega", 0.8}, {"roots of unity", 2.0}};

struct Table {
  Topic topic;
  const Rule* rules;
  std::size_t count;
};

template <std::size_t N>
Table table(Topic t, const Rule (&r)[N]) {
  return {t, r, N};
}

}  // namespace

TopicGuess tag_topic(std::string_view statement_latex, std::string_view answer) {
  std::string text(statement_latex);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const Table tables[] = {
      table(Topic::Prealgebra, kPrealgebra),     table(Topic::Algebra, kAlgebra),
      table(Topic::NumberTheory, kNumberTheory), table(Topic::CountingProbability, kCounting),
      table(Topic::Geometry, kGeometry),         table(Topic::IntermediateAlgebra, kIntermediate),
      table(Topic::Precalculus, kPrecalculus)};
  TopicGuess guess;
  for (const Table& t : tables) {
    double score = 0;
    // Keywords are written in lower case, so they compare with the lowered text directly.
    for (std::size_t i = 0; i < t.count; ++i)
      if (text.find(t.rules[i].keyword) != std::string::npos) score += t.rules[i].weight;
    guess.scores[static_cast<std::size_t>(t.topic)] = score;
  }
  // The answer's form is a cue too: matrices and vectors are precalculus,
  // intervals intermediate algebra.
  if (answer.find("pmatrix") != std::string_view::npos) guess.scores[static_cast<std::size_t>(Topic::Precalculus)] += 3;
  if (answer.find("\\infty") != std::string_view::npos)
    guess.scores[static_cast<std::size_t>(Topic::IntermediateAlgebra)] += 1;
  // A statement with almost no symbols and small numbers is plain arithmetic.
  guess.scores[static_cast<std::size_t>(Topic::Prealgebra)] += 0.5;
  auto best = std::max_element(guess.scores.begin(), guess.scores.end());
  guess.topic = static_cast<Topic>(best - guess.scores.begin());
  return guess;
}

}  // namespace zaya::problems
