#include "hint_guard.h"

#include <QList>
#include <QRegularExpression>

#include <algorithm>

#include "zaya/problems/answer_checker.h"

namespace zaya::app {

namespace {

struct Candidate {
  qsizetype at = 0;  // where the statement starts in the hint
  QString value;
};

// \boxed{…} / \fbox{…} contents with balanced braces.
QList<Candidate> boxedValues(const QString& text) {
  QList<Candidate> out;
  static const QRegularExpression open(QStringLiteral(R"(\\(?:boxed|fbox)\s*\{)"));
  auto it = open.globalMatch(text);
  while (it.hasNext()) {
    const auto m = it.next();
    int depth = 1;
    qsizetype i = m.capturedEnd();
    const qsizetype begin = i;
    for (; i < text.size() && depth > 0; ++i) {
      if (text[i] == QLatin1Char('{')) ++depth;
      else if (text[i] == QLatin1Char('}')) --depth;
    }
    // An unclosed box (a reply cut mid-way) still shows its content.
    const qsizetype end = depth == 0 ? i - 1 : text.size();
    out.push_back({m.capturedStart(), text.mid(begin, end - begin)});
  }
  return out;
}

// "the answer is X", "final answer: X", "Answer: X", "answer = X": X up to the
// end of the sentence or line.
QList<Candidate> statedAnswers(const QString& text) {
  QList<Candidate> out;
  static const QRegularExpression stated(
      QStringLiteral(R"(\banswer\s*(?:is|:|=|would be|will be)\s*:?\s*([^\n]*?)(?:\.\s|\.$|;|\n|$))"),
      QRegularExpression::CaseInsensitiveOption);
  auto it = stated.globalMatch(text);
  while (it.hasNext()) {
    const auto m = it.next();
    if (!m.captured(1).trimmed().isEmpty()) out.push_back({m.capturedStart(), m.captured(1).trimmed()});
  }
  return out;
}

bool isTheAnswer(const zaya::problems::Problem& problem, const QString& value) {
  const QString v = value.trimmed();
  if (v.isEmpty()) return false;
  const auto verdict = zaya::problems::check_problem_answer(problem, v.toStdString());
  if (verdict.equivalent) return true;
  // Undecided (too complex to check) still leaks when it is the key as written.
  const auto same = [&](const std::string& key) { return !key.empty() && QString::fromStdString(key).trimmed() == v; };
  return same(problem.answer) || same(problem.answer_text) ||
         std::any_of(problem.accepted_answers.begin(), problem.accepted_answers.end(), same);
}

}  // namespace

qsizetype answerLeakOffset(const zaya::problems::Problem& problem, const QString& hint) {
  if (problem.answer.empty() && problem.accepted_answers.empty()) return -1;
  qsizetype first = -1;
  auto consider = [&](const QList<Candidate>& candidates) {
    for (const auto& c : candidates)
      if (isTheAnswer(problem, c.value) && (first < 0 || c.at < first)) first = c.at;
  };
  consider(boxedValues(hint));
  consider(statedAnswers(hint));
  if (first < 0) return -1;
  // Cut at the start of the sentence (or line): half a sentence ending in
  // "so x =" is worse than no sentence; the sentences before it stay.
  if (first == 0) return 0;
  const qsizetype line = hint.lastIndexOf(QLatin1Char('\n'), first - 1);
  const qsizetype sentence = hint.lastIndexOf(QStringLiteral(". "), first - 1);
  const qsizetype cut = std::max(line < 0 ? 0 : line + 1, sentence < 0 ? 0 : sentence + 2);
  return std::min(cut, first);
}

}  // namespace zaya::app
