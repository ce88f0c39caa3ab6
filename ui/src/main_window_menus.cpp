// The main window's menus: the student's class files (their screen is
// Assignments), the screens with their shortcuts, the theme and About.
#include <QActionGroup>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>

#include "app_context.h"
#include "app_info.h"
#include "assignments_view.h"
#include "main_window.h"
#include "practice_view.h"
#include "problem_browser.h"
#include "settings_view.h"
#include "tutor_settings.h"

namespace zaya::ui {

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  // The student's class files; their screen is Assignments, where each says what happened.
  file->addAction(tr("&Join class…"), this, [this] {
    showView(QStringLiteral("assignments"));
    assignments_->joinClass();
  });
  file->addAction(tr("&Import problem set…"), this, [this] {
    showView(QStringLiteral("assignments"));
    assignments_->importSet();
  });
  file->addAction(tr("&Export results…"), this, [this] {
    showView(QStringLiteral("assignments"));
    assignments_->exportResults();
  });
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(tr("&Practice"), QKeySequence(Qt::CTRL | Qt::Key_1), this, [this] { showView(QStringLiteral("practice")); });
  view->addAction(tr("P&rogress"), QKeySequence(Qt::CTRL | Qt::Key_2), this, [this] { showView(QStringLiteral("progress")); });
  view->addAction(tr("&Teacher mode"), QKeySequence(Qt::CTRL | Qt::Key_3), this, [this] { showView(QStringLiteral("teacher")); });
  view->addAction(tr("&Model manager"), QKeySequence(Qt::CTRL | Qt::Key_4), this, [this] { showView(QStringLiteral("models")); });
  view->addAction(tr("&Expert profiles"), QKeySequence(Qt::CTRL | Qt::Key_5), this, [this] { showView(QStringLiteral("experts")); });
  view->addAction(tr("&Settings"), QKeySequence(Qt::CTRL | Qt::Key_Comma), this, [this] { showView(QStringLiteral("settings")); });
  view->addAction(tr("S&tudents on this computer"), QKeySequence(Qt::CTRL | Qt::Key_6), this,
                  [this] { showView(QStringLiteral("profiles")); });
  view->addAction(tr("&Assignments"), QKeySequence(Qt::CTRL | Qt::Key_7), this, [this] { showView(QStringLiteral("assignments")); });
  view->addAction(tr("Mock &contests"), QKeySequence(Qt::CTRL | Qt::Key_8), this, [this] { showView(QStringLiteral("contests")); });
  view->addAction(tr("&Welcome"), QKeySequence(Qt::CTRL | Qt::Key_0), this, [this] { showView(QStringLiteral("welcome")); });
  view->addAction(tr("T&oday's practice"), QKeySequence(Qt::CTRL | Qt::Key_T), this, [this] {
    showView(QStringLiteral("practice"));
    practice_->browser()->showTodaysPractice();
  });
  view->addSeparator();
  auto* themes = new QActionGroup(this);
  themeActions_ = themes;
  for (const auto& [name, label] : {std::pair{QStringLiteral("light"), tr("&Light theme")},
                                    std::pair{QStringLiteral("dark"), tr("&Dark theme")}}) {
    QAction* a = view->addAction(label);
    a->setCheckable(true);
    a->setChecked(name == theme_);
    a->setData(name);
    themes->addAction(a);
    connect(a, &QAction::triggered, this, [this, name = name] {
      setTheme(name);
      // Chosen here it is remembered as if chosen in Settings.
      if (!context_->ok()) return;
      app::TutorSettings s = app::TutorSettings::load(context_->database());
      s.theme = name;
      s.save(context_->database());
      settings_->refresh();
    });
  }

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About ZAYA Tutor"), this, [this] {
    QMessageBox::about(this, tr("About ZAYA Tutor"),
                       tr("<b>ZAYA Tutor %1</b><br>An offline math tutor with step-by-step solutions "
                          "written by ZAYA1-8B on your own computer.<br>%2")
                           .arg(app::applicationVersion(), status_->text().toHtmlEscaped()));
  });
}

}  // namespace zaya::ui
