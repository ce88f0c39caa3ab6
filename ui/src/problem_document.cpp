#include "problem_document.h"

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

QString plainExcerpt(const std::string& latex, int maxChars) {
  QString s = QString::fromStdString(latex.substr(0, std::size_t(maxChars) * 3));
  static const QRegularExpression asy(QStringLiteral("\\[asy\\].*?(\\[/asy\\]|$)"),
                                      QRegularExpression::DotMatchesEverythingOption);
  static const QRegularExpression frac(QStringLiteral("\\\\[dt]?frac\\{([^{}]*)\\}\\{([^{}]*)\\}"));
  static const QRegularExpression command(QStringLiteral("\\\\(left|right|displaystyle|text|mathrm|mathbf|,|;|!|quad)"));
  static const QRegularExpression delimiters(QStringLiteral("\\$|\\\\[()\\[\\]]"));
  s.replace(asy, QStringLiteral(" [diagram] "));
  s.replace(frac, QStringLiteral("\\1/\\2"));
  s.replace(command, QString());
  s.replace(delimiters, QString());
  s.replace(QStringLiteral("\\cdot"), QStringLiteral("·")).replace(QStringLiteral("\\times"), QStringLiteral("×"));
  static const std::pair<const char*, const char*> kSymbols[] = {
      {"^\\circ", "°"}, {"\\circ", "°"}, {"\\triangle", "△"}, {"\\angle", "∠"}, {"\\pi", "π"},
      {"\\sqrt", "√"}, {"\\infty", "∞"}, {"\\neq", "≠"}, {"\\pm", "±"}, {"\\leq", "≤"},
      {"\\geq", "≥"}, {"\\le", "≤"}, {"\\ge", "≥"}, {"\\overline", ""}, {"\\dots", "…"},
      {"\\ldots", "…"}, {"\\cdots", "⋯"}, {"\\%", "%"}, {"\\$", "$"}};
  for (const auto& [tex, text] : kSymbols) s.replace(QString::fromUtf8(tex), QString::fromUtf8(text));
  static const QRegularExpression otherCommand(QStringLiteral("\\\\([a-zA-Z]+)"));
  s.replace(otherCommand, QStringLiteral("\\1"));
  s.remove(QLatin1Char('{')).remove(QLatin1Char('}'));
  s = s.simplified();
  if (s.size() > maxChars) s = s.left(maxChars - 1) + QStringLiteral("…");
  return s;
}

QString answerPreviewHtml(const QString& answer) {
  const std::string a = answer.trimmed().toStdString();
  if (a.empty()) return {};
  if (!render::find_math_spans(a, true).empty()) return QString::fromStdString(render::render_markdown_with_math(a));
  return QString::fromStdString("<span class=\"math\" data-display=\"0\">" + render::escape_html(a) + "</span>");
}

}  // namespace zaya::ui
