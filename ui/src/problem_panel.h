// One problem: the statement (with diagrams) and the reference solution on
// their own tabs, an answer box with a live rendered preview or choice
// buttons, and the checker's verdict with its reason.
#pragma once

#include <QWidget>

#include <memory>

#include "answer_check_runner.h"
#include "records.h"
#include "tutor.h"
#include "attempt_tracker.h"
#include "tutoring_session.h"
#include "zaya/problems/answer_checker.h"
#include "zaya/problems/problem.h"

class QButtonGroup;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;

namespace zaya::app {
class Database;
}

namespace zaya::ui {

class DocumentView;
class SolutionPresenter;
class SolutionView;
class StepQuestionBar;
class WorkingCheckBox;

class ProblemPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ProblemPanel(QWidget* parent = nullptr);

  void setProblem(const problems::Problem* problem);
  const problems::Problem* problem() const { return problem_; }
  void setTheme(const QString& theme);

  // Checks `answer` (or the typed answer / picked choice when empty) here and now.
  problems::Verdict check(const QString& answer = {});
  // The Check button, Enter and the shortcut: checks the typed answer / picked
  // choice on a worker thread with a time budget, showing "Checking…" until the
  // verdict comes; a verdict for a problem the student has left is dropped.
  // Review of a sitting: the student's own answer in the box (or its option
  // chosen), and told to the tutor, so the next hint starts from it.
  void reviewAnswer(const QString& answer, bool correct);
  void startCheck();
  bool checkRunning() const;
  bool pickChoice(const QString& label);
  // The reference solution (or answer key) tab, also Ctrl+Shift+R; seeing it
  // makes the following attempts helped (attempt_tracker.h).
  void showReferenceTab();

  // The tutor behind the hint, solution, question and check-my-working
  // buttons: it builds the prompts, keeps the problem's conversation and
  // saves every reply; the panel only draws what it emits.
  app::Tutor* tutor() const { return tutor_; }
  // The model that writes hints and solutions; null with a reason when there is none.
  void setTutorBackend(std::shared_ptr<app::GenerationBackend> backend, const QString& unavailableReason = {});
  // Asks the tutor (see app::Tutor::ask); false when it cannot start now (the reason is shown).
  bool ask(app::TutorAction action, const QString& text = {}, int step = 0, qint64 solutionId = 0);
  void stopTutor();
  app::TutoringSession* tutorSession() const;
  SolutionView* solutionView() const { return solution_; }
  SolutionPresenter* presenter() const { return presenter_; }
  // Where finished solutions are saved and reopened from (null: not saved).
  void setStore(app::Database* db, qint64 profileId);
  // The saved solutions of the open problem, newest first, in a combo box
  // beside the tutor buttons; picking one shows it with its expert views.
  QComboBox* savedSolutions() const { return saved_; }
  bool showSavedSolution(qint64 solutionId);
  // The saved solution on the solution tab (0: a live or unsaved one, or none).
  qint64 shownSolutionId() const { return shownSolutionId_; }
  // Opens the follow-up box about step `step` (1-based) of the solution on the
  // solution tab; what each step's "Ask about this step" does.
  void openStepQuestion(int step);
  StepQuestionBar* stepQuestionBar() const { return question_; }
  WorkingCheckBox* workingBox() const { return working_; }
  void showWorkingTab();
  // The open problem's active time and help, and its last counted attempt
  // (what answerChecked reported).
  app::AttemptTracker& attemptTracker() { return tutor_->attempts(); }
  // Hints asked for since the problem was opened (recorded with the attempt).
  int hintsUsed() const { return tutor_->attempts().help().hints; }
  // The line under the tutor buttons that says why there is no model and links to the model manager.
  QLabel* modelNote() const { return modelNote_; }
  // Why the tutor refused the last request (plain text; hidden when none).
  QLabel* tutorNote() const { return tutorNote_; }
  // What the open problem's assigned sets forbid, in words (plain text; hidden when nothing).
  QLabel* rulesNote() const { return rulesNote_; }
  QPushButton* hintButton() const { return hint_; }
  QPushButton* solutionButton() const { return solve_; }
  QPushButton* questionButton() const { return askQuestion_; }
  // Whether the reference-solution tab can be opened now (set_rules.h).
  bool referenceAvailable() const;
  // Reads the rules of the open problem's assigned sets again (after an
  // attempt, an import or a change of profile) and applies them.
  void applySetRules();

  DocumentView* statementView() const { return statement_; }
  DocumentView* referenceView() const { return reference_; }
  QLineEdit* answerField() const { return answer_; }
  QString verdictText() const;
  // The reason shown under the verdict (empty while none is shown).
  QString verdictReasonText() const;

 signals:
  // A new attempt: an answer the checker decided, other than the previous
  // attempt's; `milliseconds` is its active time (attempt_tracker.h).
  void answerChecked(const QString& problemId, const QString& answer, bool correct, const QString& reason,
                     qint64 milliseconds);
  void statementRendered();
  void tutorFinished(const zaya::app::Solution& solution);
  void tutorSpeed(double tokensPerSecond);
  // The student followed the "no model" note's link.
  void modelManagerRequested();

 protected:
  bool event(QEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  // What the model solution tab shows: seeing a full solution there is help.
  enum class SolutionShown { Nothing, Hint, Explanation, Full };
  void noteSolutionShown(SolutionShown what);
  void noteTabShown(int index);
  void showVerdict(const problems::Verdict& v);
  QString currentAnswer() const;
  // Shows the verdict and reports it; an undecided one is not reported as an attempt.
  bool refuseCheck();
  void finishCheck(const QString& answer, const problems::Verdict& v);
  void updateTutorButtons();
  void refreshSavedSolutions(qint64 selectId = 0);
  void onReplyStarted(app::TutoringSession* session, app::TutorAction action, const QString& title);
  void onReplyFinished(const app::Solution& solution, app::TutorAction action);

  const problems::Problem* problem_ = nullptr;
  QTabWidget* tabs_;
  DocumentView* statement_;
  DocumentView* reference_;
  QLineEdit* answer_;
  QWidget* choiceBox_;
  QHBoxLayout* choiceLayout_;
  QButtonGroup* choices_;
  QPushButton* check_;
  QLabel* verdict_;
  QLabel* verdictReason_;
  app::AnswerCheckRunner* checkRunner_;
  QString pendingAnswer_;     // what the running check is about
  std::string pendingProblem_;
  app::Tutor* tutor_;
  SolutionShown solutionShown_ = SolutionShown::Nothing;
  SolutionView* solution_;
  SolutionPresenter* presenter_;
  WorkingCheckBox* working_;
  StepQuestionBar* question_;
  QPushButton* hint_;
  QPushButton* solve_;
  QPushButton* askQuestion_;
  QPushButton* stop_;
  QComboBox* saved_;
  app::Database* store_ = nullptr;
  qint64 profileId_ = 0;
  QLabel* modelNote_;
  QLabel* tutorNote_;
  QLabel* rulesNote_;
  app::SetRules rules_;
  bool referenceLoaded_ = false;
  // What the solution tab shows: the saved solution's id (0: live or unsaved)
  // and its steps, for "Ask about this step".
  qint64 shownSolutionId_ = 0;
  QList<app::SolutionStep> shownSteps_;
};

}  // namespace zaya::ui
