#include "problem_list_model.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

#include "problem_document.h"

namespace zaya::ui {

void ProblemListModel::setProblems(std::vector<const problems::Problem*> rows) {
  beginResetModel();
  rows_ = std::move(rows);
  endResetModel();
}

const problems::Problem* ProblemListModel::problemAt(int row) const {
  return row >= 0 && row < static_cast<int>(rows_.size()) ? rows_[static_cast<std::size_t>(row)] : nullptr;
}

int ProblemListModel::rowOf(const QString& id) const {
  const std::string key = id.toStdString();
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i]->id == key) return static_cast<int>(i);
  return -1;
}

void ProblemListModel::setStatuses(QHash<QString, app::ProblemStatus> statuses) {
  statuses_ = std::move(statuses);
  if (!rows_.empty()) emit dataChanged(index(0), index(rowCount() - 1), {Qt::DecorationRole, Qt::ToolTipRole, Qt::AccessibleTextRole});
}

namespace {

enum MarkKind { kNone, kSolved, kTried, kDue };

MarkKind markKind(const app::ProblemStatus& s) {
  if (s.dueForReview) return kDue;
  if (s.standing == app::ProblemStanding::Solved) return kSolved;
  if (s.standing == app::ProblemStanding::Tried) return kTried;
  return kNone;
}

QString statusText(const app::ProblemStatus& s) {
  switch (markKind(s)) {
    case kDue: return QObject::tr("due for review");
    case kSolved: return QObject::tr("solved");
    case kTried: return QObject::tr("tried, not solved yet");
    default: return {};
  }
}

}  // namespace

QIcon ProblemListModel::markFor(const app::ProblemStatus& status) const {
  const int kind = markKind(status);
  if (auto it = marks_.find(kind); it != marks_.end()) return *it;
  // Okabe–Ito colours (colour-blind safe), and a shape per kind so colour is
  // never the only cue: a tick for solved, a ring for tried, a clock for due.
  QPixmap pixmap(32, 32);
  pixmap.fill(Qt::transparent);
  QPainter p(&pixmap);
  p.setRenderHint(QPainter::Antialiasing);
  if (kind == kSolved) {
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0x00, 0x9E, 0x73));
    p.drawEllipse(QRectF(3, 3, 26, 26));
    QPainterPath tick;
    tick.moveTo(9, 16.5);
    tick.lineTo(14, 21.5);
    tick.lineTo(23, 11);
    p.setPen(QPen(Qt::white, 3.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setBrush(Qt::NoBrush);
    p.drawPath(tick);
  } else if (kind == kTried) {
    p.setPen(QPen(QColor(0xE6, 0x9F, 0x00), 4));
    p.drawEllipse(QRectF(5, 5, 22, 22));
  } else if (kind == kDue) {
    p.setPen(QPen(QColor(0x56, 0xB4, 0xE9), 3.5, Qt::SolidLine, Qt::RoundCap));
    p.drawEllipse(QRectF(4, 4, 24, 24));
    p.drawLine(QPointF(16, 16), QPointF(16, 9));
    p.drawLine(QPointF(16, 16), QPointF(21, 19));
  }
  p.end();
  return *marks_.insert(kind, QIcon(pixmap));
}

int ProblemListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant ProblemListModel::data(const QModelIndex& index, int role) const {
  const problems::Problem* p = problemAt(index.row());
  if (!p) return {};
  switch (role) {
    case Qt::DisplayRole: {
      // Two lines: where it is from, then the start of the statement as plain text.
      auto cached = rowText_.find(p);
      if (cached == rowText_.end()) {
        const QString excerpt = plainExcerpt(p->statement_latex, p->dollar_is_math, 110);
        const auto topic = problems::topic_name(p->topic);
        cached = rowText_.insert(p, QStringLiteral("%1  ·  %2  ·  %3\n%4")
                                        .arg(problemTitle(*p), QString::fromUtf8(topic.data(), qsizetype(topic.size())),
                                             QString(p->difficulty, QChar(0x25CF)) + QString(5 - p->difficulty, QChar(0x25CB)),
                                             excerpt));
      }
      return *cached;
    }
    case Qt::DecorationRole: return markFor(statuses_.value(QString::fromStdString(p->id)));
    case Qt::ToolTipRole: {
      const QString status = statusText(statuses_.value(QString::fromStdString(p->id)));
      return status.isEmpty() ? problemMeta(*p) : QStringLiteral("%1 — %2").arg(problemMeta(*p), status);
    }
    case Qt::AccessibleTextRole: {
      const QString status = statusText(statuses_.value(QString::fromStdString(p->id)));
      return status.isEmpty() ? problemTitle(*p) : QStringLiteral("%1, %2").arg(problemTitle(*p), status);
    }
    case ProblemIdRole: return QString::fromStdString(p->id);
    default: return {};
  }
}

}  // namespace zaya::ui
