// The browser's list: a flat model over the bank's search result. Rows are
// pointers into the bank, so filtering ~7,900 problems only swaps a vector.
#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QIcon>

#include "practice_plan.h"

#include "zaya/problems/problem.h"

namespace zaya::ui {

class ProblemListModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Role { ProblemIdRole = Qt::UserRole + 1 };
  using QAbstractListModel::QAbstractListModel;

  void setProblems(std::vector<const problems::Problem*> rows);
  // The rows point into a bank: call when that bank is replaced.
  void forgetBank() { rowText_.clear(); }
  // The student's standing per problem id: shown as a mark before each row.
  void setStatuses(QHash<QString, app::ProblemStatus> statuses);
  app::ProblemStatus statusOf(const QString& id) const { return statuses_.value(id); }
  const problems::Problem* problemAt(int row) const;
  int rowOf(const QString& id) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

 private:
  QIcon markFor(const app::ProblemStatus& status) const;

  std::vector<const problems::Problem*> rows_;
  QHash<QString, app::ProblemStatus> statuses_;
  mutable QHash<int, QIcon> marks_;  // by mark kind, drawn once
  // Row text by problem, made on first paint: the LaTeX-to-text excerpt is
  // too slow to redo for every row on every repaint and scroll.
  mutable QHash<const problems::Problem*, QString> rowText_;
};

}  // namespace zaya::ui
