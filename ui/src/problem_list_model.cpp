#include "problem_list_model.h"

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

int ProblemListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant ProblemListModel::data(const QModelIndex& index, int role) const {
  const problems::Problem* p = problemAt(index.row());
  if (!p) return {};
  switch (role) {
    case Qt::DisplayRole: {
      // Two lines: where it is from, then the start of the statement as plain text.
      const QString excerpt = plainExcerpt(p->statement_latex, 110);
      const auto topic = problems::topic_name(p->topic);
      return QStringLiteral("%1  ·  %2  ·  %3\n%4")
          .arg(problemTitle(*p), QString::fromUtf8(topic.data(), qsizetype(topic.size())),
               QString(p->difficulty, QChar(0x25CF)) + QString(5 - p->difficulty, QChar(0x25CB)), excerpt);
    }
    case Qt::ToolTipRole: return problemMeta(*p);
    case Qt::AccessibleTextRole: return problemTitle(*p);
    case ProblemIdRole: return QString::fromStdString(p->id);
    default: return {};
  }
}

}  // namespace zaya::ui
