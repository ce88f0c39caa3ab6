// The main window: menu, a stack of named screens, and a status bar that says
// where the model would run or that none is installed yet.
#pragma once

#include <QMainWindow>
#include <QMap>

#include <memory>

#include "zaya/problems/bank.h"

class QLabel;
class QStackedWidget;

namespace zaya::ui {

class AppContext;
class DocumentView;
class PracticeView;
class ProgressView;
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
  ProgressView* progressView() const { return progress_; }
  TeacherView* teacherView() const { return teacher_; }
  AppContext* appContext() const { return context_; }
  const problems::ProblemBank* bank() const { return bank_.get(); }
  bool isBankLoaded() const { return bank_ != nullptr; }
  // Opens a problem on the practice screen (once the bank has loaded).
  void openProblem(const QString& id);

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
  QJsonObject welcomeDocument() const;
  void startBankLoad();
  void startModelLoad();
  void addView(const QString& name, QWidget* view);
  void recordAnswer(const QString& problemId, const QString& answer, bool correct, qint64 milliseconds);
  void studentFileAction(int which);

  QStackedWidget* stack_;
  QMap<QString, QWidget*> views_;
  DocumentView* welcome_;
  PracticeView* practice_;
  AppContext* context_;
  ProgressView* progress_;
  TeacherView* teacher_;
  std::unique_ptr<problems::ProblemBank> bank_;
  QString pendingProblem_;
  QString statusBase_;
  QLabel* status_;
  QString theme_ = QStringLiteral("light");
};

}  // namespace zaya::ui
