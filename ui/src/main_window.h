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

class DocumentView;
class PracticeView;

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

  QStackedWidget* stack_;
  QMap<QString, QWidget*> views_;
  DocumentView* welcome_;
  PracticeView* practice_;
  std::unique_ptr<problems::ProblemBank> bank_;
  QString pendingProblem_;
  QString statusBase_;
  QLabel* status_;
  QString theme_ = QStringLiteral("light");
};

}  // namespace zaya::ui
