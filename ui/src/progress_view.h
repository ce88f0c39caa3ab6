// The progress dashboard: accuracy by topic over time and mastery per topic
// (Qt Charts), a calendar heatmap of practice, streak, time on task, the
// problems due for review, assigned problem sets and the attempt history.
#pragma once

#include <QDate>
#include <QWidget>

#include "progress_rules.h"

class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;
class QStackedWidget;

class QChartView;

namespace zaya::ui {

class AppContext;

// A year of practice as a grid of days (columns = weeks, rows = Monday..Sunday),
// shaded by the number of attempts; the tooltip of a day gives its counts.
class CalendarHeatmap : public QWidget {
  Q_OBJECT
 public:
  explicit CalendarHeatmap(QWidget* parent = nullptr);
  void setActivity(const QList<app::DayActivity>& days, QDate last);
  void setDark(bool dark);
  QDate firstDay() const { return first_; }
  QDate lastDay() const { return last_; }
  // The day drawn at `pos` (invalid outside the grid) and its tooltip text.
  QDate dayAt(const QPoint& pos) const;
  QString toolTipFor(QDate day) const;
  QRect cellRect(QDate day) const;
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override { return sizeHint(); }

 protected:
  void paintEvent(QPaintEvent*) override;
  bool event(QEvent* e) override;

 private:
  static constexpr int kWeeks = 53;
  static constexpr int kCell = 11;
  static constexpr int kGap = 2;
  static constexpr int kLeft = 28;
  static constexpr int kTop = 16;
  QHash<QDate, app::DayActivity> days_;
  QDate first_, last_;
  int maxAttempts_ = 0;
  bool dark_ = false;
};

class ProgressView : public QWidget {
  Q_OBJECT
 public:
  explicit ProgressView(AppContext* context, QWidget* parent = nullptr);

  // Reads everything again from the services.
  void refresh();
  void setTheme(const QString& theme);

  // For tests and the main window.
  bool isEmptyState() const;
  QString summaryText() const;
  QTableWidget* historyTable() const { return history_; }
  QTableWidget* solutionsTable() const { return solutions_; }  // row data (Qt::UserRole): solution id
  QListWidget* reviewList() const { return reviews_; }
  QListWidget* assignmentList() const { return assignments_; }
  QListWidget* sittingList() const { return sittings_; }  // row data (Qt::UserRole): sitting id, 0 while it runs
  QPushButton* startReviewButton() const { return startReview_; }
  CalendarHeatmap* heatmap() const { return heatmap_; }
  QChartView* accuracyChart() const { return accuracyChart_; }
  QChartView* masteryChart() const { return masteryChart_; }
  int accuracySeriesCount() const;
  QStringList masteryTopics() const { return masteryTopics_; }

 signals:
  // The student asked to review this problem (the first one due).
  void reviewRequested(const QString& problemId);
  // The student wants to read a saved solution again, with its expert views.
  void solutionRequested(const QString& problemId, qint64 solutionId);
  // The score report of an ended timed sitting.
  void sittingRequested(qint64 sittingId);
  // Shown and laid out (the charts are widgets: nothing loads later).
  void rendered();

 protected:
  void showEvent(QShowEvent* e) override;

 private:
  void fillCharts(const QList<app::AccuracyPoint>& points, const QList<app::TopicMastery>& mastery);

  AppContext* ctx_;
  QString theme_ = QStringLiteral("light");
  QLabel* title_;
  QLabel* summary_;
  QLabel* empty_;
  QLabel* error_;
  QWidget* content_;
  QChartView* accuracyChart_;
  QChartView* masteryChart_;
  CalendarHeatmap* heatmap_;
  QListWidget* reviews_;
  QPushButton* startReview_;
  QListWidget* assignments_;
  QListWidget* sittings_;
  QTableWidget* history_;
  QTableWidget* solutions_;
  QPushButton* openSolution_;
  QStringList masteryTopics_;
};

}  // namespace zaya::ui
