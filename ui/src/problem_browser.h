// Search and filters over the bank, and the list of matching problems.
#pragma once

#include <QHash>
#include <QStringList>
#include <QWidget>

#include "practice_plan.h"

#include "zaya/problems/bank.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
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

  // What the student has done: marks on the rows and the progress filter.
  void setProgress(QHash<QString, app::ProblemStatus> statuses, QStringList todaysPractice);
  enum class ProgressFilter { All, Unsolved, Solved, DueForReview, TodaysPractice };
  void setProgressFilter(ProgressFilter filter);
  ProgressFilter progressFilter() const;
  // Shows today's practice and opens its first problem not solved yet.
  void showTodaysPractice();
  QStringList visibleIds() const;
  QString countText() const;

 signals:
  void problemSelected(const QString& id);

 private:
  void refresh();
  // Every filter back to "all", the progress filter to `keep`; then one refresh.
  void clearFilters(ProgressFilter keep = ProgressFilter::All);

  const problems::ProblemBank* bank_ = nullptr;
  QLineEdit* search_;
  QComboBox* source_;
  QComboBox* topic_;
  QComboBox* difficulty_;
  QComboBox* progress_;
  QPushButton* today_;
  QLabel* count_;
  QListView* list_;
  ProblemListModel* model_;
  QTimer* debounce_;
  QHash<QString, app::ProblemStatus> statuses_;
  QStringList todaysPractice_;
};

}  // namespace zaya::ui
