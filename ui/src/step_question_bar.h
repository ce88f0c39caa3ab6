// The one-line follow-up under the problem's tabs: "Ask about step N" of the
// solution on screen (live or saved), or a free question about the problem.
// The question is optional for a step (the tutor then explains the step) and
// required for a free question.
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

namespace zaya::ui {

class StepQuestionBar : public QWidget {
  Q_OBJECT
 public:
  explicit StepQuestionBar(QWidget* parent = nullptr);

  // Opens the bar about step `step` (1-based) of solution `solutionId` (0: the
  // newest solution), whose text begins with `stepText`; step 0: a question
  // about the problem itself.
  void open(int step, qint64 solutionId, const QString& stepText = {});
  void close();

  int step() const { return step_; }
  qint64 solutionId() const { return solutionId_; }
  QLineEdit* field() const { return field_; }
  QPushButton* askButton() const { return ask_; }
  QLabel* label() const { return label_; }
  void setAskAvailable(bool available);

 signals:
  void askRequested(int step, qint64 solutionId, const QString& text);

 private:
  void updateAskButton();

  QLabel* label_;
  QLineEdit* field_;
  QPushButton* ask_;
  QPushButton* close_;
  int step_ = 0;
  qint64 solutionId_ = 0;
  bool available_ = true;
};

}  // namespace zaya::ui
