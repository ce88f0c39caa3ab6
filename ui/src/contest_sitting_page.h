// The running sitting: the clock (always in view), the problem, its answer box,
// flag for review, a navigator to jump between problems, and Submit. Every
// edit is saved through ContestService at once; the box of an AIME sitting
// takes only 000–999 and says why it refused anything else.
#pragma once

#include <QWidget>

#include <functional>

#include "records.h"
#include "zaya/problems/bank.h"

class QButtonGroup;
class QCheckBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QVBoxLayout;

namespace zaya::app {
class ContestService;
}

namespace zaya::ui {

class DocumentView;

// "2:59:58" (hours:minutes:seconds), rounded up to the second while time is left.
QString clockText(qint64 ms);

class ContestSittingPage : public QWidget {
  Q_OBJECT
 public:
  ContestSittingPage(app::ContestService& contests, QWidget* parent = nullptr);

  void setBank(const problems::ProblemBank* bank) { bank_ = bank; }
  void setTheme(const QString& theme);
  // Shows the service's running sitting from its first problem.
  void begin();
  void showProblem(int position);
  int position() const { return position_; }
  // Asks before submitting (tests answer it); by default a message box.
  void setConfirm(std::function<bool(const QString&)> confirm) { confirm_ = std::move(confirm); }
  bool submit();

  QLabel* clock() const { return clock_; }
  QLineEdit* answerBox() const { return answer_; }
  QLabel* answerNote() const { return answerNote_; }
  QCheckBox* flag() const { return flag_; }
  QPushButton* navigatorButton(int position) const;
  DocumentView* statement() const { return statement_; }

 signals:
  void rendered();

 private:
  void onEdited(const QString& text);
  void saveAnswer(const QString& text);
  void updateClock(qint64 remainingMs);
  void updateNavigator();
  void say(const QString& text, bool error);

  app::ContestService& contests_;
  const problems::ProblemBank* bank_ = nullptr;
  int position_ = 0;
  QString lastGood_;  // the box's text before an edit it refused
  std::function<bool(const QString&)> confirm_;

  QLabel* title_;
  QLabel* clock_;
  QPushButton* submit_;
  QWidget* navigator_;
  QGridLayout* navigatorGrid_;
  QList<QPushButton*> numbers_;
  QLabel* heading_;
  DocumentView* statement_;
  QLineEdit* answer_;
  QWidget* choiceBox_;
  QVBoxLayout* choiceLayout_;
  QButtonGroup* choices_;
  QLabel* answerNote_;
  QCheckBox* flag_;
  QPushButton* previous_;
  QPushButton* next_;
};

}  // namespace zaya::ui
