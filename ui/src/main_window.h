// The main window: menu, a stack of named screens, and a status bar that says
// where the model would run or that none is installed yet.
#pragma once

#include <QMainWindow>
#include <QMap>

class QLabel;
class QStackedWidget;

namespace zaya::ui {

class DocumentView;

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

 signals:
  // The current screen has finished drawing (web content included).
  void viewRendered();

 private:
  void buildMenus();
  void refreshStatus();
  QJsonObject welcomeDocument() const;

  QStackedWidget* stack_;
  QMap<QString, QWidget*> views_;
  DocumentView* welcome_;
  QLabel* status_;
  QString theme_ = QStringLiteral("light");
};

}  // namespace zaya::ui
