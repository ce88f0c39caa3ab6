#include "working_review.h"

#include <QRegularExpression>
#include <QStringList>

namespace zaya::app {

WorkingReview parseWorkingReview(const QString& reply, int workingSteps) {
  WorkingReview r;
  r.replyText = reply;
  // The verdict is the last non-empty line; a VERDICT line in the middle is
  // a draft the model went on to revise, so it does not count.
  const QStringList lines = reply.split(QLatin1Char('\n'));
  QString last;
  for (qsizetype i = lines.size() - 1; i >= 0 && last.isEmpty(); --i) last = lines[i].trimmed();
  static const QRegularExpression head(QStringLiteral(R"(^[*_#\s]*VERDICT[*_\s]*:[*_\s]*(.*?)[*_\s]*$)"),
                                       QRegularExpression::CaseInsensitiveOption);
  const auto m = head.match(last);
  if (!m.hasMatch()) return r;
  const QString body = m.captured(1).trimmed();
  static const QRegularExpression correct(QStringLiteral(R"(^correct\.?$)"), QRegularExpression::CaseInsensitiveOption);
  if (correct.match(body).hasMatch()) {
    r.parsed = r.correct = true;
    return r;
  }
  static const QRegularExpression wrong(
      QStringLiteral(R"(^step\s*(\d+)\s*\|\s*["“”']?(.*?)["“”']?\s*\|\s*(.+)$)"),
      QRegularExpression::CaseInsensitiveOption);
  const auto w = wrong.match(body);
  if (!w.hasMatch()) return r;
  bool ok = false;
  const int step = w.captured(1).toInt(&ok);
  // A step the working does not have is a misread reply, not a mark.
  if (!ok || step < 1 || step > workingSteps) return r;
  r.parsed = true;
  r.firstWrongStep = step;
  r.quote = w.captured(2).trimmed();
  r.explanation = w.captured(3).trimmed();
  return r;
}

}  // namespace zaya::app
