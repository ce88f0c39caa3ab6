#include "main_window.h"

#include <QDateTime>
#include <QLocale>
#include <QTime>
#include <QActionGroup>
#include <QDir>
#include <QFileDialog>
#include <QApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>
#include <QWebEngineView>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include "app_context.h"
#include "app_info.h"
#include "assignments_view.h"
#include "contest_view.h"
#include "backend_loader.h"
#include "device_status.h"
#include "document_view.h"
#include "math_markdown.h"
#include "calibration_source.h"
#include "engine_backend.h"
#include "expert_profiles_view.h"
#include "model_manager_view.h"
#include "practice_view.h"
#include "problem_browser.h"
#include "problem_panel.h"
#include "progress_view.h"
#include "settings_view.h"
#include "storage_banner.h"
#include "teacher_view.h"
#include "tutor_settings.h"
#include "profile_view.h"
#include "theme.h"

namespace zaya::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), stack_(new QStackedWidget(this)) {
  setWindowTitle(app::applicationName());
  setWindowIcon(QIcon(QStringLiteral(":/icons/zaya-tutor.svg")));
  resize(1200, 800);

  practice_ = new PracticeView(stack_);
  practice_->setAccessibleName(tr("Practice"));
  addView(QStringLiteral("practice"), practice_);
  connect(practice_, &PracticeView::rendered, this, [this] {
    if (stack_->currentWidget() == practice_) emit viewRendered();
  });

  welcome_ = new DocumentView(stack_);
  welcome_->setAccessibleName(tr("Welcome"));
  addView(QStringLiteral("welcome"), welcome_);
  connect(welcome_, &DocumentView::rendered, this, [this] {
    if (stack_->currentWidget() == welcome_) emit viewRendered();
  });
  welcome_->setDocument(welcomeDocument());

  context_ = new AppContext({}, this);
  // What the storage can and cannot keep stays on screen (StorageBanner), never only in the status bar.
  storageBanner_ = new StorageBanner(context_, this);
  progress_ = new ProgressView(context_, stack_);
  progress_->setAccessibleName(tr("Progress"));
  addView(QStringLiteral("progress"), progress_);
  connect(progress_, &ProgressView::rendered, this, [this] {
    if (stack_->currentWidget() == progress_) emit viewRendered();
  });
  connect(progress_, &ProgressView::reviewRequested, this, &MainWindow::openProblem);
  connect(progress_, &ProgressView::solutionRequested, this, &MainWindow::openSavedSolution);
  if (context_->ok()) practice_->panel()->setStore(&context_->database(), context_->studentId());
  teacher_ = new TeacherView(context_, stack_);
  teacher_->setAccessibleName(tr("Teacher mode"));
  addView(QStringLiteral("teacher"), teacher_);
  connect(teacher_, &TeacherView::rendered, this, [this] {
    if (stack_->currentWidget() == teacher_) emit viewRendered();
  });
  models_ = new ModelManagerView(context_, {}, stack_);
  models_->setAccessibleName(tr("Model manager"));
  addView(QStringLiteral("models"), models_);
  connect(models_, &ModelManagerView::rendered, this, [this] {
    if (stack_->currentWidget() == models_) emit viewRendered();
  });
  connect(models_, &ModelManagerView::modelReady, this, [this] {
    refreshStatus();
    startModelLoad();
  });
  settings_ = new SettingsView(context_, stack_);
  settings_->setAccessibleName(tr("Settings"));
  addView(QStringLiteral("settings"), settings_);
  connect(settings_, &SettingsView::rendered, this, [this] {
    if (stack_->currentWidget() == settings_) emit viewRendered();
  });
  connect(models_, &ModelManagerView::deviceChanged, this, [this] {
    settings_->refresh();
    startModelLoad();
  });
  connect(settings_, &SettingsView::settingsChanged, this,
          [this](const app::TutorSettings& now, const app::TutorSettings& before) {
            if (now.theme != theme_) setTheme(now.theme);
            applySettings();
            const bool remoteChanged = now.remote != before.remote ||
                                       (now.remote && (now.remoteUrl != before.remoteUrl || now.remoteModel != before.remoteModel));
            if (now.quantization != before.quantization || now.device != before.device) models_->refresh();
            if (remoteChanged || (!now.remote && now.device != before.device)) startModelLoad();
          });
  connect(settings_, &SettingsView::apiKeyChanged, this, [this] {
    if (settings_->settings().remote) startModelLoad();
  });
  experts_ = new ExpertProfilesView(context_, stack_);
  experts_->setAccessibleName(tr("Expert profiles"));
  addView(QStringLiteral("experts"), experts_);
  connect(experts_, &ExpertProfilesView::rendered, this, [this] {
    if (stack_->currentWidget() == experts_) emit viewRendered();
  });
  connect(experts_, &ExpertProfilesView::modelManagerRequested, this, [this] { showView(QStringLiteral("models")); });
  connect(experts_, &ExpertProfilesView::settingsRequested, this, [this] { showView(QStringLiteral("settings")); });
  connect(practice_->panel(), &ProblemPanel::modelManagerRequested, this, [this] { showView(QStringLiteral("models")); });
  connect(practice_->panel(), &ProblemPanel::answerChecked, this,
          [this](const QString& id, const QString& answer, bool correct, const QString&, qint64 ms) {
            recordAnswer(id, answer, correct, ms);
          });
  auto* central = new QWidget(this);
  auto* column = new QVBoxLayout(central);
  column->setContentsMargins(0, 0, 0, 0);
  column->setSpacing(0);
  column->addWidget(storageBanner_);
  column->addWidget(stack_, 1);
  setCentralWidget(central);
  connect(context_, &AppContext::dataReplaced, this, [this] {
    practice_->endWalk();  // the set walked was the other student's
    if (context_->ok()) practice_->panel()->setStore(&context_->database(), context_->studentId());
    progress_->refresh();
    settings_->refresh();
    // The theme and the font size are the student's own (TutorSettings): a switch brings theirs.
    if (context_->ok() && settings_->settings().theme != theme_) setTheme(settings_->settings().theme);
    applySettings();
    refreshProblemStatuses();
  });
  profiles_ = new ProfileView(context_, stack_);
  profiles_->setAccessibleName(tr("Students on this computer"));
  addView(QStringLiteral("profiles"), profiles_);
  connect(profiles_, &ProfileView::rendered, this, [this] {
    if (stack_->currentWidget() == profiles_) emit viewRendered();
  });
  connect(profiles_, &ProfileView::chosen, this, [this] { showView(QStringLiteral("practice")); });
  assignments_ = new AssignmentsView(context_, stack_);
  assignments_->setAccessibleName(tr("Assignments"));
  addView(QStringLiteral("assignments"), assignments_);
  connect(assignments_, &AssignmentsView::rendered, this, [this] {
    if (stack_->currentWidget() == assignments_) emit viewRendered();
  });
  connect(assignments_, &AssignmentsView::openRequested, this,
          [this](qint64 setId, const QString& title, const QStringList& ids) {
            showView(QStringLiteral("practice"));
            practice_->walkSet(setId, title, ids);
          });
  connect(assignments_, &AssignmentsView::assignmentsChanged, this, [this] {
    progress_->refresh();
    practice_->panel()->applySetRules();  // a new set may bind the open problem
  });
  contests_ = new ContestView(context_, stack_);
  contests_->setAccessibleName(tr("Mock contests"));
  addView(QStringLiteral("contests"), contests_);
  connect(contests_, &ContestView::rendered, this, [this] {
    if (stack_->currentWidget() == contests_) emit viewRendered();
  });
  // Review after a sitting: the problem on the practice screen with the student's own answer.
  connect(contests_, &ContestView::reviewRequested, this, [this](const QString& id, const QString& answer, bool correct) {
    showView(QStringLiteral("practice"));
    practice_->endWalk();
    if (practice_->openProblem(id)) practice_->panel()->reviewAnswer(answer, correct);
  });
  connect(progress_, &ProgressView::sittingRequested, this, [this](qint64 id) {
    showView(QStringLiteral("contests"));
    contests_->showReport(id);
  });
  connect(contests_, &ContestView::sittingsChanged, this, [this] {
    progress_->refresh();
    assignments_->refresh();
    practice_->panel()->applySetRules();  // the sitting's problems are open to help again
    refreshProblemStatuses();
  });
  // Several students share this computer: ask who is working before anything is counted.
  stack_->setCurrentWidget(context_->needsStudentChoice() ? static_cast<QWidget*>(profiles_) : practice_);

  status_ = new QLabel(this);
  status_->setAccessibleName(tr("Model and device status"));
  status_->setWordWrap(true);  // a reason the GPU is not used is kept whole, never cut at the window's edge
  // A normal (not permanent) widget: showMessage() then shows over it for a
  // while instead of being hidden behind it.
  statusBar()->addWidget(status_, 1);
  baseFontPoints_ = QApplication::font().pointSizeF();
  buildMenus();
  setTheme(context_->ok() ? app::TutorSettings::load(context_->database()).theme : QStringLiteral("light"));
  applySettings();
  refreshStatus();
  startBankLoad();
  loader_ = &practice_->panel()->tutor()->backendLoader();
  wireBackendLoader();
  startModelLoad();
  // Live speed; the device line is read again each time, since a GPU failure
  // mid-reply moves the model to the CPU.
  connect(practice_->panel(), &ProblemPanel::tutorSpeed, this, [this](double rate) {
    if (backend_) showLoadedModelStatus();
    status_->setText(tr("%1 · %2 tokens/s").arg(statusWithMemory()).arg(rate, 0, 'f', 1));
  });
  connect(practice_->panel(), &ProblemPanel::tutorFinished, this, [this] { refreshStatus(); });
}

void MainWindow::startModelLoad() {
  backend_.reset();  // the status line stops asking the model being replaced
  practice_->panel()->tutor()->loadBackend();
}

void MainWindow::wireBackendLoader() {
  connect(loader_, &app::BackendLoader::started, this, [this](bool remote) { experts_->setRemoteMode(remote); });
  connect(loader_, &app::BackendLoader::loading, this, [this](const QString& name) {
    modelLoading_ = true;
    statusBar()->showMessage(tr("Loading %1…").arg(name));
    experts_->setLoading(true);
  });
  connect(loader_, &app::BackendLoader::notice, this, [this](const QString& message) { statusBar()->showMessage(message, 8000); });
  connect(loader_, &app::BackendLoader::calibrationChanged, this,
          [this](std::shared_ptr<const app::CalibrationSource> source, const QString& modelId, const QString& whyNot) {
            if (source) experts_->setModel(std::move(source), modelId);
            else experts_->clearModel(whyNot);
          });
  connect(loader_, &app::BackendLoader::loaded, this,
          [this](std::shared_ptr<app::GenerationBackend> backend, const QString& why) {
            const bool wasLoading = std::exchange(modelLoading_, false);
            if (wasLoading) statusBar()->clearMessage();
            // The tutor took the backend already (it owns the loader).
            backend_ = loader_->engine();
            refreshStatus();
            // A model that was being read and failed says so where the student looks.
            if (!backend && wasLoading) statusBar()->showMessage(why);
            emit modelLoaded(backend != nullptr, backend ? backend->info().name : why);
          });
}

void MainWindow::applySettings() {
  if (!context_->ok()) return;
  const app::TutorSettings s = settings_->settings();
  practice_->panel()->tutor()->setSettings(s);
  applyFontSize(s.fontSize);
}

void MainWindow::applyFontSize(int points) {
  // 0 = the system's size: nothing to change unless a size was set before.
  const double wanted = points > 0 ? double(points) : baseFontPoints_;
  QFont f = QApplication::font();
  if (wanted <= 0 || qFuzzyCompare(f.pointSizeF(), wanted)) return;
  f.setPointSizeF(wanted);
  QApplication::setFont(f);
  // The rendered pages (problems, solutions) scale with it through their zoom.
  const double zoom = baseFontPoints_ > 0 ? wanted / baseFontPoints_ : 1.0;
  for (QWebEngineView* v : findChildren<QWebEngineView*>()) v->setZoomFactor(zoom);
}

void MainWindow::addView(const QString& name, QWidget* view) {
  stack_->addWidget(view);
  views_.insert(name, view);
}

void MainWindow::startBankLoad() {
  // ~8,000 problems load in a few hundred milliseconds: off the UI thread so
  // the window appears at once.
  using Result = std::pair<std::shared_ptr<problems::ProblemBank>, QString>;
  auto* watcher = new QFutureWatcher<Result>(this);
  connect(watcher, &QFutureWatcher<Result>::finished, this, [this, watcher] {
    auto [bank, error] = watcher->result();
    watcher->deleteLater();
    if (!bank) {
      statusBar()->showMessage(tr("The problem bank could not be loaded: %1").arg(error));
      emit bankLoaded(false, error);
      return;
    }
    bank_ = std::make_unique<problems::ProblemBank>(std::move(*bank));
    practice_->setBank(bank_.get());
    context_->setBank(bank_.get());
    refreshProblemStatuses();
    const QString wanted = pendingProblem_;
    pendingProblem_.clear();
    if (wanted.isEmpty() || !practice_->openProblem(wanted)) {
      if (!wanted.isEmpty()) statusBar()->showMessage(tr("No problem with id %1 in the bank").arg(wanted), 8000);
      if (!bank_->problems().empty()) practice_->openProblem(QString::fromStdString(bank_->problems().front().id));
    }
    // A sitting that was running when the app closed goes on, on its own screen.
    if (context_->ok() && stack_->currentWidget() != profiles_) {
      contests_->refresh();
      if (contests_->sittingShown()) showView(QStringLiteral("contests"));
    }
    emit bankLoaded(true, {});
  });
  watcher->setFuture(QtConcurrent::run([]() -> Result {
    try {
      std::string tried;
      const auto dir = problems::find_problems_dir({}, &tried);
      if (!dir) return {nullptr, QStringLiteral("no problem data found (looked in %1)").arg(QString::fromStdString(tried))};
      return {std::make_shared<problems::ProblemBank>(problems::ProblemBank::load(*dir)), {}};
    } catch (const std::exception& e) {
      return {nullptr, QString::fromStdString(e.what())};
    }
  }));
}

void MainWindow::openProblem(const QString& id) {
  showView(QStringLiteral("practice"));
  if (!bank_) {
    pendingProblem_ = id;
    return;
  }
  if (!practice_->openProblem(id)) statusBar()->showMessage(tr("No problem with id %1 in the bank").arg(id), 8000);
}

bool MainWindow::openSavedSolution(const QString& problemId, qint64 solutionId) {
  showView(QStringLiteral("practice"));
  if (!bank_ || !practice_->openProblem(problemId) || !practice_->panel()->showSavedSolution(solutionId)) {
    statusBar()->showMessage(tr("That solution cannot be opened (problem %1 is not in the bank or the solution is gone).").arg(problemId), 8000);
    return false;
  }
  return true;
}

QStringList MainWindow::viewNames() const { return views_.keys(); }

bool MainWindow::showView(const QString& name) {
  auto it = views_.find(name);
  if (it == views_.end()) return false;
  stack_->setCurrentWidget(*it);
  return true;
}

QString MainWindow::currentViewName() const { return views_.key(stack_->currentWidget()); }

void MainWindow::setTheme(const QString& theme) {
  theme_ = theme;
  if (auto* app = qobject_cast<QApplication*>(QCoreApplication::instance())) applyTheme(*app, theme);
  welcome_->setTheme(theme);
  practice_->setTheme(theme);
  contests_->setTheme(theme);
  progress_->setTheme(theme);
  models_->setTheme(theme);
  experts_->setTheme(theme);
  settings_->showTheme(theme);
  if (themeActions_)
    for (QAction* a : themeActions_->actions()) a->setChecked(a->data().toString() == theme);
}

void MainWindow::recordAnswer(const QString& problemId, const QString& answer, bool correct, qint64 milliseconds) {
  // Every checked answer is saved or the banner says it was not.
  const QString shown = answer.size() > 40 ? answer.left(39) + QChar(0x2026) : answer;
  const QString what = tr("Your answer “%1” to %2 (checked at %3)")
                           .arg(shown, problemId, QLocale().toString(QTime::currentTime(), QLocale::ShortFormat));
  if (!context_->ok()) {
    context_->storage().reportNotSaved(what);
    return;
  }
  const problems::Problem* p = bank_ ? bank_->find(problemId.toStdString()) : nullptr;
  if (!p) {
    context_->storage().reportNotSaved(
        what, app::AppError(app::AppError::Kind::NotFound, tr("the problem is not in the loaded problem bank")));
    return;
  }
  app::NewAttempt a;
  a.problemId = problemId;
  a.topic = QString::fromStdString(std::string(problems::topic_name(p->topic)));
  a.difficulty = p->difficulty;
  a.answer = answer;
  a.correct = correct;
  a.millisTaken = milliseconds;
  try {
    // Counted for the newest assigned set that contains the problem.
    if (!context_->auth().isTeacher())
      for (const auto& s : context_->classroom().mySets())
        if (s.problemIds.contains(problemId) && (!a.setId || s.id > *a.setId)) a.setId = s.id;
    if (const auto walked = practice_->walkedSet(); walked && a.setId && !context_->auth().isTeacher())
      for (const auto& s : context_->classroom().mySets())
        if (s.id == *walked && s.problemIds.contains(problemId)) a.setId = s.id;
    // The help before the attempt, from the panel's tracker when the answer is
    // the attempt it just counted (docs/app-core.md, "Attempts: time and help").
    const app::AttemptTracker& tracker = practice_->panel()->attemptTracker();
    if (const auto& t = tracker.lastAttempt(); t && tracker.problemId() == problemId && t->answer == answer) {
      a.hintsUsed = t->help.hints;
      a.explanationsUsed = t->help.explanations;
      a.questionsAsked = t->help.questions;
      a.modelSolutionViewed = t->help.modelSolutionViewed;
      a.referenceSolutionViewed = t->help.referenceSolutionViewed;
    }
    context_->progress().recordAttempt(a);
  } catch (const app::AppError& e) {
    context_->storage().reportNotSaved(what, e);
  }
  refreshProblemStatuses();
}

void MainWindow::refreshProblemStatuses() {
  if (!context_->ok() || !bank_) return;
  const qint64 me = context_->studentId();
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  try {
    auto& progress = context_->progress();
    practice_->browser()->setProgress(progress.problemStatuses(me, now), progress.dailyPractice(me, *bank_, now));
  } catch (const app::AppError& e) {
    // Progress unreadable (another profile signed in, a damaged file): the
    // browser still works, only without marks.
    statusBar()->showMessage(tr("Your progress marks could not be read: %1").arg(e.message()), 8000);
  }
}

QString MainWindow::statusText() const { return status_->text(); }

void MainWindow::refreshStatus() {
  const app::TutorSettings settings = context_->ok() ? app::TutorSettings::load(context_->database()) : app::TutorSettings{};
  if (settings.remote) {
    statusBase_ = tr("Remote server: %1 (%2) · expert views unavailable").arg(settings.remoteUrl, settings.remoteModel);
    status_->setText(statusBase_);
    status_->setToolTip({});
    return;
  }
  if (backend_) {  // what is loaded and where it runs now, not what the probe would pick
    showLoadedModelStatus();
    return;
  }
  const auto s = app::currentDeviceStatus(app::dataDirectory() + QStringLiteral("/models"));
  statusBase_ = s.summary();
  if (!s.modelInstalled) statusBase_ += tr(" · Ctrl+4: model manager");
  status_->setText(statusWithMemory());
  status_->setToolTip(s.reason);
}

void MainWindow::showLoadedModelStatus() {
  const QString note = backend_->deviceNote();
  statusBase_ = app::loadedModelStatus(backend_->modelName(), backend_->deviceDescription(), note);
  // A model whose own chat template cannot be used is prompted another way: said, never silent.
  const QString promptNote = backend_->promptNote();
  if (!promptNote.isEmpty()) statusBase_ += QStringLiteral(" · ") + promptNote;
  status_->setText(statusWithMemory());
  QStringList tips{app::gpuNotUsedText(note), promptNote};
  tips.removeAll(QString());
  status_->setToolTip(tips.join(QLatin1Char('\n')));
}

QString MainWindow::statusWithMemory() const {
  const auto memory = backend_ ? backend_->deviceMemory() : std::nullopt;
  return memory ? tr("%1 · %2").arg(statusBase_, app::deviceMemoryText(memory->usedBytes, memory->totalBytes)) : statusBase_;
}

QJsonObject MainWindow::welcomeDocument() const {
  QJsonArray sections;
  auto section = [&](const QString& heading, const QString& text) {
    const std::string html = render::render_markdown_with_math(text.toStdString());
    sections.append(QJsonObject{{QStringLiteral("heading"), heading}, {QStringLiteral("html"), QString::fromStdString(html)}});
  };
  section(tr("Practice"),
          tr("Work through SAT, AMC, AIME, MATH and GSM8K problems. Type an answer such as $\\frac{3}{4}$, "
             "$0.75$ or $75\\%$ and the checker accepts every equivalent form."));
  section(tr("Step-by-step solutions"),
          tr("ZAYA1-8B writes each solution step by step, right on this computer. Display math is typeset "
             "as you read it:\n\n$$\\sum_{k=1}^{n} k^3 = \\left(\\frac{n(n+1)}{2}\\right)^2$$"));
  section(tr("See the experts at work"),
          tr("At each of its 40 layers the model routes every token to one of 16 experts or skips the "
             "layer. Every step of a solution shows which experts did the work."));
  return QJsonObject{{QStringLiteral("title"), tr("Welcome to ZAYA Tutor")},
                     {QStringLiteral("meta"), tr("Version %1 · runs entirely offline").arg(app::applicationVersion())},
                     {QStringLiteral("sections"), sections}};
}

}  // namespace zaya::ui
