// Mock contests (View ▸ Mock contests): choose a past AIME paper, a seeded
// SAT-style module or a teacher's timed set, with extended time for one's own
// practice; sit it (ContestSittingPage); read the score report and review
// (ContestReportPage). The rules are ContestService's.
#pragma once

#include <QWidget>

#include <optional>

#include "contest_service.h"
#include "print_request.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace zaya::ui {

class AppContext;
class ContestReportPage;
class ContestSittingPage;

class ContestView : public QWidget {
  Q_OBJECT
 public:
  explicit ContestView(AppContext* context, QWidget* parent = nullptr);

  void refresh();  // the lists, and the running sitting if there is one
  void setTheme(const QString& theme);

  // Start from the selection (the papers list, the seed, the timed set).
  bool startSelectedPaper();
  bool startSatModule();
  bool startSelectedSet();
  void showReport(qint64 sittingId);
  // What the report's print buttons print; nullopt with the reason when refused.
  std::optional<PrintRequest> printRequest(bool answerKey, QString* why) const;

  QListWidget* papers() const { return papers_; }
  QListWidget* timedSets() const { return sets_; }
  QListWidget* history() const { return history_; }
  QSpinBox* seed() const { return seed_; }
  QComboBox* extendedTime() const { return multiplier_; }
  ContestSittingPage* sittingPage() const { return sitting_; }
  ContestReportPage* reportPage() const { return report_; }
  QWidget* startPage() const { return start_; }
  QWidget* currentPage() const;
  bool sittingShown() const;  // a sitting runs and its page is the one shown
  QLabel* message() const { return message_; }

 signals:
  void reviewRequested(const QString& problemId, const QString& answer, bool correct);
  void sittingsChanged();  // a sitting ended: progress and assignments follow
  void rendered();

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  QWidget* buildStartPage();
  double chosenMultiplier() const;
  void say(const QString& text, bool error);
  void print(bool answerKey);

  AppContext* ctx_;
  QStackedWidget* stack_;
  QWidget* start_ = nullptr;
  ContestSittingPage* sitting_ = nullptr;  // null when the data cannot be opened
  ContestReportPage* report_ = nullptr;
  QListWidget* papers_ = nullptr;
  QListWidget* sets_ = nullptr;
  QListWidget* history_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QComboBox* multiplier_ = nullptr;
  QLabel* message_ = nullptr;
};

}  // namespace zaya::ui
