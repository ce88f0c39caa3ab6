// The student's practice screen: the problem browser beside the open problem.
// Walking an assigned set, a bar above the problem says which of the set's
// problems is open and steps to the previous and next one.
#pragma once

#include <QWidget>

#include <optional>

#include "zaya/problems/bank.h"

class QLabel;
class QPushButton;
class QSplitter;

namespace zaya::ui {

class ProblemBrowser;
class ProblemPanel;

class PracticeView : public QWidget {
  Q_OBJECT
 public:
  explicit PracticeView(QWidget* parent = nullptr);

  void setBank(const problems::ProblemBank* bank);
  bool openProblem(const QString& id);
  void setTheme(const QString& theme);
  ProblemBrowser* browser() const { return browser_; }
  ProblemPanel* panel() const { return panel_; }

  // Walks the set's problems in order, opening problem `index` (once the bank
  // has loaded). Problems not in the bank are skipped by previous / next.
  bool walkSet(qint64 setId, const QString& title, const QStringList& problemIds, int index = 0);
  void endWalk();
  // The set being walked (nullopt: none) and the position in it.
  std::optional<qint64> walkedSet() const { return walkSet_; }
  int walkIndex() const { return walkIndex_; }
  bool walkNext();
  bool walkPrevious();
  QLabel* walkLabel() const { return walkLabel_; }
  QPushButton* previousButton() const { return previous_; }
  QPushButton* nextButton() const { return next_; }

 signals:
  void rendered();

 private:
  bool walkTo(int index);
  void updateWalkBar();

  const problems::ProblemBank* bank_ = nullptr;
  QSplitter* splitter_;
  ProblemBrowser* browser_;
  ProblemPanel* panel_;
  QWidget* walkBar_;
  QLabel* walkLabel_;
  QPushButton* previous_;
  QPushButton* next_;
  QPushButton* endWalk_;
  std::optional<qint64> walkSet_;
  QString walkTitle_;
  QStringList walkIds_;
  int walkIndex_ = 0;
};

}  // namespace zaya::ui
