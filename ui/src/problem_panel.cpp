#include "problem_panel.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QTabWidget>
#include <QVBoxLayout>

#include "document_view.h"
#include "problem_document.h"

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
      verdict_(new QLabel(this)) {
  statement_->setAccessibleName(tr("Problem statement"));
  reference_->setAccessibleName(tr("Reference solution"));
  tabs_->addTab(statement_, tr("Problem"));
  tabs_->addTab(reference_, tr("Reference solution"));
  tabs_->setAccessibleName(tr("Problem tabs"));

  answer_->setPlaceholderText(tr("Your answer — a number, a fraction like 3/4, or LaTeX like \\frac{3}{4}"));
  answer_->setAccessibleName(tr("Your answer"));
  check_->setAccessibleName(tr("Check answer"));
  check_->setToolTip(tr("Check your answer (Ctrl+Return)"));
  check_->setDefault(true);
  verdict_->setAccessibleName(tr("Verdict"));
  verdict_->setWordWrap(true);
  verdict_->setTextFormat(Qt::PlainText);
  verdict_->setMinimumHeight(28);
  choiceLayout_->setContentsMargins(0, 0, 0, 0);
  choices_->setExclusive(true);

  auto* answerRow = new QHBoxLayout;
  answerRow->addWidget(answer_, 1);
  answerRow->addWidget(choiceBox_, 1);
  answerRow->addWidget(check_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 8, 8, 8);
  layout->addWidget(tabs_, 1);
  layout->addLayout(answerRow);
  layout->addWidget(verdict_);

  connect(answer_, &QLineEdit::textChanged, this, [this](const QString& text) {
    statement_->setPreviewHtml(answerPreviewHtml(text));
  });
  connect(answer_, &QLineEdit::returnPressed, this, [this] { check(); });
  connect(check_, &QPushButton::clicked, this, [this] { check(); });
  auto* shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
  connect(shortcut, &QShortcut::activated, this, [this] { check(); });
  connect(statement_, &DocumentView::rendered, this, &ProblemPanel::statementRendered);
  setProblem(nullptr);
}

void ProblemPanel::setProblem(const problems::Problem* problem) {
  problem_ = problem;
  verdict_->clear();
  verdict_->setStyleSheet({});
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
  reference_->setDocument(referenceSolutionDocument(*problem));
  tabs_->setTabEnabled(1, true);
  tabs_->setTabText(1, problem->has_solution() ? tr("Reference solution") : tr("Answer key"));
  tabs_->setCurrentIndex(0);
  shownFor_.start();
}

void ProblemPanel::setTheme(const QString& theme) {
  statement_->setTheme(theme);
  reference_->setTheme(theme);
}

bool ProblemPanel::pickChoice(const QString& label) {
  for (QAbstractButton* b : choices_->buttons())
    if (b->text() == label) {
      b->setChecked(true);
      return true;
    }
  return false;
}

void ProblemPanel::showReferenceTab() { tabs_->setCurrentIndex(1); }

problems::Verdict ProblemPanel::check(const QString& given) {
  if (!problem_) return {false, "no problem selected"};
  QString answer = given;
  if (answer.isEmpty()) {
    if (problem_->is_multiple_choice()) {
      if (QAbstractButton* b = choices_->checkedButton()) answer = b->text();
    } else {
      answer = answer_->text();
    }
  }
  if (answer.trimmed().isEmpty()) {
    problems::Verdict v{false, "Type an answer first."};
    verdict_->setText(QString::fromStdString(v.reason));
    verdict_->setStyleSheet({});
    return v;
  }
  const problems::Verdict v = problems::check_problem_answer(*problem_, answer.toStdString());
  showVerdict(v);
  emit answerChecked(QString::fromStdString(problem_->id), answer, v.equivalent, QString::fromStdString(v.reason),
                     shownFor_.isValid() ? shownFor_.elapsed() : 0);
  return v;
}

void ProblemPanel::showVerdict(const problems::Verdict& v) {
  const QString reason = QString::fromStdString(v.reason);
  verdict_->setText(v.equivalent ? tr("✓ Correct — %1").arg(reason) : tr("✗ Not correct — %1").arg(reason));
  const bool dark = palette().color(QPalette::Window).lightness() < 128;
  const char* good = dark ? "#5fd38a" : "#1b7f3b";
  const char* bad = dark ? "#ff7b7b" : "#c62828";
  verdict_->setStyleSheet(QStringLiteral("QLabel { color: %1; font-weight: 600; }").arg(QLatin1String(v.equivalent ? good : bad)));
}

QString ProblemPanel::verdictText() const { return verdict_->text(); }

}  // namespace zaya::ui
