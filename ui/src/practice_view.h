// The student's practice screen: the problem browser beside the open problem.
#pragma once

#include <QWidget>

#include "zaya/problems/bank.h"

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

 signals:
  void rendered();

 private:
  const problems::ProblemBank* bank_ = nullptr;
  QSplitter* splitter_;
  ProblemBrowser* browser_;
  ProblemPanel* panel_;
};

}  // namespace zaya::ui
