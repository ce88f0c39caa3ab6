// The main window: menu, a stack of named screens, and a status bar that says
// where the model would run or that none is installed yet.
#pragma once

#include <QMainWindow>
#include <QMap>

#include <memory>

#include "generation_backend.h"
#include "zaya/problems/bank.h"

namespace zaya::app {
class BackendLoader;
class EngineBackend;
}

class QActionGroup;
class QLabel;
class QStackedWidget;

namespace zaya::ui {

class AppContext;
class AssignmentsView;
class ContestView;
class DocumentView;
class ExpertProfilesView;
class ModelManagerView;
class PracticeView;
class ProfileView;
class ProgressView;
class SettingsView;
class StorageBanner;
class TeacherView;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  QStringList viewNames() const;
  bool showView(const QString& name);
  QString currentViewName() const;
  void setTheme(const QString& theme);
  QString theme() const { return theme_; }
  QString statusText() const;
  DocumentView* welcomeView() const { return welcome_; }
  PracticeView* practiceView() const { return practice_; }
  ProfileView* profileView() const { return profiles_; }
  AssignmentsView* assignmentsView() const { return assignments_; }
  ContestView* contestView() const { return contests_; }
  ProgressView* progressView() const { return progress_; }
  TeacherView* teacherView() const { return teacher_; }
  ModelManagerView* modelManagerView() const { return models_; }
  SettingsView* settingsView() const { return settings_; }
  ExpertProfilesView* expertProfilesView() const { return experts_; }
  AppContext* appContext() const { return context_; }
  StorageBanner* storageBanner() const { return storageBanner_; }
  const problems::ProblemBank* bank() const { return bank_.get(); }
  bool isBankLoaded() const { return bank_ != nullptr; }
  // Opens a problem on the practice screen (once the bank has loaded).
  void openProblem(const QString& id);
  // Re-reads the student's solved / tried / due problems and today's practice into the browser.
  void refreshProblemStatuses();
  // Opens a saved solution with its expert views on the practice screen.
  bool openSavedSolution(const QString& problemId, qint64 solutionId);

 signals:
  // The current screen has finished drawing (web content included).
  void viewRendered();
  // The problem bank finished loading (ok) or failed (error says why).
  void bankLoaded(bool ok, const QString& error);
  // The installed model finished loading (ok) or could not be used.
  void modelLoaded(bool ok, const QString& message);

 private:
  void buildMenus();
  void refreshStatus();
  QString statusWithMemory() const;
  void showLoadedModelStatus();  // the loaded model, where it runs now and why not on a chosen GPU  // statusBase_ plus the GPU memory in use, when on a GPU
  QJsonObject welcomeDocument() const;
  void startBankLoad();
  // Loads the tutor's model again (the active one, on the chosen device) or
  // connects to the remote server, per the settings; a newer call supersedes an older one.
  void startModelLoad();
  // The loader's outcomes onto the tutor, the expert profiles and the status line.
  void wireBackendLoader();
  // The stored settings that act on the window and the tutor (font, sampling).
  void applySettings();
  void applyFontSize(int points);
  void addView(const QString& name, QWidget* view);
  void recordAnswer(const QString& problemId, const QString& answer, bool correct, qint64 milliseconds);

  QStackedWidget* stack_;
  QMap<QString, QWidget*> views_;
  DocumentView* welcome_;
  PracticeView* practice_;
  AppContext* context_;
  ProgressView* progress_;
  ProfileView* profiles_;
  AssignmentsView* assignments_ = nullptr;
  ContestView* contests_ = nullptr;
  TeacherView* teacher_;
  ModelManagerView* models_;
  SettingsView* settings_;
  StorageBanner* storageBanner_;
  ExpertProfilesView* experts_;
  QActionGroup* themeActions_ = nullptr;
  app::BackendLoader* loader_ = nullptr;
  bool modelLoading_ = false;  // "Loading …" is on the status bar until the loader's outcome
  double baseFontPoints_ = 0;  // the font size the system gave, for scaling the web pages
  std::unique_ptr<problems::ProblemBank> bank_;
  QString pendingProblem_;
  QString statusBase_;
  std::shared_ptr<app::EngineBackend> backend_;  // the loaded model: its name, device, device memory
  QLabel* status_;
  QString theme_ = QStringLiteral("light");
};

}  // namespace zaya::ui
