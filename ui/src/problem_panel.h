// One problem: the statement (with diagrams) and the reference solution on
// their own tabs, an answer box with a live rendered preview or choice
// buttons, and the checker's verdict with its reason.
#pragma once

#include <QElapsedTimer>
#include <QWidget>

#include "zaya/problems/answer_checker.h"
#include "zaya/problems/problem.h"

class QButtonGroup;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;

namespace zaya::ui {

class DocumentView;

class ProblemPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ProblemPanel(QWidget* parent = nullptr);

  void setProblem(const problems::Problem* problem);
  const problems::Problem* problem() const { return problem_; }
  void setTheme(const QString& theme);

  // Checks `answer` (or the typed answer / picked choice when empty).
  problems::Verdict check(const QString& answer = {});
  bool pickChoice(const QString& label);
  void showReferenceTab();

  DocumentView* statementView() const { return statement_; }
  DocumentView* referenceView() const { return reference_; }
  QLineEdit* answerField() const { return answer_; }
  QString verdictText() const;

 signals:
  void answerChecked(const QString& problemId, const QString& answer, bool correct, const QString& reason,
                     qint64 milliseconds);
  void statementRendered();

 private:
  void showVerdict(const problems::Verdict& v);

  const problems::Problem* problem_ = nullptr;
  QTabWidget* tabs_;
  DocumentView* statement_;
  DocumentView* reference_;
  QLineEdit* answer_;
  QWidget* choiceBox_;
  QHBoxLayout* choiceLayout_;
  QButtonGroup* choices_;
  QPushButton* check_;
  QLabel* verdict_;
  QElapsedTimer shownFor_;
};

}  // namespace zaya::ui
