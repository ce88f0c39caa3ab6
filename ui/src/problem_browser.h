// Search and filters over the bank, and the list of matching problems.
#pragma once

#include <QWidget>

#include "zaya/problems/bank.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QTimer;

namespace zaya::ui {

class ProblemListModel;

class ProblemBrowser : public QWidget {
  Q_OBJECT
 public:
  explicit ProblemBrowser(QWidget* parent = nullptr);

  void setBank(const problems::ProblemBank* bank);
  // Selects a problem by id (clearing filters if it is hidden); false if unknown.
  bool selectProblem(const QString& id);
  // Moves the selection to the next problem of the list; false at the end.
  bool selectNext();
  int visibleCount() const;
  QLineEdit* searchField() const { return search_; }

 signals:
  void problemSelected(const QString& id);

 private:
  void refresh();
  void clearFilters();

  const problems::ProblemBank* bank_ = nullptr;
  QLineEdit* search_;
  QComboBox* source_;
  QComboBox* topic_;
  QComboBox* difficulty_;
  QLabel* count_;
  QListView* list_;
  ProblemListModel* model_;
  QTimer* debounce_;
};

}  // namespace zaya::ui
