#include "problem_panel.h"

#include <QApplication>
#include <QButtonGroup>
#include <QComboBox>
#include <QDateTime>
#include <QLocale>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QTabWidget>
#include <QVBoxLayout>

#include "answer_check_runner.h"
#include "app_error.h"
#include "database.h"
#include "document_view.h"
#include "problem_document.h"
#include "solution_presenter.h"
#include "solution_view.h"
#include "step_question_bar.h"
#include "working_check_box.h"

namespace zaya::ui {

ProblemPanel::ProblemPanel(QWidget* parent)
    : QWidget(parent),
      tabs_(new QTabWidget(this)),
      statement_(new DocumentView(this)),
      reference_(new DocumentView(this)),
      answer_(new QLineEdit(this)),
      choiceBox_(new QWidget(this)),
      choiceLayout_(new QHBoxLayout(choiceBox_)),
      choices_(new QButtonGroup(this)),
      check_(new QPushButton(tr("Check"), this)),
      verdict_(new QLabel(this)),
      verdictReason_(new QLabel(this)),
      checkRunner_(new app::AnswerCheckRunner(this)),
      tutor_(new app::Tutor(nullptr, 0, this)),
      solution_(new SolutionView(this)),
      presenter_(new SolutionPresenter(solution_, this)),
      working_(new WorkingCheckBox(this)),
      question_(new StepQuestionBar(this)),
      hint_(new QPushButton(tr("Hint"), this)),
      solve_(new QPushButton(tr("Full solution"), this)),
      askQuestion_(new QPushButton(tr("Ask a question"), this)),
      stop_(new QPushButton(tr("Stop"), this)),
      saved_(new QComboBox(this)),
      modelNote_(new QLabel(this)),
      tutorNote_(new QLabel(this)),
      rulesNote_(new QLabel(this)) {
  statement_->setAccessibleName(tr("Problem statement"));
  reference_->setAccessibleName(tr("Reference solution"));
  tabs_->addTab(statement_, tr("Problem"));
  tabs_->addTab(reference_, tr("Reference solution"));
  tabs_->addTab(solution_, tr("Model solution"));
  tabs_->addTab(working_, tr("Check my working"));
  solution_->setAccessibleName(tr("Model solution"));
  tabs_->setAccessibleName(tr("Problem tabs"));
  hint_->setToolTip(tr("The next step only (Ctrl+H)"));
  solve_->setToolTip(tr("A full step-by-step solution by ZAYA1-8B (Ctrl+L)"));
  askQuestion_->setToolTip(tr("Ask the tutor your own question about this problem (Ctrl+E); "
                              "each step of a solution has its own \"Ask about this step\""));
  stop_->setToolTip(tr("Stop writing; what was written is kept (Esc)"));
  hint_->setAccessibleName(tr("Hint"));
  solve_->setAccessibleName(tr("Full solution"));
  askQuestion_->setAccessibleName(tr("Ask a question"));
  stop_->setAccessibleName(tr("Stop generation"));
  saved_->setAccessibleName(tr("Saved solutions"));
  saved_->setToolTip(tr("Solutions written for this problem before: open one with its expert views, no model needed"));
  saved_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  saved_->setVisible(false);

  answer_->setPlaceholderText(tr("Your answer — a number, a fraction like 3/4, or LaTeX like \\frac{3}{4}"));
  answer_->setAccessibleName(tr("Your answer"));
  check_->setAccessibleName(tr("Check answer"));
  check_->setToolTip(tr("Check your answer (Ctrl+Return)"));
  check_->setDefault(true);
  verdict_->setAccessibleName(tr("Verdict"));
  verdict_->setWordWrap(true);
  verdict_->setTextFormat(Qt::PlainText);
  verdict_->setMinimumHeight(28);
  // Why the answer is right or not, in the checker's words for the student;
  // plain text, since a reason may quote the student's own answer.
  verdictReason_->setAccessibleName(tr("Why"));
  verdictReason_->setWordWrap(true);
  verdictReason_->setTextFormat(Qt::PlainText);
  connect(checkRunner_, &app::AnswerCheckRunner::finished, this, [this](quint64, const problems::Verdict& v) {
    // setProblem() cancels a running check; the id is checked as well in case
    // the same panel shows another problem by another way.
    if (!problem_ || problem_->id != pendingProblem_) return;
    finishCheck(pendingAnswer_, v);
  });
  verdictReason_->hide();
  choiceLayout_->setContentsMargins(0, 0, 0, 0);
  choices_->setExclusive(true);

  auto* answerRow = new QHBoxLayout;
  answerRow->addWidget(answer_, 1);
  answerRow->addWidget(choiceBox_, 1);
  answerRow->addWidget(check_);
  auto* tutorRow = new QHBoxLayout;
  tutorRow->addWidget(hint_);
  tutorRow->addWidget(solve_);
  tutorRow->addWidget(askQuestion_);
  tutorRow->addWidget(stop_);
  tutorRow->addWidget(modelNote_, 1);
  tutorRow->addStretch(0);  // takes the room while the note is hidden
  tutorRow->addWidget(saved_);
  modelNote_->setAccessibleName(tr("Why hints and solutions are unavailable"));
  modelNote_->setTextFormat(Qt::RichText);
  modelNote_->setWordWrap(true);
  modelNote_->hide();
  connect(modelNote_, &QLabel::linkActivated, this, &ProblemPanel::modelManagerRequested);
  tutorNote_->setAccessibleName(tr("Why the tutor did not answer"));
  tutorNote_->setTextFormat(Qt::PlainText);
  tutorNote_->setWordWrap(true);
  tutorNote_->hide();
  // Set names come from the teacher's file: shown as typed, never as markup.
  rulesNote_->setTextFormat(Qt::PlainText);
  rulesNote_->setWordWrap(true);
  rulesNote_->setAccessibleName(tr("What your teacher's set allows"));
  rulesNote_->hide();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 8, 8, 8);
  layout->addWidget(tabs_, 1);
  layout->addWidget(question_);
  layout->addLayout(tutorRow);
  layout->addWidget(tutorNote_);
  layout->addWidget(rulesNote_);
  layout->addLayout(answerRow);
  layout->addWidget(verdict_);
  layout->addWidget(verdictReason_);

  connect(answer_, &QLineEdit::textChanged, this, [this](const QString& text) {
    statement_->setPreviewHtml(answerPreviewHtml(text));
  });
  // Typing, clicking and scrolling anywhere in the panel end an idle pause.
  qApp->installEventFilter(this);
  connect(tabs_, &QTabWidget::currentChanged, this, &ProblemPanel::noteTabShown);
  auto* referenceShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), this);
  connect(referenceShortcut, &QShortcut::activated, this, &ProblemPanel::showReferenceTab);
  tabs_->setTabToolTip(1, tr("The worked solution from the problem bank (Ctrl+Shift+R)"));
  connect(answer_, &QLineEdit::returnPressed, this, [this] { startCheck(); });
  connect(check_, &QPushButton::clicked, this, [this] { startCheck(); });
  auto* shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
  connect(shortcut, &QShortcut::activated, this, [this] { startCheck(); });
  connect(statement_, &DocumentView::rendered, this, &ProblemPanel::statementRendered);
  // A hint reads the student's working, when there is some on the working tab;
  // the wrong answers checked so far reach it through Tutor::noteAnswer.
  connect(hint_, &QPushButton::clicked, this, [this] { ask(app::TutorAction::Hint, working_->editor()->toPlainText()); });
  connect(solve_, &QPushButton::clicked, this, [this] { ask(app::TutorAction::Solution); });
  connect(askQuestion_, &QPushButton::clicked, this, [this] { question_->open(0, 0); });
  connect(stop_, &QPushButton::clicked, this, &ProblemPanel::stopTutor);
  connect(saved_, &QComboBox::activated, this, [this](int index) {
    if (const qint64 id = saved_->itemData(index).toLongLong(); id > 0) showSavedSolution(id);
  });
  connect(solution_, &SolutionView::stepQuestionRequested, this, &ProblemPanel::openStepQuestion);
  connect(question_, &StepQuestionBar::askRequested, this, [this](int step, qint64 solutionId, const QString& text) {
    const bool started = step > 0 ? ask(app::TutorAction::Explain, text, step, solutionId) : ask(app::TutorAction::Question, text);
    if (started) question_->close();
  });
  connect(working_, &WorkingCheckBox::checkRequested, this, [this](const QString& working) {
    if (working.trimmed().isEmpty()) {
      working_->showProblem(tr("Type your working first, one step per line."));
      return;
    }
    if (ask(app::TutorAction::CheckWorking, working)) working_->showChecking();
    else working_->showProblem(tutorNote_->text());
  });
  connect(tutor_, &app::Tutor::replyStarted, this, &ProblemPanel::onReplyStarted);
  connect(tutor_, &app::Tutor::replyFinished, this, &ProblemPanel::onReplyFinished);
  connect(tutor_, &app::Tutor::workingReviewed, this, [this](const app::WorkingReview& review) {
    working_->showReview(review);
  });
  connect(tutor_, &app::Tutor::refused, this, [this](const QString& reason) {
    tutorNote_->setText(reason);
    tutorNote_->setVisible(!reason.isEmpty());
  });
  // A reply that failed or could not be saved, or a conversation that could not be read, is said.
  connect(tutor_, &app::Tutor::replyFailed, this, [this](const QString& message) {
    tutorNote_->setText(message);
    tutorNote_->setVisible(!message.isEmpty());
    updateTutorButtons();
  });
  connect(tutor_, &app::Tutor::backendChanged, this, &ProblemPanel::updateTutorButtons);
  for (auto [key, fn] : {std::pair{QKeySequence(Qt::CTRL | Qt::Key_H), +[](ProblemPanel* p) { p->hint_->click(); }},
                         std::pair{QKeySequence(Qt::CTRL | Qt::Key_L), +[](ProblemPanel* p) { p->solve_->click(); }},
                         std::pair{QKeySequence(Qt::CTRL | Qt::Key_E), +[](ProblemPanel* p) { p->askQuestion_->click(); }},
                         std::pair{QKeySequence(Qt::Key_Escape), +[](ProblemPanel* p) { p->stopTutor(); }}}) {
    auto* sc = new QShortcut(key, this);
    connect(sc, &QShortcut::activated, this, [this, fn = fn] { fn(this); });
  }
  setProblem(nullptr);
}

void ProblemPanel::setProblem(const problems::Problem* problem) {
  checkRunner_->cancel();
  problem_ = problem;
  verdict_->clear();
  verdict_->setStyleSheet({});
  verdictReason_->clear();
  verdictReason_->hide();
  answer_->clear();
  for (QAbstractButton* b : choices_->buttons()) {
    choices_->removeButton(b);
    delete b;
  }
  const bool multipleChoice = problem && problem->is_multiple_choice();
  answer_->setVisible(!multipleChoice);
  choiceBox_->setVisible(multipleChoice);
  answer_->setEnabled(problem);
  check_->setEnabled(problem);
  // The running reply is cancelled and nothing more of it is drawn: it
  // belongs to the problem being left.
  presenter_->stop();
  tutor_->openProblem(problem);
  shownSolutionId_ = 0;
  shownSteps_.clear();
  question_->close();
  working_->clear();
  tutorNote_->hide();
  if (problem)
    solution_->reset(problemTitle(*problem), tutor_->backend() ? tr("Ask for a hint (the next step) or a full solution.")
                                                               : (tutor_->unavailableReason().isEmpty() ? tr("No model installed yet — hints and solutions need ZAYA1-8B.") : tutor_->unavailableReason()),
                     0, 0, false);
  updateTutorButtons();
  solutionShown_ = SolutionShown::Nothing;
  if (!problem) {
    tabs_->setTabEnabled(1, false);
    return;
  }
  if (multipleChoice) {
    for (const auto& c : problem->choices) {
      auto* b = new QPushButton(QString::fromStdString(c.label), choiceBox_);
      b->setCheckable(true);
      b->setToolTip(QString::fromStdString(c.text));
      b->setAccessibleName(tr("Choice %1").arg(QString::fromStdString(c.label)));
      b->setMinimumWidth(44);
      choices_->addButton(b);
      choiceLayout_->addWidget(b);
    }
    choiceLayout_->addStretch(1);
  }
  statement_->setDocument(problemDocument(*problem));
  referenceLoaded_ = false;
  tabs_->setTabText(1, problem->has_solution() ? tr("Reference solution") : tr("Answer key"));
  tabs_->setCurrentIndex(0);
  applySetRules();
  refreshSavedSolutions();
}

bool ProblemPanel::referenceAvailable() const { return problem_ && rules_.referenceAllowed; }

void ProblemPanel::applySetRules() {
  rules_ = problem_ ? tutor_->rules() : app::SetRules{};
  // The key is not even loaded into the page while it may not be shown.
  if (problem_ && rules_.referenceAllowed && !referenceLoaded_) {
    reference_->setDocument(referenceSolutionDocument(*problem_));
    referenceLoaded_ = true;
  }
  tabs_->setTabEnabled(1, referenceAvailable());
  tabs_->setTabToolTip(1, rules_.referenceAllowed ? tr("The worked solution from the problem bank (Ctrl+Shift+R)")
                                                  : rules_.referenceReason);
  if (!referenceAvailable() && tabs_->currentIndex() == 1) tabs_->setCurrentIndex(0);
  QStringList why;
  for (const QString& r : {rules_.hintsReason, rules_.modelSolutionsReason, rules_.referenceReason, rules_.answerCheckReason})
    if (!r.isEmpty()) why << r;
  why.removeDuplicates();  // a running sitting gives one reason for all of them
  check_->setEnabled(problem_ && rules_.answerCheckAllowed);
  check_->setToolTip(rules_.answerCheckAllowed ? tr("Check your answer (Ctrl+Return)") : rules_.answerCheckReason);
  rulesNote_->setText(why.join(QLatin1Char(' ')));
  rulesNote_->setVisible(!why.isEmpty());
  updateTutorButtons();
}

void ProblemPanel::setStore(app::Database* db, qint64 profileId) {
  store_ = db;
  profileId_ = profileId;
  tutor_->setStore(db, profileId);
  applySetRules();
  refreshSavedSolutions();
}

void ProblemPanel::refreshSavedSolutions(qint64 selectId) {
  const QSignalBlocker block(saved_);
  saved_->clear();
  QList<app::Solution> list;
  if (store_ && problem_) {
    try {
      list = store_->solutionsFor(profileId_, QString::fromStdString(problem_->id));
    } catch (const app::AppError&) {
      list.clear();  // an unreadable store hides the list; the problem itself still works
    }
  }
  saved_->setVisible(!list.isEmpty());
  if (list.isEmpty()) return;
  saved_->addItem(tr("Saved solutions (%1)").arg(list.size()), qint64(0));
  for (const app::Solution& s : list) {
    const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(s.createdAt), QLocale::ShortFormat);
    const QString mode = s.mode == QLatin1String("hint")            ? tr("hint")
                         : s.mode == QLatin1String("explain")       ? tr("explanation")
                         : s.mode == QLatin1String("question")      ? tr("answer to a question")
                         : s.mode == QLatin1String("check") || s.mode == QLatin1String("check-working") ? tr("check of your working")
                                                                     : tr("solution");
    QString verdict;
    if (s.cancelled) verdict = tr(" · stopped");
    else if (s.correct) verdict = *s.correct ? tr(" · verified") : tr(" · incorrect");
    saved_->addItem(tr("%1 · %2 · %3 tokens%4").arg(when, mode).arg(s.tokenCount).arg(verdict), s.id);
  }
  saved_->setCurrentIndex(std::max(0, saved_->findData(selectId)));
}

bool ProblemPanel::showSavedSolution(qint64 solutionId) {
  if (!store_ || !problem_) return false;
  std::optional<app::Solution> s;
  try {
    s = store_->solution(solutionId);
  } catch (const app::AppError&) {
    return false;
  }
  if (!s || s->problemId != QString::fromStdString(problem_->id)) return false;
  if (tutor_->isRunning()) return false;  // the live reply owns the view
  const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(s->createdAt), QLocale::LongFormat);
  presenter_->show(*s, tr("Saved solution — %1").arg(problemTitle(*problem_)),
                   tr("Written by %1 on %2").arg(s->model.isEmpty() ? tr("the model") : s->model, when));
  tabs_->setCurrentWidget(solution_);
  shownSolutionId_ = s->id;
  shownSteps_ = s->steps;
  noteSolutionShown(s->mode == QLatin1String("hint")      ? SolutionShown::Hint
                    : s->mode == QLatin1String("explain") ? SolutionShown::Explanation
                                                          : SolutionShown::Full);
  const QSignalBlocker block(saved_);
  saved_->setCurrentIndex(std::max(0, saved_->findData(solutionId)));
  return true;
}

void ProblemPanel::setTheme(const QString& theme) {
  statement_->setTheme(theme);
  reference_->setTheme(theme);
  solution_->setTheme(theme);
  working_->setTheme(theme);
  updateTutorButtons();  // the note's link takes the new theme's colour
}

void ProblemPanel::setTutorBackend(std::shared_ptr<app::GenerationBackend> backend, const QString& unavailableReason) {
  tutor_->setBackend(std::move(backend), unavailableReason);
  updateTutorButtons();
}

app::TutoringSession* ProblemPanel::tutorSession() const { return tutor_->session(); }

void ProblemPanel::updateTutorButtons() {
  const bool hasBackend = tutor_->backend() != nullptr;
  const bool running = tutor_->isRunning();
  const bool usable = hasBackend && problem_ && !running;
  hint_->setEnabled(usable && rules_.hintsAllowed);
  askQuestion_->setEnabled(usable && rules_.hintsAllowed);
  solve_->setEnabled(usable && rules_.modelSolutionsAllowed);
  stop_->setEnabled(running);
  question_->setAskAvailable(usable && rules_.hintsAllowed);
  const QString why = hasBackend ? QString()
                                 : (tutor_->unavailableReason().isEmpty() ? tr("No model installed — hints and solutions need ZAYA1-8B")
                                                                          : tutor_->unavailableReason());
  working_->setCheckAvailable(usable && rules_.hintsAllowed, rules_.hintsAllowed ? why : rules_.hintsReason);
  for (QPushButton* b : {hint_, solve_, askQuestion_}) b->setStatusTip(why);
  if (!hasBackend) {
    hint_->setToolTip(why);
    solve_->setToolTip(why);
  }
  // A button the teacher's set turned off says why, whatever the model.
  if (!rules_.hintsAllowed)
    for (QPushButton* b : {hint_, askQuestion_}) {
      b->setToolTip(rules_.hintsReason);
      b->setStatusTip(rules_.hintsReason);
    }
  if (!rules_.modelSolutionsAllowed) {
    solve_->setToolTip(rules_.modelSolutionsReason);
    solve_->setStatusTip(rules_.modelSolutionsReason);
  }
  modelNote_->setVisible(!hasBackend);
  if (!hasBackend)
    // The link colour is written out: a rich-text label does not follow the
    // palette's Link colour when the theme changes.
    modelNote_->setText(tr("%1 <a href=\"models\" style=\"color: %2\">Open the model manager</a> (Ctrl+4)")
                            .arg(why.toHtmlEscaped(), QApplication::palette().color(QPalette::Link).name()));
}

bool ProblemPanel::ask(app::TutorAction action, const QString& text, int step, qint64 solutionId) {
  if (!problem_) return false;
  tutorNote_->hide();
  if (!tutor_->ask(action, text, step, solutionId)) return false;  // refused(reason) is shown
  // What the student sees of the reply counts as help for the next attempt
  // (attempt_tracker.h): a full solution as soon as its tab shows.
  switch (action) {
    case app::TutorAction::Hint: noteSolutionShown(SolutionShown::Hint); break;
    case app::TutorAction::Explain: noteSolutionShown(SolutionShown::Explanation); break;
    case app::TutorAction::Question:
    case app::TutorAction::CheckWorking:
      tutor_->attempts().noteHelp(app::AttemptTracker::Help::Question);
      noteSolutionShown(SolutionShown::Nothing);
      break;
    case app::TutorAction::Solution: noteSolutionShown(SolutionShown::Full); break;
  }
  updateTutorButtons();
  return true;
}

void ProblemPanel::onReplyStarted(app::TutoringSession* session, app::TutorAction action, const QString& title) {
  shownSolutionId_ = 0;
  shownSteps_.clear();
  connect(session, &app::TutoringSession::tokensPerSecond, this, &ProblemPanel::tutorSpeed);
  connect(session, &app::TutoringSession::failed, this, [this](const QString& message) {
    updateTutorButtons();
    working_->showProblem(tr("The tutor could not answer: %1").arg(message));
  });
  presenter_->follow(session, problem_ ? tr("%1 — %2").arg(title, problemTitle(*problem_)) : title,
                     tr("Written by %1").arg(session->backendInfo().name));
  // A check of the student's working is read where it was typed; the whole
  // reply is still on the solution tab.
  if (action != app::TutorAction::CheckWorking) tabs_->setCurrentWidget(solution_);
  updateTutorButtons();
}

void ProblemPanel::onReplyFinished(const app::Solution& solution, app::TutorAction) {
  updateTutorButtons();
  // A reply about a problem the student has left is not drawn here.
  if (!problem_ || solution.problemId != QString::fromStdString(problem_->id)) return;
  shownSolutionId_ = solution.id;
  shownSteps_ = solution.steps;
  refreshSavedSolutions(solution.id);
  emit tutorFinished(solution);
}

void ProblemPanel::openStepQuestion(int step) {
  if (!problem_ || step < 1) return;
  // While a reply streams its steps are only in the session.
  const QList<app::SolutionStep>& steps =
      shownSteps_.isEmpty() && tutor_->session() ? tutor_->session()->solution().steps : shownSteps_;
  QString text;
  for (const auto& st : steps)
    if (st.index == step) text = st.text;
  question_->open(step, shownSolutionId_, text);
}

void ProblemPanel::showWorkingTab() { tabs_->setCurrentWidget(working_); }

void ProblemPanel::stopTutor() { tutor_->cancel(); }

bool ProblemPanel::pickChoice(const QString& label) {
  for (QAbstractButton* b : choices_->buttons())
    if (b->text() == label) {
      b->setChecked(true);
      return true;
    }
  return false;
}

void ProblemPanel::showReferenceTab() {
  if (referenceAvailable()) {
    tabs_->setCurrentIndex(1);
  } else if (problem_) {
    tutorNote_->setText(rules_.referenceReason);
    tutorNote_->setVisible(true);
  }
}

void ProblemPanel::noteSolutionShown(SolutionShown what) {
  solutionShown_ = what;
  // A hint or an explanation is counted once, when it is asked for or
  // reopened; a full solution is seen whenever its tab is shown.
  if (what == SolutionShown::Hint) tutor_->attempts().noteHelp(app::AttemptTracker::Help::Hint);
  if (what == SolutionShown::Explanation) tutor_->attempts().noteHelp(app::AttemptTracker::Help::Explanation);
  noteTabShown(tabs_->currentIndex());
}

void ProblemPanel::noteTabShown(int index) {
  if (!problem_) return;
  tutor_->attempts().noteActivity();
  if (index == 1) tutor_->attempts().noteHelp(app::AttemptTracker::Help::ReferenceSolution);
  if (tabs_->widget(index) == solution_ && solutionShown_ == SolutionShown::Full)
    tutor_->attempts().noteHelp(app::AttemptTracker::Help::ModelSolution);
}

bool ProblemPanel::event(QEvent* event) {
  // Time counts only while the problem is in front of the student: not while
  // another window is active, nor while another screen of the app is shown.
  // (Window activation reaches every visible widget of the window.)
  switch (event->type()) {
    case QEvent::WindowActivate: tutor_->attempts().setWindowActive(true); break;
    case QEvent::WindowDeactivate:
    case QEvent::Hide: tutor_->attempts().setWindowActive(false); break;
    case QEvent::Show: tutor_->attempts().setWindowActive(isActiveWindow()); break;
    default: break;
  }
  return QWidget::event(event);
}

bool ProblemPanel::eventFilter(QObject* watched, QEvent* event) {
  switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::Wheel:
      if (auto* w = qobject_cast<QWidget*>(watched); w && (w == this || isAncestorOf(w))) tutor_->attempts().noteActivity();
      break;
    default:
      break;
  }
  return QWidget::eventFilter(watched, event);
}

}  // namespace zaya::ui
