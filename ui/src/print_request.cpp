#include "print_request.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QLocale>
#include <QRegularExpression>

#include "classroom_files.h"
#include "math_markdown.h"
#include "problem_document.h"

namespace zaya::ui {

namespace pr = zaya::problems;

namespace {

QString tr(const char* text) { return QCoreApplication::translate("SetPrinter", text); }
QString qs(const std::string& s) { return QString::fromStdString(s); }

std::string html(const std::string& markdown, bool dollarIsMath) {
  render::RenderOptions options;
  options.dollar_is_math = dollarIsMath;
  return render::render_markdown_with_math(markdown, options);
}

// One paragraph reads better inline (after a choice's label, after "Answer").
std::string inlined(std::string body) {
  if (body.rfind("<p>", 0) == 0 && body.find("<p>", 3) == std::string::npos) {
    body = body.substr(3);
    body = body.substr(0, body.rfind("</p>"));
  }
  return body;
}

std::string choicesHtml(const pr::Problem& p) {
  std::string list = "<ul class=\"choices\">";
  for (const auto& c : p.choices)
    list += "<li><span class=\"label\">" + render::escape_html(c.label) + ")</span>" +
            inlined(html(c.text, p.dollar_is_math)) + "</li>";
  return list + "</ul>";
}

// The key as a teacher reads it: "B) 12 apples" for multiple choice (the
// option as the source wrote it), else the answer typeset as math.
QString answerHtml(const pr::Problem& p) {
  if (p.is_multiple_choice()) {
    std::string text;
    for (const auto& c : p.choices)
      if (c.label == p.answer) text = inlined(html(c.text, p.dollar_is_math));
    if (text.empty() && !p.answer_text.empty()) text = render::escape_html(p.answer_text);
    return qs("<span class=\"label\">" + render::escape_html(p.answer) + ")</span> " + text);
  }
  if (!p.dollar_is_math) return qs(render::escape_html(p.answer));  // money, not math
  return answerPreviewHtml(qs(p.answer));
}

// The key repeats the statement in short (print.css clamps it to a few
// lines): the figures stay on the worksheet.
std::string withoutDiagrams(const std::string& latex) {
  static const QRegularExpression asy(QStringLiteral("\\[asy\\].*?(\\[/asy\\]|$)"), QRegularExpression::DotMatchesEverythingOption);
  return qs(latex).replace(asy, QStringLiteral(" (figure) ")).toStdString();
}

QString sourceLine(const pr::Problem& p) {
  if (p.source_key == "custom") return tr("Your own problem");
  return problemTitle(p);
}

}  // namespace

QPageSize defaultPaperSize(const QLocale& locale) {
  const bool letter = locale.measurementSystem() == QLocale::ImperialUSSystem ||
                      locale.territory() == QLocale::UnitedStates || locale.territory() == QLocale::Canada;
  return QPageSize(letter ? QPageSize::Letter : QPageSize::A4);
}

pr::Problem problemFromCustom(const std::string& id, const pr::CustomProblem& custom) {
  pr::Problem p;
  p.id = id;
  p.source_key = "custom";
  p.source = "Teacher's problem";
  p.topic = custom.topic.value_or(pr::Topic::Prealgebra);
  p.topic_source = pr::TopicSource::Dataset;
  p.difficulty = custom.difficulty.value_or(1);
  p.statement_latex = custom.statement_latex;
  p.choices = custom.choices;
  p.answer = custom.answer;
  p.accepted_answers = {custom.answer};
  for (const auto& c : custom.choices)
    if (c.label == custom.answer) p.answer_text = c.text;
  p.solution_latex = custom.solution_latex;
  return p;
}

std::optional<PrintRequest> printRequestForSet(const app::ProblemSet& set, const pr::ProblemBank* bank,
                                               PrintRequest::Kind kind, QString* error) {
  auto refuse = [&](const QString& why) -> std::optional<PrintRequest> {
    if (error) *error = why;
    return std::nullopt;
  };
  PrintRequest r;
  r.kind = kind;
  r.title = set.title;
  if (set.dueAt)
    r.subtitle = tr("Due %1").arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(*set.dueAt).date(), QLocale::LongFormat));
  // The set's file holds the instructions and the teacher's own problems;
  // problemIds alone names only bank problems.
  std::vector<pr::SetItem> items;
  if (!set.fileJson.isEmpty()) {
    // Stored sets were validated on the way in; a newer bank's ids must not make an old set unprintable here.
    const auto parsed = pr::import_problem_set(set.fileJson.toStdString(), [](std::string_view) { return true; });
    if (!parsed) return refuse(tr("The set “%1” is damaged: %2").arg(set.title, qs(parsed.error)));
    r.instructions = qs(parsed.value->instructions);
    items = parsed.value->items;
  } else {
    for (const QString& id : set.problemIds) items.push_back(pr::SetItem{id.toStdString(), std::nullopt, 1.0});
  }
  for (const auto& item : items) {
    if (item.custom) {
      r.problems << problemFromCustom(item.id, *item.custom);
      continue;
    }
    const pr::Problem* p = bank ? bank->find(item.id) : nullptr;
    if (!p) return refuse(tr("Problem %1 of “%2” is not in the problem bank on this computer.").arg(qs(item.id), set.title));
    r.problems << *p;
  }
  if (r.problems.isEmpty()) return refuse(tr("The set “%1” has no problems to print.").arg(set.title));
  return r;
}

QString suggestedPdfName(const PrintRequest& request) {
  const QString what = request.kind == PrintRequest::Kind::AnswerKey ? tr("answer key") : tr("worksheet");
  const QString title = request.title.trimmed().isEmpty() ? tr("Problem set") : request.title.trimmed();
  return app::classroom_files::safeFileName(QStringLiteral("%1 — %2").arg(title, what)) + QStringLiteral(".pdf");
}

QJsonObject printDocument(const PrintRequest& request, QSizeF sheetPx, int generation) {
  const bool key = request.kind == PrintRequest::Kind::AnswerKey;
  QJsonArray problems;
  int number = 0;
  for (const pr::Problem& p : request.problems) {
    QJsonObject o{{QStringLiteral("number"), ++number}};
    if (key) {
      o.insert(QStringLiteral("source"), sourceLine(p));
      o.insert(QStringLiteral("excerptHtml"), qs(html(withoutDiagrams(p.statement_latex), p.dollar_is_math)));
      o.insert(QStringLiteral("answerHtml"), answerHtml(p));
      if (p.has_solution())
        o.insert(QStringLiteral("solutionHtml"),
                 qs(renderWithDiagrams(p.solution_latex, p.dollar_is_math, p.diagrams, pr::Diagram::Part::Solution)));
      else
        o.insert(QStringLiteral("noSolution"), p.source_key == "custom" ? tr("No reference solution in the set")
                                                                        : tr("No reference solution in the bank"));
    } else {
      o.insert(QStringLiteral("statementHtml"),
               qs(renderWithDiagrams(p.statement_latex, p.dollar_is_math, p.diagrams, pr::Diagram::Part::Statement)));
      if (p.is_multiple_choice()) o.insert(QStringLiteral("choicesHtml"), qs(choicesHtml(p)));
    }
    problems.append(o);
  }
  const QString kindLabel = key ? tr("Answer key") : tr("Worksheet");
  const QString title = request.title.trimmed().isEmpty() ? tr("Problem set") : request.title.trimmed();
  return QJsonObject{
      {QStringLiteral("generation"), generation},
      {QStringLiteral("kind"), key ? QStringLiteral("key") : QStringLiteral("worksheet")},
      {QStringLiteral("kindLabel"), kindLabel},
      {QStringLiteral("title"), title},  // text, not markup: print.js sets it as a text node
      {QStringLiteral("subtitle"), request.subtitle},
      {QStringLiteral("instructionsHtml"), request.instructions.trimmed().isEmpty()
                                               ? QString()
                                               : qs(html(request.instructions.toStdString(), true))},
      {QStringLiteral("footer"), QStringLiteral("%1 — %2").arg(title, kindLabel)},
      {QStringLiteral("sheet"), QJsonObject{{QStringLiteral("width"), sheetPx.width()},
                                            {QStringLiteral("height"), sheetPx.height()}}},
      {QStringLiteral("labels"), QJsonObject{{QStringLiteral("name"), tr("Name:")},
                                             {QStringLiteral("date"), tr("Date:")},
                                             {QStringLiteral("answer"), tr("Answer:")},
                                             {QStringLiteral("solution"), tr("Solution")},
                                             {QStringLiteral("continued"), tr("Solution (continued)")},
                                             {QStringLiteral("page"), tr("Page %1 of %2")}}},
      {QStringLiteral("problems"), problems}};
}

}  // namespace zaya::ui
