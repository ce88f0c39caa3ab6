#include "step_segmenter.h"

#include <QRegularExpression>

namespace zaya::app {

namespace {

bool blank(const QString& s, int from, int to) {
  for (int i = from; i < to; ++i)
    if (!s[i].isSpace()) return false;
  return true;
}

QList<StepSpan> dropBlank(const QString& text, QList<StepSpan> spans) {
  QList<StepSpan> out;
  for (const auto& s : spans) {
    if (blank(text, s.start, s.end)) {
      if (!out.isEmpty()) out.back().end = s.end;  // keep the text covered
      continue;
    }
    if (out.isEmpty() && s.start > 0) {
      StepSpan first = s;
      first.start = 0;
      out.push_back(first);
      continue;
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace

QList<StepSpan> segmentSteps(const QString& answer) {
  static const QRegularExpression marker(
      QStringLiteral("^[ \\t]*(?:[#*_>]+[ \\t]*)*step[ \\t]+\\d+\\b"),
      QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption);
  QList<int> starts;
  for (auto it = marker.globalMatch(answer); it.hasNext();) starts << int(it.next().capturedStart());
  QList<StepSpan> spans;
  if (!starts.isEmpty()) {
    starts[0] = 0;  // a preamble belongs to step 1
    for (qsizetype i = 0; i < starts.size(); ++i)
      spans.push_back({starts[i], i + 1 < starts.size() ? starts[i + 1] : int(answer.size()), true});
    return dropBlank(answer, spans);
  }
  // Paragraphs and display math.
  const int n = int(answer.size());
  bool inDollars = false, inBracket = false;
  int segStart = 0;
  auto cut = [&](int at) {
    if (at > segStart) spans.push_back({segStart, at, false});
    segStart = at;
  };
  for (int i = 0; i < n; ++i) {
    const QChar c = answer[i];
    if (c == QLatin1Char('\\') && i + 1 < n) {
      const QChar d = answer[i + 1];
      if (d == QLatin1Char('[') && !inDollars) inBracket = true;
      if (d == QLatin1Char(']') && inBracket) {
        inBracket = false;
        int j = i + 2;
        while (j < n && (answer[j] == QLatin1Char(' ') || answer[j] == QLatin1Char('\t'))) ++j;
        if (j < n && answer[j] == QLatin1Char('\n')) cut(j + 1);
      }
      ++i;
      continue;
    }
    if (c == QLatin1Char('$') && i + 1 < n && answer[i + 1] == QLatin1Char('$') && !inBracket) {
      inDollars = !inDollars;
      if (!inDollars) {
        int j = i + 2;
        while (j < n && (answer[j] == QLatin1Char(' ') || answer[j] == QLatin1Char('\t'))) ++j;
        if (j < n && answer[j] == QLatin1Char('\n')) cut(j + 1);
      }
      ++i;
      continue;
    }
    if (c == QLatin1Char('\n') && !inDollars && !inBracket) {
      int j = i + 1;
      while (j < n && (answer[j] == QLatin1Char(' ') || answer[j] == QLatin1Char('\t'))) ++j;
      if (j < n && answer[j] == QLatin1Char('\n')) {
        while (j < n && answer[j].isSpace()) ++j;
        if (j < n) cut(j);  // a paragraph break followed by more text
        i = j - 1;
      }
    }
  }
  if (segStart < n) spans.push_back({segStart, n, false});
  return dropBlank(answer, spans);
}

QString lastBoxed(const QString& text) {
  static const QRegularExpression box(QStringLiteral("\\\\(?:boxed|fbox)\\s*\\{"));
  QString found;
  for (auto it = box.globalMatch(text); it.hasNext();) {
    const auto m = it.next();
    int depth = 1;
    int i = int(m.capturedEnd());
    const int begin = i;
    for (; i < text.size() && depth > 0; ++i) {
      if (text[i] == QLatin1Char('{')) ++depth;
      if (text[i] == QLatin1Char('}')) --depth;
    }
    if (depth == 0) found = text.mid(begin, i - 1 - begin);
  }
  return found;
}

}  // namespace zaya::app
