// Recursive-descent reader of LaTeX math into GiNaC expressions. It understands
// what answer keys and students write: numbers (exact: 0.25 is 1/4), base-n
// numerals (204_5), \frac/\sqrt/\binom, ^ and _, implicit multiplication,
// \cdot/\times/\div, |x|, !, \pi, e, i, Greek letters, trig/log functions
// (\sin^2 x, \log_2 8, \sin^{-1}), degrees (^\circ inside trig arguments).
// Simplification is left to GiNaC.
#include "latex_expr.h"

#include "expr_budget.h"

#include <cctype>
#include <cstdlib>
#include <set>

namespace zaya::problems::detail {

using GiNaC::ex;

GiNaC::ex SymbolTable::get(const std::string& name) {
  auto it = symbols_.find(name);
  if (it == symbols_.end()) it = symbols_.emplace(name, GiNaC::symbol(name)).first;
  return it->second;
}

namespace {

constexpr std::size_t kMaxInput = 1000;
constexpr int kMaxDepth = 400;  // recursion frames; one bracket level takes five
constexpr int kMaxDigits = 300;
constexpr long kMaxNumericExponent = 2000;  // integer power of a number
constexpr long kMaxSymbolicExponent = 40;   // integer power of an expression with symbols
constexpr long kMaxFactorial = 3000;

const std::set<std::string>& greek() {
  static const std::set<std::string> names = {
      "alpha", "beta",  "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta",   "theta",
      "vartheta", "iota", "kappa", "lambda", "mu",   "nu",  "xi",  "rho",  "sigma", "tau",
      "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
      "Xi", "Sigma", "Phi", "Psi", "Omega"};
  return names;
}

// Functions written with or without a backslash.
const std::set<std::string>& functions() {
  static const std::set<std::string> names = {
      "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
      "tanh", "log", "ln", "exp", "lg"};
  return names;
}

class Parser {
 public:
  Parser(std::string_view s, SymbolTable& symbols) : s_(s), symbols_(symbols) {}

  ParsedExpr run() {
    ParsedExpr out;
    skip_space();
    out.value = expr();
    skip_space();
    if (pos_ != s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "'");
    out.has_decimal = saw_decimal_;
    out.is_plain_number = literal_count_ == 1 && plain_number_span_ == trimmed_length();
    out.decimals = last_decimals_;
    out.significant_digits = last_significant_;
    return out;
  }

 private:
  std::string_view s_;
  SymbolTable& symbols_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  int abs_depth_ = 0;
  bool saw_decimal_ = false;
  int literal_count_ = 0;
  std::size_t plain_number_span_ = 0;
  int last_decimals_ = 0;
  int last_significant_ = 0;

  [[noreturn]] void fail(const std::string& what) const { throw ParseError(what); }

  std::size_t trimmed_length() const {
    std::size_t a = 0, b = s_.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s_[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s_[b - 1]))) --b;
    if (a < b && (s_[a] == '-' || s_[a] == '+')) ++a;
    return b - a;
  }

  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) {
      if (++p.depth_ > kMaxDepth) p.fail("nesting too deep");
    }
    ~DepthGuard() { --p.depth_; }
  };

  bool at_end() const { return pos_ >= s_.size(); }
  char peek(std::size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool eat(char c) {
    skip_space();
    if (peek() == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  // A backslash command name at pos (without consuming), "" if none.
  std::string peek_command() const {
    if (peek() != '\\') return {};
    std::size_t i = pos_ + 1;
    while (i < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i]))) ++i;
    if (i == pos_ + 1) return i < s_.size() ? std::string(1, s_[i]) : std::string();
    return std::string(s_.substr(pos_ + 1, i - pos_ - 1));
  }
  bool eat_command(const std::string& name) {
    skip_space();
    if (peek_command() == name) {
      pos_ += 1 + name.size();
      return true;
    }
    return false;
  }

  ex expr() {
    DepthGuard guard(*this);
    ex acc = term();
    for (;;) {
      skip_space();
      if (eat('+')) acc = acc + term();
      else if (eat('-')) acc = acc - term();
      else return acc;
    }
  }

  // Can the next token start a factor of an implicit product?
  bool starts_factor() {
    skip_space();
    char c = peek();
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || std::isalpha(static_cast<unsigned char>(c)) || c == '(' ||
        c == '{' || c == '[')
      return c != '.' || std::isdigit(static_cast<unsigned char>(peek(1)));
    if (c == '|') return abs_depth_ == 0;
    if (c == '\\') {
      std::string cmd = peek_command();
      static const std::set<std::string> non_factor = {"cdot", "times", "div", "right", "rfloor", "rceil",
                                                        "}", "pm", "mp", "circ", ",", ";", "!", " ", "rangle"};
      return !cmd.empty() && !non_factor.count(cmd);
    }
    return false;
  }

  ex term() {
    DepthGuard guard(*this);
    ex acc = unary();
    for (;;) {
      skip_space();
      if (eat('*') || eat_command("cdot") || eat_command("times")) acc = acc * unary();
      else if (eat('/') || eat_command("div")) {
        ex d = unary();
        if (d.is_zero()) fail("division by zero");
        acc = acc / d;
      } else if (starts_factor()) acc = acc * power();
      else return acc;
    }
  }

  ex unary() {
    DepthGuard guard(*this);
    skip_space();
    if (eat('-')) return -unary();
    if (eat('+')) return unary();
    return power();
  }

  ex checked_pow(const ex& base, const ex& exponent) {
    if (GiNaC::is_a<GiNaC::numeric>(exponent)) {
      const auto& n = GiNaC::ex_to<GiNaC::numeric>(exponent);
      // GiNaC throws from inside pow() for a zero base with an exponent whose
      // real part is zero or negative, and leaks the half-built power object
      // when it does; refuse those here so pow() is never asked.
      if (base.is_zero()) {
        if (n.real().is_zero()) fail("0 to the power 0 is undefined");
        if (n.real().is_negative()) fail("division by zero");
      }
      if (n.is_integer()) {
        bool numeric_base = GiNaC::is_a<GiNaC::numeric>(base);
        long limit = numeric_base ? kMaxNumericExponent : kMaxSymbolicExponent;
        if (GiNaC::abs(n) > limit) fail("exponent too large");
      } else if (!n.is_rational()) {
        // float exponents are fine
      } else if (GiNaC::abs(n.numer()) > kMaxNumericExponent || n.denom() > kMaxNumericExponent) {
        fail("exponent too large");
      }
      // The exponent alone is not enough: ((9^{2000})^{2000})^{2000} has small
      // exponents and a result of 7.6 billion digits.
      require_number_power(base, n);
    } else if (GiNaC::is_a<GiNaC::numeric>(exponent.evalf())) {
      const auto v = GiNaC::ex_to<GiNaC::numeric>(exponent.evalf());
      if (v.is_real() && GiNaC::abs(v) > kMaxNumericExponent) fail("exponent too large");
    }
    return GiNaC::pow(base, exponent);
  }

  // Exponent or subscript argument: {group}, a single digit run, a letter or a command.
  ex script_argument() {
    skip_space();
    if (peek() == '{') {
      ++pos_;
      ex e = expr();
      expect('}');
      return e;
    }
    if (peek() == '-' || peek() == '+') {
      bool neg = peek() == '-';
      ++pos_;
      ex e = script_argument();
      return neg ? -e : e;
    }
    if (std::isdigit(static_cast<unsigned char>(peek()))) return number();
    if (peek() == '(') return primary();
    return single_token();
  }

  ex power() {
    DepthGuard guard(*this);
    ex base = postfix();
    skip_space();
    if (peek() == '^') {
      ++pos_;
      skip_space();
      if (eat_command("circ") || (peek() == '{' && s_.substr(pos_).starts_with("{\\circ}") && (pos_ += 7))) {
        return base * GiNaC::Pi / 180;
      }
      ex exponent = script_argument();
      return postfix_after(checked_pow(base, exponent));
    }
    return base;
  }

  ex factorial_of(const ex& e) {
    if (!GiNaC::is_a<GiNaC::numeric>(e)) fail("factorial of a non-number");
    const auto& n = GiNaC::ex_to<GiNaC::numeric>(e);
    if (!n.is_nonneg_integer() || n > kMaxFactorial) fail("factorial argument out of range");
    return GiNaC::factorial(n);
  }

  ex postfix_after(ex e) {
    for (;;) {
      if (peek() == '!' ) {
        ++pos_;
        e = factorial_of(e);
      } else if (peek() == '\'') {
        fail("derivative mark");
      } else {
        return e;
      }
    }
  }

  ex postfix() { return postfix_after(primary()); }

  ex number() {
    std::size_t start = pos_;
    std::string digits;
    int decimals = 0;
    bool point = false;
    while (!at_end()) {
      char c = peek();
      if (std::isdigit(static_cast<unsigned char>(c))) {
        digits += c;
        if (point) ++decimals;
        ++pos_;
      } else if (c == '.' && !point && std::isdigit(static_cast<unsigned char>(peek(1)))) {
        point = true;
        ++pos_;
      } else {
        break;
      }
    }
    if (digits.empty()) fail("expected a number");
    if (static_cast<int>(digits.size()) > kMaxDigits) fail("number too long");
    // Base-n numeral: 204_5, 4210_{7}.
    if (!point && peek() == '_') {
      std::size_t save = pos_;
      ++pos_;
      std::string base_digits;
      bool braced = eat('{');
      while (std::isdigit(static_cast<unsigned char>(peek()))) base_digits += s_[pos_++];
      if (braced && !eat('}')) base_digits.clear();
      if (!base_digits.empty() && base_digits.size() <= 2) {
        int base = std::atoi(base_digits.c_str());
        bool ok = base >= 2 && base <= 36;
        GiNaC::numeric value = 0;
        for (char d : digits) {
          int v = d - '0';
          if (v >= base) ok = false;
          value = value * base + v;
        }
        if (ok) {
          ++literal_count_;
          plain_number_span_ = pos_ - start;
          return value;
        }
      }
      pos_ = save;
      fail("bad base subscript");
    }
    ++literal_count_;
    plain_number_span_ = pos_ - start;
    last_decimals_ = decimals;
    std::size_t first_nonzero = digits.find_first_not_of('0');
    last_significant_ = first_nonzero == std::string::npos ? 1 : static_cast<int>(digits.size() - first_nonzero);
    if (point) saw_decimal_ = true;
    GiNaC::numeric value(digits.c_str());
    if (decimals) value = value / GiNaC::numeric(10).power(decimals);
    return value;
  }

  // One TeX token as an argument (\frac12, \sqrt3, x^2): a digit, a letter or a command.
  ex single_token() {
    skip_space();
    char c = peek();
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++pos_;
      ++literal_count_;
      return GiNaC::numeric(c - '0');
    }
    if (std::isalpha(static_cast<unsigned char>(c))) {
      ++pos_;
      return letter_symbol(std::string(1, c));
    }
    if (c == '\\') return command();
    if (c == '{') {
      ++pos_;
      ex e = expr();
      expect('}');
      return e;
    }
    fail("missing argument");
  }

  ex group_argument() {
    skip_space();
    if (peek() == '{') {
      ++pos_;
      ex e = expr();
      expect('}');
      return e;
    }
    return single_token();
  }

  ex letter_symbol(std::string name) {
    if (name == "e") return GiNaC::exp(ex(1));
    if (name == "i") return GiNaC::I;
    // Subscripts and primes make a new name: x_1, a_{n}, f'.
    for (;;) {
      if (peek() == '_') {
        ++pos_;
        skip_space();
        if (peek() == '{') {
          std::size_t close = s_.find('}', pos_);
          if (close == std::string_view::npos) fail("unbalanced subscript");
          name += '_';
          name.append(s_.substr(pos_ + 1, close - pos_ - 1));
          pos_ = close + 1;
        } else if (std::isalnum(static_cast<unsigned char>(peek()))) {
          name += "_";
          name += s_[pos_++];
        } else {
          fail("bad subscript");
        }
      } else if (peek() == '\'') {
        name += "'";
        ++pos_;
      } else {
        break;
      }
    }
    return symbols_.get(name);
  }

  // Argument of a function name: (..) or an implicit product of powers (\sin 2x).
  ex function_argument() {
    skip_space();
    if (peek() == '(') {
      ++pos_;
      ex e = expr();
      expect(')');
      return e;
    }
    ex acc = power();
    while (starts_factor() && peek() != '\\') acc = acc * power();
    return acc;
  }

  ex apply_function(const std::string& name) {
    // \log_b x, \sin^2 x, \sin^{-1} x
    ex log_base = 0;
    bool has_base = false;
    ex exponent = 1;
    bool inverse = false;
    skip_space();
    if ((name == "log") && peek() == '_') {
      ++pos_;
      log_base = script_argument();
      has_base = true;
      skip_space();
    }
    if (peek() == '^') {
      ++pos_;
      exponent = script_argument();
      if (exponent.is_equal(ex(-1)) && name != "log" && name != "ln") {
        inverse = true;
        exponent = 1;
      }
    }
    ex a = function_argument();
    ex r;
    if (inverse) {
      if (name == "sin") r = GiNaC::asin(a);
      else if (name == "cos") r = GiNaC::acos(a);
      else if (name == "tan") r = GiNaC::atan(a);
      else fail("unsupported inverse function");
    } else if (name == "sin") r = GiNaC::sin(a);
    else if (name == "cos") r = GiNaC::cos(a);
    else if (name == "tan") r = GiNaC::tan(a);
    else if (name == "cot") r = 1 / GiNaC::tan(a);
    else if (name == "sec") r = 1 / GiNaC::cos(a);
    else if (name == "csc") r = 1 / GiNaC::sin(a);
    else if (name == "arcsin") r = GiNaC::asin(a);
    else if (name == "arccos") r = GiNaC::acos(a);
    else if (name == "arctan") r = GiNaC::atan(a);
    else if (name == "sinh") r = GiNaC::sinh(a);
    else if (name == "cosh") r = GiNaC::cosh(a);
    else if (name == "tanh") r = GiNaC::tanh(a);
    else if (name == "ln") r = GiNaC::log(a);
    else if (name == "exp") r = GiNaC::exp(a);
    else if (name == "lg") r = GiNaC::log(a) / GiNaC::log(ex(10));
    else if (name == "log") {
      if (has_base) {
        if (log_base.is_equal(ex(1))) fail("log base 1");
        r = GiNaC::log(a) / GiNaC::log(log_base);
      } else {
        r = GiNaC::log(a) / GiNaC::log(ex(10));
      }
    } else fail("unknown function " + name);
    return exponent.is_equal(ex(1)) ? r : checked_pow(r, exponent);
  }

  ex command() {
    std::string cmd = peek_command();
    if (cmd.empty()) fail("stray backslash");
    pos_ += 1 + cmd.size();
    if (cmd == "frac") {
      ex n = group_argument();
      ex d = group_argument();
      if (d.is_zero()) fail("division by zero");
      return n / d;
    }
    if (cmd == "binom") {
      ex n = group_argument();
      ex k = group_argument();
      if (!GiNaC::is_a<GiNaC::numeric>(n) || !GiNaC::is_a<GiNaC::numeric>(k)) fail("symbolic binomial");
      auto nn = GiNaC::ex_to<GiNaC::numeric>(n), kk = GiNaC::ex_to<GiNaC::numeric>(k);
      if (!nn.is_integer() || !kk.is_integer() || GiNaC::abs(nn) > 5000) fail("binomial out of range");
      return GiNaC::binomial(nn, kk);
    }
    if (cmd == "sqrt") {
      skip_space();
      if (peek() == '[') {
        ++pos_;
        ex index = expr();
        expect(']');
        if (index.is_zero()) fail("zeroth root");
        return checked_pow(group_argument(), 1 / index);
      }
      return GiNaC::sqrt(group_argument());
    }
    if (cmd == "pi") return GiNaC::Pi;
    if (cmd == "infty" || cmd == "infin") return symbols_.get(kInfinityName);
    if (cmd == "mathrm" || cmd == "text" || cmd == "mathit" || cmd == "operatorname" || cmd == "textrm" ||
        cmd == "mathbf" || cmd == "boldsymbol" || cmd == "mbox") {
      skip_space();
      if (peek() != '{') fail("bad \\" + cmd);
      std::size_t close = s_.find('}', pos_);
      if (close == std::string_view::npos) fail("unbalanced braces");
      std::string inner(s_.substr(pos_ + 1, close - pos_ - 1));
      pos_ = close + 1;
      while (!inner.empty() && inner.back() == ' ') inner.pop_back();
      while (!inner.empty() && inner.front() == ' ') inner.erase(inner.begin());
      if (functions().count(inner)) return apply_function(inner);
      if (inner.size() == 1 && std::isalpha(static_cast<unsigned char>(inner[0]))) return letter_symbol(inner);
      fail("text inside an expression");
    }
    if (functions().count(cmd)) return apply_function(cmd);
    if (greek().count(cmd)) return letter_symbol("\\" + cmd);
    if (cmd == "left" || cmd == "right" || cmd == "big" || cmd == "Big" || cmd == "bigl" || cmd == "bigr") {
      return primary();
    }
    if (cmd == "{") {
      ex e = expr();
      if (!eat_command("}")) fail("expected \\}");
      return e;
    }
    if (cmd == "lvert" || cmd == "vert") {
      ++abs_depth_;
      ex e = expr();
      --abs_depth_;
      if (!eat_command("rvert") && !eat_command("vert")) fail("expected closing bar");
      return GiNaC::abs(e);
    }
    fail("unsupported command \\" + cmd);
  }

  ex primary() {
    DepthGuard guard(*this);
    skip_space();
    char c = peek();
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1)))))
      return number();
    if (c == '(' || c == '[' || c == '{') {
      char close = c == '(' ? ')' : c == '[' ? ']' : '}';
      ++pos_;
      ex e = expr();
      expect(close);
      return e;
    }
    if (c == '|') {
      ++pos_;
      ++abs_depth_;
      ex e = expr();
      --abs_depth_;
      expect('|');
      return GiNaC::abs(e);
    }
    if (c == '\\') return command();
    if (std::isalpha(static_cast<unsigned char>(c))) {
      std::size_t end = pos_;
      while (end < s_.size() && std::isalpha(static_cast<unsigned char>(s_[end]))) ++end;
      std::string word(s_.substr(pos_, end - pos_));
      // A function name written without backslash (sin x, sqrt(2), pi).
      for (const std::string& f : functions()) {
        if (word.starts_with(f) && (word.size() == f.size() || f.size() >= 3)) {
          if (word.size() == f.size()) {
            pos_ = end;
            return apply_function(f);
          }
        }
      }
      if (word == "sqrt") {
        pos_ = end;
        return GiNaC::sqrt(function_argument());
      }
      if (word == "pi") {
        pos_ = end;
        return GiNaC::Pi;
      }
      ++pos_;
      return letter_symbol(std::string(1, c));
    }
    if (c == '\0') fail("unexpected end");
    fail(std::string("unexpected '") + c + "'");
  }
};

}  // namespace

ParsedExpr parse_latex_expr(std::string_view text, SymbolTable& symbols) {
  if (text.size() > kMaxInput) throw ParseError("expression too long");
  try {
    Parser p(text, symbols);
    return p.run();
  } catch (const ParseError&) {
    throw;
  } catch (const TooComplex&) {
    throw;
  } catch (const std::exception& e) {
    // GiNaC signals bad math (1/0, log(0), overflow) with std exceptions.
    throw ParseError(std::string("math error: ") + e.what());
  }
}

}  // namespace zaya::problems::detail
