// What to print (PrintRequest) and how it becomes the print page's
// document: the set's header and each problem's HTML, all of it from the
// app's markdown + math renderer or as plain text, never the set's text read
// as markup. SetPrinter (set_printer.h) prints it.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QPageSize>
#include <QSizeF>
#include <QString>

#include <optional>

#include "records.h"
#include "zaya/problems/bank.h"
#include "zaya/problems/problem.h"
#include "zaya/problems/problem_set.h"

class QLocale;

namespace zaya::ui {

struct PrintRequest {
  enum class Kind { Worksheet, AnswerKey };
  Kind kind = Kind::Worksheet;
  QString title;         // the set's title, shown as typed (never read as markup)
  QString subtitle;      // e.g. "Due 10 Dec 2026" or "Time allowed: 3 hours"; may be empty
  QString instructions;  // markdown + math, through the app's renderer; may be empty
  QList<problems::Problem> problems;  // in print order, numbered from 1
  // Paper; invalid = defaultPaperSize() of the system locale.
  QPageSize pageSize;
};

// Letter where the locale measures in US units or is in the US or Canada, A4 elsewhere.
QPageSize defaultPaperSize(const QLocale& locale);

// A teacher's own problem of a set as a Problem, so that it prints like a bank problem.
problems::Problem problemFromCustom(const std::string& id, const problems::CustomProblem& custom);

// The request that prints a stored set (its title, due date, instructions,
// bank and custom problems in order). nullopt, with the reason in `error`,
// when the set's file is damaged or names a problem this bank lacks.
std::optional<PrintRequest> printRequestForSet(const app::ProblemSet& set, const problems::ProblemBank* bank,
                                               PrintRequest::Kind kind, QString* error);

// "Week 3 — worksheet.pdf" / "Week 3 — answer key.pdf", without characters file systems refuse.
QString suggestedPdfName(const PrintRequest& request);

// The print page's document (resources/web/print.js): `sheetPx` is the
// printable area of one page in CSS pixels; `generation` is echoed back.
QJsonObject printDocument(const PrintRequest& request, QSizeF sheetPx, int generation);

}  // namespace zaya::ui
