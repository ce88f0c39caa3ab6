#include "answer_text.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <regex>

namespace zaya::problems::detail {

namespace {

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Replaces the command `\name` only where it is not the prefix of a longer command.
void replace_command(std::string& s, std::string_view name, std::string_view to) {
  std::string pat = "\\" + std::string(name);
  std::size_t pos = 0;
  while ((pos = s.find(pat, pos)) != std::string::npos) {
    std::size_t end = pos + pat.size();
    if (end < s.size() && is_alpha(s[end])) {
      pos = end;
      continue;
    }
    s.replace(pos, pat.size(), to);
    pos += to.size();
  }
}

// Brace group starting at `open` ('{'); returns its content and sets `end` past it.
std::optional<std::string> brace_group(std::string_view s, std::size_t open, std::size_t& end) {
  if (open >= s.size() || s[open] != '{') return std::nullopt;
  std::size_t close = matching_close(s, open);
  if (close == std::string_view::npos) return std::nullopt;
  end = close + 1;
  return std::string(s.substr(open + 1, close - open - 1));
}

const char* const kTextWrappers[] = {"\\textnormal", "\\textbf", "\\textit", "\\textrm", "\\text",  "\\mathrm",
                                     "\\mathbf",     "\\mathit", "\\mbox",   "\\operatorname", "\\textsf", "\\mathsf"};

bool only_letters_spaces(std::string_view s) {
  bool any = false;
  for (char c : s) {
    if (is_alpha(c)) any = true;
    else if (c != ' ' && c != '.' && c != '-' && c != '\'') return false;
  }
  return any;
}

bool is_function_word(const std::string& w) {
  static const char* const words[] = {"sin", "cos", "tan", "cot", "sec", "csc", "log", "ln", "exp", "sqrt",
                                      "pi",  "and", "or",  "arcsin", "arccos", "arctan", "infty"};
  for (const char* x : words)
    if (w == x) return true;
  return false;
}

// A time of day in 12-hour form becomes its 24-hour form, so that both forms
// read as the same h:mm: "2:30 PM" -> "14:30", "12:05 a.m." -> "0:05",
// "6 PM" -> "18:00". Without a.m./p.m. a time is already in 24-hour form.
std::string to_24_hour_clock(const std::string& text) {
  static const std::regex wrapped(R"(\\(?:text|mathrm|textnormal|mbox)\s*\{\s*([AaPp]\.?\s*[Mm]\.?)\s*\})");
  static const std::regex clock(R"(^\s*(\d{1,2})(?::(\d{2}))?(:\d{2})?\s*([AaPp])\.?\s*[Mm]\.?\s*$)");
  std::string s = std::regex_replace(text, wrapped, " $1");
  std::smatch m;
  if (!std::regex_match(s, m, clock)) return text;
  const int hour = std::stoi(m[1].str());
  const int minutes = m[2].matched ? std::stoi(m[2].str()) : 0;
  if (hour < 1 || hour > 12 || minutes > 59) return text;
  const bool pm = m[4].str() == "p" || m[4].str() == "P";
  const int hour24 = hour % 12 + (pm ? 12 : 0);
  return std::to_string(hour24) + ":" + (minutes < 10 ? "0" : "") + std::to_string(minutes) + m[3].str();
}

bool is_unit_word(const std::string& w) {
  static const char* const units[] = {"cm", "mm", "km", "kg", "mg", "ml", "ft", "yd", "mi", "lb", "lbs", "oz",
                                      "hr", "hrs", "min", "mins", "sec", "secs", "mph", "kph", "kmh", "cm2", "m2",
                                      // ordinal endings: "5th" is 5
                                      "st", "nd", "rd", "th"};
  for (const char* u : units)
    if (w == u) return true;
  return false;
}

// A unit or counted noun written against a plain number ("10cm", "45mph",
// "12apples", "5cm^2") is dropped like one after a space. A short run of
// letters that is not a known unit stays: "2x" and "8ab" are products.
std::string drop_attached_unit(const std::string& s) {
  static const std::regex attached(R"(^(-?\d[\d.,]*)([A-Za-z]{2,})\s*(\^\s*\{?\d\}?)?$)");
  std::smatch m;
  if (!std::regex_match(s, m, attached)) return s;
  const std::string word = lower(m[2].str());
  if (is_function_word(word)) return s;
  if (is_unit_word(word) || word.size() >= 4) return m[1].str();
  return s;
}

// \text{...}-style wrappers: keep the content where it is the answer itself (a
// word, a letter, a choice "(C)", "and"/"or"), drop it where it is a unit.
std::string resolve_text_wrappers(std::string s) {
  for (int guard = 0; guard < 64; ++guard) {
    std::size_t best = std::string::npos;
    std::size_t best_len = 0;
    for (const char* w : kTextWrappers) {
      std::size_t p = s.find(w);
      while (p != std::string::npos) {
        std::size_t after = p + std::strlen(w);
        std::size_t q = after;
        while (q < s.size() && s[q] == ' ') ++q;
        if (q < s.size() && s[q] == '{') break;
        p = s.find(w, after);
      }
      if (p != std::string::npos && (best == std::string::npos || p < best)) {
        best = p;
        best_len = std::strlen(w);
      }
    }
    if (best == std::string::npos) break;
    std::size_t open = best + best_len;
    while (open < s.size() && s[open] == ' ') ++open;
    std::size_t end = 0;
    auto content = brace_group(s, open, end);
    if (!content) {
      s.erase(best, open - best);
      continue;
    }
    std::string inner = trim(*content);
    std::string li = lower(inner);
    std::string before = trim(s.substr(0, best));
    std::string after = trim(s.substr(end));
    std::string replacement;
    if (li == "and" || li == "or" || li == "," || li == ", and" || li == "or," ) {
      replacement = " , ";
    } else if (before.empty() && after.empty()) {
      replacement = inner;  // the whole answer is this text
    } else if (inner.size() <= 3 && !only_letters_spaces(inner)) {
      replacement = inner;  // "(C)", "e", "1"
    } else if (inner.size() == 1) {
      replacement = inner;
    } else if (!only_letters_spaces(inner)) {
      replacement = inner;
    } else if (before.empty() || before.back() == '=' || before.back() == ',' || before.back() == '(') {
      replacement = inner;  // the text is a value itself ("x = \text{Saturday}")
    } else {
      // A unit or remark after (or before) a value: drop it with a trailing exponent.
      replacement = " ";
      static const std::regex unit_power(R"(^\s*\^\s*(\{\s*\d\s*\}|\d))");
      std::smatch m;
      std::string rest = s.substr(end);
      if (std::regex_search(rest, m, unit_power)) end += static_cast<std::size_t>(m.length(0));
    }
    s = s.substr(0, best) + replacement + s.substr(end);
  }
  return s;
}

}  // namespace

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

std::size_t matching_close(std::string_view s, std::size_t open_pos) {
  if (open_pos >= s.size()) return std::string_view::npos;
  char open = s[open_pos];
  char close = open == '(' ? ')' : open == '[' ? ']' : open == '{' ? '}' : '\0';
  if (!close) return std::string_view::npos;
  int depth = 0;
  for (std::size_t i = open_pos; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '{' || s[i + 1] == '}')) {
      ++i;
      continue;
    }
    if (s[i] == open) ++depth;
    else if (s[i] == close && --depth == 0) return i;
  }
  return std::string_view::npos;
}

std::optional<std::string> last_boxed(std::string_view s) {
  std::size_t best = std::string_view::npos;
  std::size_t best_len = 0;
  for (std::string_view key : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
    std::size_t p = s.rfind(key);
    if (p != std::string_view::npos && (best == std::string_view::npos || p > best)) {
      best = p;
      best_len = key.size();
    }
  }
  if (best == std::string_view::npos) return std::nullopt;
  std::size_t open = best + best_len;
  while (open < s.size() && s[open] == ' ') ++open;
  if (open >= s.size()) return std::nullopt;
  if (s[open] != '{') {
    // "\boxed 5": one token
    std::size_t end = open;
    while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end])) && s[end] != '$') ++end;
    return std::string(s.substr(open, end - open));
  }
  std::size_t close = matching_close(s, open);
  if (close == std::string_view::npos) return std::string(s.substr(open + 1));  // unbalanced: take the rest
  return std::string(s.substr(open + 1, close - open - 1));
}

CleanText clean_answer_text(std::string_view raw) {
  CleanText out;
  std::string s(raw);
  if (auto boxed = last_boxed(s)) s = *boxed;

  // Unicode that students type.
  static const std::pair<const char*, const char*> unicode[] = {
      {"\u2212", "-"},      {"\u2013", "-"},      {"\u00d7", "\\times "}, {"\u00b7", "\\cdot "},
      {"\u22c5", "\\cdot "}, {"\u03c0", "\\pi "},  {"\u221e", "\\infty "}, {"\u2264", "\\leq "},
      {"\u2265", "\\geq "}, {"\u2260", "\\neq "}, {"\u00b0", "^\\circ "}, {"\u221a", "\\sqrt "},
      {"\u00a0", " "},      {"\u2248", "\\approx "}, {"\u222a", "\\cup "}, {"\u00b1", "\\pm "}};
  for (const auto& [from, to] : unicode) replace_all(s, from, to);

  // Currency and delimiters: "\$" is money, "$" a math delimiter.
  replace_all(s, "\\$", " ");
  replace_all(s, "$", " ");
  for (const char* d : {"\\(", "\\)", "\\[", "\\]"}) replace_all(s, d, " ");
  replace_command(s, "displaystyle", " ");

  // Answer phrases.
  {
    static const std::regex phrase(
        R"(^\s*(the\s+)?(final\s+)?(answer|result)\s*(is|:|=)?\s*:?\s*|^\s*is\s+)", std::regex::icase);
    s = std::regex_replace(s, phrase, "", std::regex_constants::format_first_only);
  }

  // Thousands separators that cannot be list commas: 14{,}916, 11,\!111.
  {
    static const std::regex braced(R"((\d)\{,\}(\d{3}))");
    static const std::regex thin(R"((\d),\\!\s*(\d{3}))");
    for (int i = 0; i < 8; ++i) {
      s = std::regex_replace(s, braced, "$1$2");
      s = std::regex_replace(s, thin, "$1$2");
    }
    // Any other "{,}" between digits is a decimal comma: 1{,}5 = 1.5.
    static const std::regex braced_decimal(R"((\d)\{,\}(\d))");
    s = std::regex_replace(s, braced_decimal, "$1.$2");
    // "1 000 000": digit groups separated by single spaces.
    static const std::regex spaced(R"(^(-?\d{1,3})((?: \d{3})+)(\.\d+)?$)");
    std::smatch m;
    std::string t = trim(s);
    if (std::regex_match(t, m, spaced)) {
      std::string joined = m[1].str() + m[2].str() + m[3].str();
      joined.erase(std::remove(joined.begin(), joined.end(), ' '), joined.end());
      s = joined;
    }
  }

  // Spacing and sizing commands.
  {
    // "\!", "\,", "\;", "\:", "\ " are spacing; "\\\\" (a row break) is kept.
    std::string t;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        char n = s[i + 1];
        if (n == '\\') {
          t += "\\\\";
          ++i;
          continue;
        }
        if (n == '!' || n == ',' || n == ';' || n == ':' || n == ' ') {
          t += ' ';
          ++i;
          continue;
        }
      }
      t += s[i] == '~' ? ' ' : s[i];
    }
    s = t;
  }
  for (const char* c : {"quad", "qquad", "left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big"})
    replace_command(s, c, " ");
  for (const char* c : {"dfrac", "tfrac", "cfrac"}) replace_command(s, c, "\\frac");
  for (const char* c : {"dbinom", "tbinom"}) replace_command(s, c, "\\binom");
  replace_command(s, "leqslant", "\\leq");
  replace_command(s, "geqslant", "\\geq");
  replace_command(s, "le", "\\leq");
  replace_command(s, "ge", "\\geq");
  replace_command(s, "ne", "\\neq");
  replace_command(s, "lt", "<");
  replace_command(s, "gt", ">");
  replace_all(s, "<=", "\\leq ");
  replace_all(s, ">=", "\\geq ");
  replace_all(s, "!=", "\\neq ");
  replace_command(s, "emptyset", "\\varnothing");
  replace_command(s, "dots", "\\ldots");
  replace_command(s, "cdots", "\\ldots");

  // Plain-text habits: x**2, 1.5e-3.
  replace_all(s, "**", "^");
  {
    static const std::regex sci(R"((^|[^A-Za-z0-9.])(\d+(?:\.\d+)?)[eE]([-+]?\d{1,3})(?![A-Za-z0-9]))");
    s = std::regex_replace(s, sci, "$1$2\\times 10^{$3}");
  }

  // Percent.
  {
    static const std::regex pct(R"(\\%|%|\bpercent\b|\bpct\b)", std::regex::icase);
    if (std::regex_search(s, pct)) {
      out.percent = true;
      s = std::regex_replace(s, pct, " ");
    }
  }

  // Degrees: inside trig functions they are a unit to convert (the expression
  // reader does that); elsewhere a unit to drop.
  {
    static const std::regex trig(R"(\\?(sin|cos|tan|cot|sec|csc))");
    bool has_trig = std::regex_search(s, trig);
    replace_all(s, "^{\\circ}", "^\\circ");
    replace_all(s, "^\\circ", has_trig ? "^\\circ" : " ");
    replace_command(s, "circ", has_trig ? "\\circ" : " ");
    replace_command(s, "degree", " ");
    static const std::regex degword(R"(\bdeg(ree)?s?\b)", std::regex::icase);
    s = std::regex_replace(s, degword, " ");
  }

  s = to_24_hour_clock(s);
  s = resolve_text_wrappers(s);
  s = to_24_hour_clock(s);  // a time that was all inside \text{...}

  // Trailing sentence punctuation and stray backslashes: "185\\", "5.".
  for (;;) {
    std::string t = trim(s);
    if (t.ends_with("\\\\")) t.resize(t.size() - 2);
    else if (t.ends_with("\\")) t.resize(t.size() - 1);
    else if (t.ends_with(".")) t.resize(t.size() - 1);
    else {
      s = t;
      break;
    }
    s = t;
  }

  // Bare unit words after a value ("10 cm^2", "125 miles"): a space, then words.
  {
    static const std::regex unit_tail(R"(^(.*[0-9}])\s+([A-Za-z]{2,}(?:\s+[A-Za-z]+)*)\s*(\^\s*\{?\d\}?)?$)");
    std::smatch m;
    if (std::regex_match(s, m, unit_tail)) {
      std::string words = lower(m[2].str());
      bool ok = true;
      std::size_t start = 0;
      while (start < words.size()) {
        std::size_t sp = words.find(' ', start);
        std::string w = words.substr(start, sp == std::string::npos ? std::string::npos : sp - start);
        if (is_function_word(w)) ok = false;
        if (sp == std::string::npos) break;
        start = sp + 1;
      }
      if (ok) s = m[1].str();
    }
  }
  s = drop_attached_unit(s);
  // Money words and symbols around a plain number.
  {
    static const std::regex money(R"(\b(dollars?|cents?|USD|usd)\b)");
    s = std::regex_replace(s, money, " ");
  }
  out.text = trim(s);
  return out;
}

std::vector<std::string> split_top_level(std::string_view s) {
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  auto flush = [&] {
    std::string t = trim(cur);
    if (!t.empty()) parts.push_back(t);
    cur.clear();
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '{' || s[i + 1] == '}')) {
      depth += s[i + 1] == '{' ? 1 : -1;
      cur += c;
      cur += s[++i];
      continue;
    }
    if (s.substr(i).starts_with("\\begin")) ++depth;
    if (s.substr(i).starts_with("\\end")) --depth;
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (depth == 0 && (c == ',' || c == ';')) {
      flush();
      continue;
    }
    if (depth == 0 && is_alpha(c) && i > 0 && !is_alpha(s[i - 1]) && s[i - 1] != '\\') {
      bool matched = false;
      for (std::string_view word : {std::string_view("and"), std::string_view("or")}) {
        std::size_t k = i + word.size();
        if (s.substr(i).starts_with(word) && (k >= s.size() || !is_alpha(s[k]))) {
          flush();
          i = k - 1;
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    cur += c;
  }
  flush();
  return parts;
}

}  // namespace zaya::problems::detail
