#include "problem_document.h"

#include <QHash>

#include <functional>

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>

#include "math_markdown.h"

namespace zaya::ui {

using problems::Diagram;
using problems::Problem;

QString problemTitle(const Problem& p) {
  const QString source = QString::fromStdString(p.source_key == "math" ? std::string("MATH") : p.source);
  if (!p.contest.empty() && p.number)  // "2024 AIME I · Problem 1", as contestants say it
    return QStringLiteral("%1%2 · Problem %3")
        .arg(p.year ? QString::number(*p.year) + QLatin1Char(' ') : QString(), QString::fromStdString(p.contest))
        .arg(*p.number);
  return QStringLiteral("%1 · %2").arg(source, QString::fromStdString(p.id));
}

QString problemMeta(const Problem& p) {
  QString topic = QString::fromUtf8(problems::topic_name(p.topic).data(), qsizetype(problems::topic_name(p.topic).size()));
  if (p.topic_source == problems::TopicSource::Tagger) topic += QStringLiteral(" (automatic)");
  QString difficulty = QStringLiteral("difficulty %1 of 5").arg(p.difficulty);
  if (p.difficulty_estimated) difficulty += QStringLiteral(" (estimated)");
  return QStringLiteral("%1 · %2 · %3").arg(topic, difficulty, QString::fromStdString(p.source));
}

std::string renderWithDiagrams(const std::string& text, bool dollarIsMath, const std::vector<Diagram>& diagrams,
                               Diagram::Part part) {
  render::RenderOptions options;
  options.dollar_is_math = dollarIsMath;
  std::string html;
  std::size_t pos = 0;
  int index = 0;
  while (true) {
    const std::size_t open = text.find("[asy]", pos);
    const std::size_t close = open == std::string::npos ? std::string::npos : text.find("[/asy]", open);
    if (close == std::string::npos) break;
    html += render::render_markdown_with_math(std::string_view(text).substr(pos, open - pos), options);
    ++index;
    const Diagram* d = nullptr;
    for (const auto& candidate : diagrams)
      if (candidate.part == part && candidate.index == index) d = &candidate;
    QByteArray svg;
    if (d && d->available()) {
      QFile f(QString::fromStdString(d->svg_path));
      if (f.open(QIODevice::ReadOnly)) svg = f.readAll();
    }
    if (!svg.isEmpty()) {
      // An SVG shown through <img> cannot run script or load anything.
      html += "<div class=\"figure\"><img alt=\"Diagram " + std::to_string(index) +
              "\" src=\"data:image/svg+xml;base64," + svg.toBase64().toStdString() + "\"></div>";
    } else {
      std::string why = d && !d->error.empty() ? " (" + d->error.substr(0, 120) + ")" : "";
      html += "<div class=\"figure missing\">Diagram not available" + render::escape_html(why) + "</div>";
    }
    pos = close + 6;
  }
  html += render::render_markdown_with_math(std::string_view(text).substr(pos), options);
  return html;
}

QJsonObject problemDocument(const Problem& p) {
  QJsonArray sections;
  sections.append(QJsonObject{
      {QStringLiteral("html"), QString::fromStdString(renderWithDiagrams(p.statement_latex, p.dollar_is_math, p.diagrams,
                                                                          Diagram::Part::Statement))}});
  if (p.is_multiple_choice()) {
    render::RenderOptions options;
    options.dollar_is_math = p.dollar_is_math;
    std::string list = "<ul class=\"choices\">";
    for (const auto& c : p.choices) {
      std::string body = render::render_markdown_with_math(c.text, options);
      // A single paragraph reads better inline.
      if (body.rfind("<p>", 0) == 0 && body.find("<p>", 3) == std::string::npos) {
        body = body.substr(3);
        body = body.substr(0, body.rfind("</p>"));
      }
      list += "<li><span class=\"label\">" + render::escape_html(c.label) + ")</span>" + body + "</li>";
    }
    list += "</ul>";
    sections.append(QJsonObject{{QStringLiteral("heading"), QStringLiteral("Choices")},
                                {QStringLiteral("html"), QString::fromStdString(list)}});
  }
  return QJsonObject{{QStringLiteral("title"), problemTitle(p)},
                     {QStringLiteral("meta"), problemMeta(p)},
                     {QStringLiteral("sections"), sections},
                     {QStringLiteral("preview"), !p.is_multiple_choice()}};
}

QJsonObject referenceSolutionDocument(const Problem& p) {
  QJsonArray sections;
  if (p.has_solution()) {
    sections.append(QJsonObject{
        {QStringLiteral("heading"), QStringLiteral("Reference solution")},
        {QStringLiteral("kind"), QStringLiteral("reference")},
        {QStringLiteral("html"), QString::fromStdString(renderWithDiagrams(p.solution_latex, p.dollar_is_math,
                                                                            p.diagrams, Diagram::Part::Solution))}});
  }
  const QString answer = QString::fromStdString(p.answer_text.empty() ? p.answer : p.answer + " — " + p.answer_text);
  sections.append(QJsonObject{{QStringLiteral("heading"), QStringLiteral("Answer key")},
                              {QStringLiteral("html"), p.is_multiple_choice() || !p.dollar_is_math
                                                           ? QString::fromStdString("<p>" + render::escape_html(answer.toStdString()) + "</p>")
                                                           : answerPreviewHtml(answer)}});
  return QJsonObject{{QStringLiteral("title"), problemTitle(p)},
                     {QStringLiteral("meta"), QStringLiteral("Shipped with the problem by its source (%1) — not written by the model")
                                                  .arg(QString::fromStdString(p.source))},
                     {QStringLiteral("sections"), sections}};
}

namespace {

// Replaces every match of `re` in `s` by what `text` makes of it (QString's
// own replacement strings cannot put a literal backslash before a group).
void replaceEach(QString& s, const QRegularExpression& re, const std::function<QString(const QRegularExpressionMatch&)>& text) {
  QString out;
  qsizetype last = 0;
  for (auto it = re.globalMatch(s); it.hasNext();) {
    const auto m = it.next();
    out += QStringView(s).mid(last, m.capturedStart() - last);
    out += text(m);
    last = m.capturedEnd();
  }
  out += QStringView(s).mid(last);
  s = out;
}

// Replaces innermost `\name{a}{b}` (or `\name{a}` when `args` is 1) until none
// is left, so nested fractions and roots come out right: \frac{\sqrt{72}}{\sqrt{10}}.
void unwrapInnermost(QString& s, const QString& names, int args, const std::function<QString(const QStringList&)>& text) {
  // Compiled once per command family (each excerpt runs these patterns many times).
  thread_local QHash<QString, QRegularExpression> compiled;
  auto found = compiled.find(names);
  if (found == compiled.end()) {
    const QString arg = QStringLiteral("\\{([^{}]*)\\}");
    found = compiled.insert(names, QRegularExpression(QStringLiteral("\\\\(?:%1)(?![a-zA-Z])\\s*%2")
                                                          .arg(names, args == 2 ? arg + QStringLiteral("\\s*") + arg : arg)));
  }
  const QRegularExpression& re = *found;
  for (int guard = 0; guard < 8 && re.match(s).hasMatch(); ++guard)
    replaceEach(s, re, [&](const QRegularExpressionMatch& m) {
      QStringList parts;
      for (int i = 1; i <= args; ++i) parts << m.captured(i);  // \text{if } keeps its space
      return text(parts);
    });
}

// A part of a fraction, root or script: bare when it is one number, name or
// parenthesised group, else in parentheses.
QString grouped(const QString& untrimmed) {
  const QString part = untrimmed.trimmed();
  static const QRegularExpression simple(QStringLiteral("^([\\w.]+|\\(.*\\)|√\\w+)$"));
  return simple.match(part).hasMatch() ? part : QStringLiteral("(%1)").arg(part);
}

}  // namespace

QString plainExcerpt(const std::string& latex, bool dollarIsMath, int maxChars) {
  QString s = QString::fromStdString(latex.substr(0, std::size_t(maxChars) * 4));
  static const QRegularExpression asy(QStringLiteral("\\[asy\\].*?(\\[/asy\\]|$)"),
                                      QRegularExpression::DotMatchesEverythingOption);
  s.replace(asy, QStringLiteral(" [diagram] "));
  // Money stays money: an escaped \$ (or every $ where '$' is not math) is text.
  constexpr QChar kDollar(0x0001);
  s.replace(QStringLiteral("\\$"), QString(kDollar));
  if (dollarIsMath) s.remove(QLatin1Char('$'));
  else s.replace(QLatin1Char('$'), kDollar);
  static const QRegularExpression mathDelimiters(QStringLiteral("\\\\[()\\[\\]]"));
  s.remove(mathDelimiters);
  // Environments: \begin{array}{cl} … \\ … \end{array} reads as "…; …".
  static const QRegularExpression invisibleDelimiter(QStringLiteral("\\\\(left|right)\\."));
  s.remove(invisibleDelimiter);
  static const QRegularExpression begin(QStringLiteral("\\\\begin\\{[a-zA-Z*]+\\}(\\{[^{}]*\\})?"));
  static const QRegularExpression endEnv(QStringLiteral("\\\\end\\{[a-zA-Z*]+\\}"));
  s.remove(begin).remove(endEnv);
  s.replace(QStringLiteral("\\\\"), QStringLiteral("; "));
  s.replace(QLatin1Char('&'), QLatin1Char(' '));
  unwrapInnermost(s, QStringLiteral("text|textbf|textit|mathrm|mathbf|mathit|operatorname|mbox|boxed|overline|underline"), 1,
                  [](const QStringList& p) { return p[0]; });
  // Roots with an index (\sqrt[3]{x} → ∛x) and the brace-less short forms
  // TeX allows (\sqrt 2, \frac13, \frac 1{x}) become the braced forms first.
  s.replace(QStringLiteral("\\sqrt[3]"), QStringLiteral("\\cbrt")).replace(QStringLiteral("\\sqrt[4]"), QStringLiteral("\\qdrt"));
  static const QRegularExpression indexedRoot(QStringLiteral("\\\\sqrt\\s*\\[([^\\]]*)\\]"));
  replaceEach(s, indexedRoot, [](const QRegularExpressionMatch& m) { return QStringLiteral("(%1)\\sqrt").arg(m.captured(1)); });
  // Innermost first, all kinds together, so a root inside a fraction inside
  // a root comes out right; sub- and superscripts and bare groups unwrap in
  // the same passes so that they do not hide their parents' arguments.
  static const QRegularExpression script(QStringLiteral("([_^])\\{([^{}]*)\\}"));
  static const QRegularExpression bareGroup(QStringLiteral("(?<![\\w}\\]^_])\\{([^{}]*)\\}"));
  static const QRegularExpression barelyRoot(QStringLiteral("\\\\(sqrt|cbrt|qdrt)(?:\\s+|(?=\\d))(\\w)"));
  static const QRegularExpression bareFraction(QStringLiteral("\\\\([dt]?frac)\\s*(\\w)\\s*(\\w)"));
  static const QRegularExpression bareNumerator(QStringLiteral("\\\\([dt]?frac)\\s*(\\w)\\s*\\{"));
  static const QRegularExpression bareDenominator(QStringLiteral("\\\\([dt]?frac)\\s*(\\{[^{}]*\\})\\s*(\\w)"));
  // "\\frac {a} {b}" is "\\frac{a}{b}": without the spaces an argument is
  // never mistaken for a bare group.
  static const QRegularExpression spacedArgument(QStringLiteral("(\\\\[a-zA-Z]+|\\})\\s+\\{"));
  replaceEach(s, spacedArgument, [](const QRegularExpressionMatch& m) { return m.captured(1) + QLatin1Char('{'); });
  for (int pass = 0; pass < 8; ++pass) {
    const QString before = s;
    replaceEach(s, barelyRoot, [](const QRegularExpressionMatch& m) {
      return QStringLiteral("\\%1{%2}").arg(m.captured(1), m.captured(2));
    });
    replaceEach(s, bareFraction, [](const QRegularExpressionMatch& m) {
      return QStringLiteral("\\%1{%2}{%3}").arg(m.captured(1), m.captured(2), m.captured(3));
    });
    replaceEach(s, bareNumerator, [](const QRegularExpressionMatch& m) {
      return QStringLiteral("\\%1{%2}{").arg(m.captured(1), m.captured(2));
    });
    replaceEach(s, bareDenominator, [](const QRegularExpressionMatch& m) {
      return QStringLiteral("\\%1%2{%3}").arg(m.captured(1), m.captured(2), m.captured(3));
    });
    unwrapInnermost(s, QStringLiteral("sqrt"), 1, [](const QStringList& p) { return QStringLiteral("√") + grouped(p[0]); });
    unwrapInnermost(s, QStringLiteral("cbrt"), 1, [](const QStringList& p) { return QStringLiteral("∛") + grouped(p[0]); });
    unwrapInnermost(s, QStringLiteral("qdrt"), 1, [](const QStringList& p) { return QStringLiteral("∜") + grouped(p[0]); });
    unwrapInnermost(s, QStringLiteral("[dt]?frac"), 2,
                    [](const QStringList& p) { return grouped(p[0]) + QLatin1Char('/') + grouped(p[1]); });
    unwrapInnermost(s, QStringLiteral("binom|dbinom|tbinom"), 2,
                    [](const QStringList& p) { return QStringLiteral("C(%1, %2)").arg(p[0].trimmed(), p[1].trimmed()); });
    replaceEach(s, script, [](const QRegularExpressionMatch& m) { return m.captured(1) + grouped(m.captured(2).trimmed()); });
    replaceEach(s, bareGroup, [](const QRegularExpressionMatch& m) { return m.captured(1); });
    if (s == before) break;
  }
  // Every other command: a symbol when it has one, dropped when it only
  // spaces or sizes, else its name (\sin, \log and \gcd read as words).
  static const QHash<QString, QString> kSymbols = {
      {"cdot", "·"}, {"times", "×"}, {"div", "÷"}, {"pm", "±"}, {"mp", "∓"}, {"circ", "°"}, {"triangle", "△"},
      {"angle", "∠"}, {"pi", "π"}, {"infty", "∞"}, {"neq", "≠"}, {"ne", "≠"}, {"leq", "≤"}, {"le", "≤"},
      {"geq", "≥"}, {"ge", "≥"}, {"approx", "≈"}, {"equiv", "≡"}, {"sim", "∼"}, {"dots", "…"}, {"ldots", "…"},
      {"cdots", "⋯"}, {"lceil", "⌈"}, {"rceil", "⌉"}, {"lfloor", "⌊"}, {"rfloor", "⌋"}, {"in", "∈"},
      {"cup", "∪"}, {"cap", "∩"}, {"subseteq", "⊆"}, {"to", "→"}, {"rightarrow", "→"}, {"Rightarrow", "⇒"},
      {"implies", "⇒"}, {"mid", "|"}, {"parallel", "∥"}, {"perp", "⊥"}, {"alpha", "α"}, {"beta", "β"},
      {"gamma", "γ"}, {"delta", "δ"}, {"Delta", "Δ"}, {"epsilon", "ε"}, {"theta", "θ"}, {"lambda", "λ"},
      {"mu", "μ"}, {"sigma", "σ"}, {"Sigma", "Σ"}, {"phi", "φ"}, {"omega", "ω"}, {"Omega", "Ω"}, {"sum", "Σ"},
      {"prod", "Π"}, {"int", "∫"}, {"%", "%"}, {"{", "{"}, {"}", "}"}, {"#", "#"}, {"&", "&"}, {"_", "_"},
      {"left", ""}, {"right", ""}, {"displaystyle", ""}, {"big", ""}, {"Big", ""}, {"bigg", ""}, {"Bigg", ""},
      {"quad", " "}, {"qquad", " "}, {",", " "}, {";", " "}, {":", " "}, {"!", ""}, {" ", " "}, {"limits", ""},
      {"nonumber", ""}, {"noindent", ""}, {"newline", "; "}, {"hline", ""}};
  static const QRegularExpression command(QStringLiteral("\\\\([a-zA-Z]+|.)"));
  replaceEach(s, command, [](const QRegularExpressionMatch& m) {
    const QString name = m.captured(1);
    return kSymbols.value(name, name.front().isLetter() ? name : QString());
  });
  s.replace(QStringLiteral("^°"), QStringLiteral("°"));
  s.remove(QLatin1Char('{')).remove(QLatin1Char('}'));
  s.replace(kDollar, QLatin1Char('$'));
  s = s.simplified();
  static const QRegularExpression insideBrackets(QStringLiteral("([⌈⌊(])\\s+|\\s+([⌉⌋)])"));
  replaceEach(s, insideBrackets, [](const QRegularExpressionMatch& m) { return m.captured(1) + m.captured(2); });
  static const QRegularExpression commaBeforeBreak(QStringLiteral("\\s*,\\s*;"));
  s.replace(commaBeforeBreak, QStringLiteral(";"));
  if (s.size() > maxChars) s = s.left(maxChars - 1) + QStringLiteral("…");
  return s;
}

QString answerPreviewHtml(const QString& answer) {
  const std::string a = answer.trimmed().toStdString();
  if (a.empty()) return {};
  if (!render::find_math_spans(a, true).empty()) return QString::fromStdString(render::render_markdown_with_math(a));
  return QString::fromStdString("<span class=\"math\">" + render::escape_html(a) + "</span>");
}

}  // namespace zaya::ui
