// The score report of an ended sitting: the score by the app's checker, the
// time used, each problem with its topic, the student's answer, the key and
// the time spent, the topic breakdown, how it compares with the student's
// earlier sittings; then review, problem by problem, on the practice screen.
#pragma once

#include <QWidget>

#include "contest_service.h"
#include "zaya/problems/bank.h"

class QLabel;
class QPushButton;
class QTableWidget;

namespace zaya::ui {

class ContestReportPage : public QWidget {
  Q_OBJECT
 public:
  explicit ContestReportPage(QWidget* parent = nullptr);
  void setBank(const problems::ProblemBank* bank) { bank_ = bank; }
  void show(const app::SittingReport& report);
  const app::SittingReport& report() const { return report_; }

  QLabel* score() const { return score_; }
  QLabel* comparison() const { return comparison_; }
  QTableWidget* problems() const { return problems_; }
  QTableWidget* topics() const { return topics_; }
  // Opens the selected problem for review (emits reviewRequested).
  bool reviewSelected();

 signals:
  // Review a problem on the practice screen with the student's own answer.
  void reviewRequested(const QString& problemId, const QString& answer, bool correct);
  void printRequested(bool answerKey);
  void backRequested();

 private:
  const problems::ProblemBank* bank_ = nullptr;
  app::SittingReport report_;
  QLabel* title_;
  QLabel* score_;
  QLabel* detail_;
  QLabel* comparison_;
  QTableWidget* problems_;
  QTableWidget* topics_;
  QPushButton* review_;
};

}  // namespace zaya::ui
