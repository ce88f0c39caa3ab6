// The settings screen: device, pack format, the sampling of hints and
// solutions (temperature, top-p, max tokens, thinking budget), font size,
// theme, and the remote OpenAI-compatible server for classrooms (address,
// model, API key, a "Test connection" button). Every change is saved at once
// (app::TutorSettings in the database; the key in its private file) and
// announced, so the main window applies it without a restart.
#pragma once

#include <QWidget>

#include "tutor_settings.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace zaya::ui {

class AppContext;
class BackupBox;

class SettingsView : public QWidget {
  Q_OBJECT
 public:
  explicit SettingsView(AppContext* context, QWidget* parent = nullptr);

  const app::TutorSettings& settings() const { return settings_; }
  // Reads the stored settings again into the controls.
  void refresh();
  // Shows a theme chosen elsewhere (the View menu, --theme) without saving it.
  void showTheme(const QString& theme);
  // Asks the server in the address field for one token; the answer lands in testResultLabel().
  void testConnection();

  // For tests.
  QComboBox* deviceChoice() const { return device_; }
  QComboBox* quantizationChoice() const { return quantization_; }
  QCheckBox* modelSamplingSwitch() const { return modelSampling_; }
  QDoubleSpinBox* temperatureField() const { return temperature_; }
  QDoubleSpinBox* topPField() const { return topP_; }
  QSpinBox* maxTokensField() const { return maxTokens_; }
  QSpinBox* thinkingBudgetField() const { return thinking_; }
  QSpinBox* fontSizeField() const { return fontSize_; }
  QComboBox* themeChoice() const { return theme_; }
  QCheckBox* remoteSwitch() const { return remote_; }
  QLineEdit* remoteUrlField() const { return url_; }
  QLineEdit* remoteModelField() const { return model_; }
  QLineEdit* apiKeyField() const { return key_; }
  QPushButton* testButton() const { return test_; }
  QLabel* testResultLabel() const { return testResult_; }
  QLabel* remoteNote() const { return remoteNote_; }
  BackupBox* backups() const { return backups_; }

 signals:
  // Saved; `before` lets the receiver apply only what changed.
  void settingsChanged(const zaya::app::TutorSettings& now, const zaya::app::TutorSettings& before);
  // The remote server's API key was saved (the tutor should reconnect).
  void apiKeyChanged();
  // A connection test finished (ok or not; the label says which).
  void connectionTested(bool ok, const QString& message);
  void rendered();

 protected:
  void showEvent(QShowEvent* e) override;

 private:
  void commit();  // controls → settings_ → database, then settingsChanged
  void updateRemoteControls();

  AppContext* ctx_;
  app::TutorSettings settings_;
  bool filling_ = false;  // controls being set from settings_: not a user change
  QComboBox* device_;
  QComboBox* quantization_;
  QCheckBox* modelSampling_;
  QDoubleSpinBox* temperature_;
  QDoubleSpinBox* topP_;
  QSpinBox* maxTokens_;
  QSpinBox* thinking_;
  QSpinBox* fontSize_;
  QComboBox* theme_;
  QCheckBox* remote_;
  QLineEdit* url_;
  QLineEdit* model_;
  QLineEdit* key_;
  QPushButton* test_;
  QLabel* testResult_;
  QLabel* remoteNote_;
  QLabel* saveError_;
  BackupBox* backups_;
  int testGeneration_ = 0;
};

}  // namespace zaya::ui
