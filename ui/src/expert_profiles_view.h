// The expert profiles screen: run or resume the calibration pass
// (app::ExpertCalibration) over a sample of the bank, then browse layer by
// layer how much more (or less) often each expert fires on each topic than on
// average — the measured ratio and the tokens behind it in every cell — with
// a topic label only where product.md's rule holds (≥ 1.5× over ≥ 500 tokens
// of the topic; ExpertCalibration::labelApplies).
//
// Without a local model (none installed, or a remote server in use) it says
// so and offers the way to the screen that fixes it.
#pragma once

#include <QWidget>

#include <memory>

#include "calibration_source.h"
#include "expert_calibration.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace zaya::ui {

class AppContext;

class ExpertProfilesView : public QWidget {
  Q_OBJECT
 public:
  // Data roles of a table cell, for tests and screen readers' tooltips.
  static constexpr int kRatioRole = Qt::UserRole;
  static constexpr int kRoutedRole = Qt::UserRole + 1;
  static constexpr int kTopicTokensRole = Qt::UserRole + 2;
  static constexpr int kLabelRole = Qt::UserRole + 3;

  explicit ExpertProfilesView(AppContext* context, QWidget* parent = nullptr);
  ~ExpertProfilesView() override;

  // The local model to calibrate; `modelId` names its stored profile.
  void setModel(std::shared_ptr<const app::CalibrationSource> source, const QString& modelId);
  // No local model to calibrate; `why` is shown with the way to the model manager.
  void clearModel(const QString& why);
  // The main window is loading the model: the screen is not final until it has.
  void setLoading(bool loading);
  // A remote server writes the solutions: it reports no routing, so there is nothing to profile.
  void setRemoteMode(bool remote);
  void setTheme(const QString& theme);

  app::ExpertCalibration& calibration() { return *calibration_; }
  QString modelId() const { return modelId_; }
  const QList<app::ExpertTopicStat>& profile() const { return profile_; }
  QStringList topics() const { return topics_; }
  int layer() const;  // 0-based, the one the table shows
  void setLayer(int layer);

  // For tests.
  QLabel* messageLabel() const { return message_; }
  QPushButton* modelManagerButton() const { return toModels_; }
  QPushButton* runButton() const { return run_; }
  QPushButton* cancelButton() const { return cancel_; }
  QPushButton* measureAgainButton() const { return again_; }
  QProgressBar* progressBar() const { return bar_; }
  QSpinBox* perTopicChoice() const { return perTopic_; }
  QSpinBox* layerChoice() const { return layer_; }
  QTableWidget* table() const { return table_; }
  QLabel* labelsText() const { return labels_; }
  QLabel* statusLabel() const { return status_; }

 signals:
  void modelManagerRequested();
  void settingsRequested();
  void rendered();

 protected:
  void showEvent(QShowEvent* e) override;

 private:
  void start();
  // Drops the stored profile of this model and runs the calibration afresh.
  void measureAgain();
  void reloadProfile();
  void fillTable();
  void updateControls();
  void showMessage(const QString& text, bool toSettings);
  void setStatus(const QString& text);  // empty hides the line
  void reportRendered();

  AppContext* ctx_;
  std::unique_ptr<app::ExpertCalibration> calibration_;
  std::shared_ptr<const app::CalibrationSource> source_;
  QString modelId_;
  int layers_ = 0, experts_ = 0;
  bool loading_ = false;
  bool remote_ = false;
  QString theme_ = QStringLiteral("light");
  QList<app::ExpertTopicStat> profile_;
  QStringList topics_;
  QHash<QString, qint64> topicTokens_;

  QLabel* intro_;
  QWidget* messageBox_;
  QLabel* message_;
  QPushButton* toModels_;
  QPushButton* toSettings_;
  QWidget* content_;
  QSpinBox* perTopic_;
  QPushButton* run_;
  QPushButton* cancel_;
  QPushButton* again_;
  QProgressBar* bar_;
  QLabel* status_;
  QSpinBox* layer_;
  QLabel* totals_;
  QTableWidget* table_;
  QLabel* labels_;
};

}  // namespace zaya::ui
