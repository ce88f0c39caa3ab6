// The browser's list: a flat model over the bank's search result. Rows are
// pointers into the bank, so filtering ~7,900 problems only swaps a vector.
#pragma once

#include <QAbstractListModel>

#include "zaya/problems/problem.h"

namespace zaya::ui {

class ProblemListModel : public QAbstractListModel {
  Q_OBJECT
 public:
  enum Role { ProblemIdRole = Qt::UserRole + 1 };
  using QAbstractListModel::QAbstractListModel;

  void setProblems(std::vector<const problems::Problem*> rows);
  const problems::Problem* problemAt(int row) const;
  int rowOf(const QString& id) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;

 private:
  std::vector<const problems::Problem*> rows_;
};

}  // namespace zaya::ui
