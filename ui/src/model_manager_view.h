// The model manager screen: what ZAYA1-8B is and what it needs, the ways to
// get it onto this computer (download from the hub, import a local snapshot
// folder, open a pack), the running stage with its progress bar and Cancel,
// the memory and speed estimates for the installed model, the device choice,
// and the installed models with the one in use.
//
// It drives app::ModelManager; when the manager reaches Ready the screen says
// so and emits modelReady so the main window reloads the tutor's model.
#pragma once

#include <QWidget>

#include <memory>

#include "model_manager.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace zaya::ui {

class AppContext;
class PromptFormatBox;

class ModelManagerView : public QWidget {
  Q_OBJECT
 public:
  // `modelsRoot` empty = <data directory>/models.
  explicit ModelManagerView(AppContext* context, const QString& modelsRoot = {}, QWidget* parent = nullptr);
  ~ModelManagerView() override;

  app::ModelManager& manager() { return *manager_; }
  void setTheme(const QString& theme);
  // Reads the installed models and the device setting again.
  void refresh();

  // For tests and the main window.
  QLabel* introLabel() const { return intro_; }
  QLabel* stateLabel() const { return state_; }
  QLabel* detailLabel() const { return detail_; }
  QProgressBar* progressBar() const { return bar_; }
  QLineEdit* repoField() const { return repo_; }
  QLineEdit* revisionField() const { return revision_; }
  // The hub access token (gated or private repositories); stored when edited.
  QLineEdit* hubTokenField() const { return hubToken_; }
  QLabel* hubTokenNote() const { return hubTokenNote_; }
  QPushButton* downloadButton() const { return download_; }
  QPushButton* cancelButton() const { return cancel_; }
  QPushButton* convertButton() const { return convert_; }
  QComboBox* presetChoice() const { return preset_; }
  // The presets compared: size, bytes per token, estimated and measured speed.
  QLabel* presetSpeedsLabel() const { return presetSpeeds_; }
  QComboBox* deviceChoice() const { return device_; }
  QListWidget* installedList() const { return installed_; }
  QPushButton* useButton() const { return use_; }
  QLabel* gpuEstimateLabel() const { return gpuEstimate_; }
  QLabel* cpuEstimateLabel() const { return cpuEstimate_; }
  PromptFormatBox* promptFormatBox() const { return promptFormat_; }
  // The furthest the progress bar got in the current stage, in per mille
  // (the bar is reset when a stage begins).
  int furthestProgress() const { return furthest_; }

 signals:
  // A model was checked and is ready (path = its folder or pack).
  void modelReady(const QString& path);
  // The device setting changed (the tutor's model should be loaded again).
  void deviceChanged(const QString& device);
  void rendered();

 protected:
  void showEvent(QShowEvent* e) override;

 private:
  void storeHubToken();
  void onState(app::ModelManager::State state);
  void onProgress(app::ModelManager::Stage stage, double fraction, const QString& text);
  void updateButtons();
  void startEstimates(const QString& path);
  void importFolder();
  void openPack();

  AppContext* ctx_;
  std::unique_ptr<app::ModelManager> manager_;
  QLabel* intro_;
  PromptFormatBox* promptFormat_ = nullptr;
  QLabel* state_;
  QLabel* detail_;
  QProgressBar* bar_;
  QPushButton* cancel_;
  QLineEdit* repo_;
  QLineEdit* revision_;
  QLineEdit* hubToken_;
  QLabel* hubTokenNote_;
  QPushButton* download_;
  QPushButton* import_;
  QPushButton* open_;
  QComboBox* preset_;
  QLabel* presetSpeeds_;
  QPushButton* convert_;
  QComboBox* device_;
  QLabel* gpuEstimate_;
  QLabel* cpuEstimate_;
  QListWidget* installed_;
  QPushButton* use_;
  QString theme_ = QStringLiteral("light");
  QString estimatedPath_;
  int estimateGeneration_ = 0;  // a newer estimate request makes older results stale
  bool estimating_ = false;     // an estimate for the shown model is running
  bool renderPending_ = false;  // shown meanwhile: `rendered` waits for it
  int furthest_ = 0;
};

}  // namespace zaya::ui
