// The problem panel's answer: the box or the option chosen, checking it off
// the GUI thread with the app's answer checker, and the verdict shown. A
// running timed sitting refuses the check (set_rules.h).
#include "problem_panel.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QLabel>
#include <QLineEdit>

#include "answer_check_runner.h"
#include "zaya/problems/answer_checker.h"

namespace zaya::ui {

QString ProblemPanel::currentAnswer() const {
  if (!problem_) return {};
  if (problem_->is_multiple_choice()) {
    if (QAbstractButton* b = choices_->checkedButton()) return b->text();
    return {};
  }
  return answer_->text();
}

bool ProblemPanel::checkRunning() const { return checkRunner_->busy(); }

void ProblemPanel::reviewAnswer(const QString& answer, bool correct) {
  if (!problem_) return;
  answer_->setText(answer);
  for (QAbstractButton* b : choices_->buttons())
    if (b->text() == answer) b->setChecked(true);
  if (!answer.trimmed().isEmpty()) tutor_->noteAnswer(answer, correct);
}

// A running timed sitting gives no answer feedback: the verdict line says so
// and nothing is checked or recorded.
bool ProblemPanel::refuseCheck() {
  rules_ = tutor_->rules();
  if (rules_.answerCheckAllowed) return false;
  verdict_->setText(rules_.answerCheckReason);
  verdict_->setStyleSheet({});
  verdictReason_->clear();
  verdictReason_->hide();
  return true;
}

void ProblemPanel::startCheck() {
  if (!problem_ || refuseCheck()) return;
  const QString answer = currentAnswer();
  if (answer.trimmed().isEmpty()) {
    check(answer);  // says "Type an answer first."
    return;
  }
  verdict_->setText(tr("Checking…"));
  verdict_->setStyleSheet({});
  verdictReason_->clear();
  verdictReason_->hide();
  pendingAnswer_ = answer;
  pendingProblem_ = problem_->id;
  // The worker gets its own copy: the bank's problem may be replaced meanwhile.
  checkRunner_->start([problem = *problem_, text = answer.toStdString()] {
    return problems::check_problem_answer(problem, text);
  });
}

problems::Verdict ProblemPanel::check(const QString& given) {
  if (!problem_) return {false, "no problem selected"};
  checkRunner_->cancel();
  if (refuseCheck()) return {false, rules_.answerCheckReason.toStdString()};
  QString answer = given;
  if (answer.isEmpty()) answer = currentAnswer();
  if (answer.trimmed().isEmpty()) {
    problems::Verdict v{false, "Type an answer first."};
    verdict_->setText(QString::fromStdString(v.reason));
    verdict_->setStyleSheet({});
    verdictReason_->clear();
    verdictReason_->hide();
    return v;
  }
  const problems::Verdict v = problems::check_problem_answer(*problem_, answer.toStdString());
  finishCheck(answer, v);
  return v;
}

void ProblemPanel::finishCheck(const QString& answer, const problems::Verdict& v) {
  showVerdict(v);
  // Neither right nor wrong: not an attempt to count in the student's progress.
  if (v.undecided) return;
  const auto attempt = tutor_->attempts().attempt(answer);
  if (!attempt) {
    // Check pressed again on the same answer: the verdict again, not a second attempt.
    verdictReason_->setText((v.reason.empty() ? QString() : QString::fromStdString(v.reason) + QLatin1Char('\n')) +
                            tr("The same answer as your last check, so it is not counted again."));
    verdictReason_->show();
    return;
  }
  tutor_->noteAnswer(answer, v.equivalent);  // a wrong answer goes into the next hint
  emit answerChecked(QString::fromStdString(problem_->id), answer, v.equivalent, QString::fromStdString(v.reason),
                     attempt->activeMillis);
  applySetRules();  // a first attempt opens the key of an assigned problem
}

void ProblemPanel::showVerdict(const problems::Verdict& v) {
  if (v.undecided) {
    verdict_->setText(tr("? Not checked"));
    verdictReason_->setText(QString::fromStdString(v.reason));
    verdictReason_->setVisible(!v.reason.empty());
    verdict_->setStyleSheet(QStringLiteral("QLabel { font-weight: 600; }"));
    return;
  }
  verdict_->setText(v.equivalent ? tr("✓ Correct") : tr("✗ Not correct"));
  verdictReason_->setText(QString::fromStdString(v.reason));
  verdictReason_->setVisible(!v.reason.empty());
  const bool dark = palette().color(QPalette::Window).lightness() < 128;
  const char* good = dark ? "#5fd38a" : "#1b7f3b";
  const char* bad = dark ? "#ff7b7b" : "#c62828";
  verdict_->setStyleSheet(QStringLiteral("QLabel { color: %1; font-weight: 600; }").arg(QLatin1String(v.equivalent ? good : bad)));
}

QString ProblemPanel::verdictText() const { return verdict_->text(); }

QString ProblemPanel::verdictReasonText() const { return verdictReason_->isHidden() ? QString() : verdictReason_->text(); }

}  // namespace zaya::ui
