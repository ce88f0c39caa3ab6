// zaya-tutor: composes the main window from ui/ and handles the command line
// (--version, --view, --theme, --screenshot for documentation and tests).
#include <unistd.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>
#include <cstring>

#include "app_info.h"
#include "main_window.h"
#include "practice_view.h"
#include "problem_panel.h"
#include "solution_view.h"
#include "theme.h"
#include "tutor.h"

namespace {

// QtWebEngine's Chromium refuses to start as root without --no-sandbox, and
// software rendering is the only choice on machines without a GPU driver.
void prepareWebEngineFlags() {
  QByteArray flags = qgetenv("QTWEBENGINE_CHROMIUM_FLAGS");
  if (geteuid() == 0 && !flags.contains("--no-sandbox")) flags += " --no-sandbox";
  if (qgetenv("QT_QPA_PLATFORM") == "offscreen" && !flags.contains("--disable-gpu")) flags += " --disable-gpu";
  qputenv("QTWEBENGINE_CHROMIUM_FLAGS", flags.trimmed());
}

}  // namespace

int main(int argc, char** argv) {
  // --version needs no display: answer before Qt looks for one.
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
      std::printf("zaya-tutor %s\n", ZAYA_VERSION);
      return 0;
    }
  }
  prepareWebEngineFlags();
  QApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("zaya-tutor"));
  QApplication::setApplicationDisplayName(zaya::app::applicationName());
  QApplication::setApplicationVersion(zaya::app::applicationVersion());
  // The installed desktop entry's id: desktops match the window to its menu
  // entry and icon by it (Wayland app id).
  QApplication::setDesktopFileName(QStringLiteral("io.github.zaya_tutor.ZayaTutor"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("Offline math tutor with step-by-step solutions by ZAYA1-8B"));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption viewOpt(QStringLiteral("view"), QStringLiteral("Screen to open."), QStringLiteral("NAME"));
  QCommandLineOption themeOpt(QStringLiteral("theme"), QStringLiteral("light or dark."), QStringLiteral("THEME"),
                              QStringLiteral("light"));
  QCommandLineOption shotOpt(QStringLiteral("screenshot"),
                             QStringLiteral("Render, save a PNG of the window to FILE and exit."), QStringLiteral("FILE"));
  QCommandLineOption problemOpt(QStringLiteral("open-problem"), QStringLiteral("Open the problem with this id."),
                                QStringLiteral("ID"));
  QCommandLineOption solveOpt(QStringLiteral("solve"),
                              QStringLiteral("Ask the installed model for a full solution of the open problem; with "
                                             "--screenshot the picture is taken when it has finished."));
  QCommandLineOption maxTokensOpt(QStringLiteral("max-tokens"), QStringLiteral("Token limit for --solve."),
                                  QStringLiteral("N"), QStringLiteral("4096"));
  parser.addOptions({viewOpt, themeOpt, shotOpt, problemOpt, solveOpt, maxTokensOpt});
  parser.process(app);

  const QString theme = parser.value(themeOpt);
  if (!zaya::ui::isValidTheme(theme)) {
    std::fprintf(stderr, "zaya-tutor: unknown theme '%s' (use light or dark)\n", qPrintable(theme));
    return 2;
  }
  zaya::ui::MainWindow window;  // opens with the theme saved in Settings
  if (parser.isSet(themeOpt)) window.setTheme(theme);
  if (parser.isSet(problemOpt)) window.openProblem(parser.value(problemOpt));
  if (parser.isSet(viewOpt) && !window.showView(parser.value(viewOpt))) {
    std::fprintf(stderr, "zaya-tutor: unknown view '%s'; views: %s\n", qPrintable(parser.value(viewOpt)),
                 qPrintable(window.viewNames().join(QStringLiteral(", "))));
    return 2;
  }

  bool waitForSolution = false;
  if (parser.isSet(solveOpt)) {
    waitForSolution = true;
    auto* panel = window.practiceView()->panel();
    zaya::app::TutorSettings settings = panel->tutor()->settings();
    settings.maxTokens = parser.value(maxTokensOpt).toInt();
    panel->tutor()->setSettings(settings);
    auto started = std::make_shared<bool>(false);
    auto tryStart = [&window, panel, started] {
      if (*started || !window.isBankLoaded() || !panel->problem()) return;
      *started = panel->ask(zaya::app::TutorAction::Solution);
    };
    QObject::connect(&window, &zaya::ui::MainWindow::modelLoaded, &app, [&app, tryStart](bool ok, const QString& message) {
      if (!ok) {
        std::fprintf(stderr, "zaya-tutor: --solve: %s\n", qPrintable(message));
        app.exit(4);
        return;
      }
      tryStart();
    });
    QObject::connect(panel, &zaya::ui::ProblemPanel::statementRendered, &app, tryStart);
  }

  if (parser.isSet(shotOpt)) {
    const QString file = parser.value(shotOpt);
    auto* panel = window.practiceView()->panel();
    auto* solutionView = panel->solutionView();
    auto shoot = [&app, &window, file] {
      // One more event-loop turn so the compositor has the final frame.
      QTimer::singleShot(100, &app, [&app, &window, file] {
        if (!window.grab().save(file, "PNG")) {
          std::fprintf(stderr, "zaya-tutor: cannot write screenshot to %s\n", qPrintable(file));
          app.exit(1);
          return;
        }
        std::printf("screenshot: %s\n", qPrintable(file));
        app.exit(0);
      });
    };
    if (waitForSolution) {
      QObject::connect(panel, &zaya::ui::ProblemPanel::tutorFinished, &app, [solutionView, shoot] {
        if (solutionView->idle()) shoot();
        else QObject::connect(solutionView, &zaya::ui::SolutionView::updatesDrawn, solutionView, shoot, Qt::SingleShotConnection);
      });
    } else {
      QObject::connect(&window, &zaya::ui::MainWindow::viewRendered, &app, shoot);
    }
    QTimer::singleShot(waitForSolution ? 600000 : 60000, &app, [&] {
      std::fprintf(stderr, "zaya-tutor: the view did not finish rendering in time\n");
      app.exit(3);
    });
  }
  window.show();
  return app.exec();
}
