// Builds the web-view documents of a problem: its statement (with diagrams,
// choices and an answer preview box) and its reference solution. All text
// goes through the markdown + math renderer, which escapes it.
#pragma once

#include <QJsonObject>
#include <QString>

#include "zaya/problems/problem.h"

namespace zaya::ui {

// "AIME 2024 I · Problem 1", "MATH · math-test-0042", "GSM8K · gsm8k-test-0007".
QString problemTitle(const problems::Problem& p);
// "Algebra · difficulty 3 of 5 · MATH (test split)"; marks automatic topics.
QString problemMeta(const problems::Problem& p);

QJsonObject problemDocument(const problems::Problem& p);
QJsonObject referenceSolutionDocument(const problems::Problem& p);

// A statement as one line of plain text for lists: math delimiters removed
// (money kept when '$' is not math), fractions as a/b and roots as √x, even
// nested; symbols as their characters, environments and line breaks as
// "; ", diagrams as "[diagram]"; at most maxChars characters.
QString plainExcerpt(const std::string& latex, bool dollarIsMath, int maxChars);

// The answer typed so far, as preview HTML: math unless it already holds delimiters.
QString answerPreviewHtml(const QString& answer);

// Renders text whose [asy]…[/asy] blocks are replaced by the bank's
// pre-rendered SVG diagrams of `part` (or a "diagram not available" note).
std::string renderWithDiagrams(const std::string& text, bool dollarIsMath,
                               const std::vector<problems::Diagram>& diagrams, problems::Diagram::Part part);

}  // namespace zaya::ui
