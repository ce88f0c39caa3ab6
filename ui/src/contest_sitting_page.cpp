#include "contest_sitting_page.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

#include "contest_service.h"
#include "document_view.h"
#include "problem_document.h"
#include "zaya/problems/contest.h"

namespace zaya::ui {

QString clockText(qint64 ms) {
  const qint64 s = (std::max<qint64>(0, ms) + 999) / 1000;
  return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

ContestSittingPage::ContestSittingPage(app::ContestService& contests, QWidget* parent)
    : QWidget(parent),
      contests_(contests),
      title_(new QLabel(this)),
      clock_(new QLabel(this)),
      submit_(new QPushButton(tr("Submit…"), this)),
      navigator_(new QWidget(this)),
      navigatorGrid_(new QGridLayout(navigator_)),
      heading_(new QLabel(this)),
      statement_(new DocumentView(this)),
      answer_(new QLineEdit(this)),
      choiceBox_(new QWidget(this)),
      choiceLayout_(new QVBoxLayout(choiceBox_)),
      choices_(new QButtonGroup(this)),
      answerNote_(new QLabel(this)),
      flag_(new QCheckBox(tr("Flag for review"), this)),
      previous_(new QPushButton(tr("Previous"), this)),
      next_(new QPushButton(tr("Next"), this)) {
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  title_->setTextFormat(Qt::PlainText);  // a teacher's set title
  QFont big = title_->font();
  big.setPointSizeF(big.pointSizeF() * 1.3);
  big.setBold(true);
  title_->setFont(big);
  top->addWidget(title_, 1);
  clock_->setAccessibleName(tr("Time left"));
  QFont clockFont = big;
  clockFont.setPointSizeF(big.pointSizeF() * 1.2);
  clockFont.setFamily(QStringLiteral("monospace"));
  clock_->setFont(clockFont);
  top->addWidget(clock_);
  submit_->setToolTip(tr("End the sitting and see your score"));
  top->addWidget(submit_);
  layout->addLayout(top);

  navigatorGrid_->setContentsMargins(0, 0, 0, 0);
  navigatorGrid_->setSpacing(4);
  navigator_->setAccessibleName(tr("Problems of this sitting"));
  layout->addWidget(navigator_);

  heading_->setTextFormat(Qt::PlainText);
  layout->addWidget(heading_);
  statement_->setMinimumHeight(260);
  layout->addWidget(statement_, 1);

  auto* answerRow = new QHBoxLayout;
  auto* label = new QLabel(tr("Your answer:"), this);
  answerRow->addWidget(label);
  answer_->setAccessibleName(tr("Answer"));
  label->setBuddy(answer_);
  answerRow->addWidget(answer_, 1);
  choiceLayout_->setContentsMargins(0, 0, 0, 0);
  answerRow->addWidget(choiceBox_, 1);
  answerRow->addWidget(flag_);
  layout->addLayout(answerRow);
  answerNote_->setTextFormat(Qt::PlainText);
  answerNote_->setWordWrap(true);
  answerNote_->setAccessibleName(tr("Answer note"));
  layout->addWidget(answerNote_);
  auto* moves = new QHBoxLayout;
  moves->addWidget(previous_);
  moves->addStretch(1);
  auto* rules = new QLabel(tr("Contest rules: no hints, solutions or answer checking until you submit. Answers are "
                              "saved as you type."),
                           this);
  rules->setWordWrap(true);
  rules->setEnabled(false);  // drawn in the muted colour: a reminder, not a control
  moves->addWidget(rules, 4);
  moves->addStretch(1);
  moves->addWidget(next_);
  layout->addLayout(moves);

  connect(answer_, &QLineEdit::textEdited, this, &ContestSittingPage::onEdited);
  connect(choices_, &QButtonGroup::idClicked, this, [this](int id) {
    const auto* s = contests_.current();
    const problems::Problem* p = (s && bank_) ? bank_->find(s->answers[position_].problemId.toStdString()) : nullptr;
    if (p && id >= 0 && id < int(p->choices.size())) saveAnswer(QString::fromStdString(p->choices[id].label));
  });
  connect(flag_, &QCheckBox::toggled, this, [this](bool on) {
    try {
      if (contests_.current()) contests_.setFlagged(position_, on);
      updateNavigator();
    } catch (const app::AppError& e) {
      say(e.message(), true);
    }
  });
  connect(previous_, &QPushButton::clicked, this, [this] { showProblem(position_ - 1); });
  connect(next_, &QPushButton::clicked, this, [this] { showProblem(position_ + 1); });
  connect(submit_, &QPushButton::clicked, this, [this] { submit(); });
  connect(&contests_, &app::ContestService::ticked, this, &ContestSittingPage::updateClock);
  connect(&contests_, &app::ContestService::storageFailed, this, [this](const QString& m) { say(m, true); });
  connect(statement_, &DocumentView::rendered, this, &ContestSittingPage::rendered);
}

void ContestSittingPage::setTheme(const QString& theme) { statement_->setTheme(theme); }

void ContestSittingPage::begin() {
  const auto* s = contests_.current();
  if (!s) return;
  title_->setText(s->title);
  for (QPushButton* b : numbers_) delete b;
  numbers_.clear();
  for (int i = 0; i < s->answers.size(); ++i) {
    auto* b = new QPushButton(navigator_);
    b->setCheckable(true);
    b->setMinimumWidth(44);
    connect(b, &QPushButton::clicked, this, [this, i] { showProblem(i); });
    navigatorGrid_->addWidget(b, i / 15, i % 15);
    numbers_ << b;
  }
  updateClock(s->remainingMs());
  showProblem(contests_.shownPosition());
}

QPushButton* ContestSittingPage::navigatorButton(int position) const { return numbers_.value(position); }

void ContestSittingPage::showProblem(int position) {
  const auto* s = contests_.current();
  if (!s || position < 0 || position >= s->answers.size()) return;
  try {
    contests_.show(position);
  } catch (const app::AppError& e) {
    say(e.message(), true);
    return;
  }
  s = contests_.current();
  if (!s) return;  // the time ran out on the way
  position_ = position;
  const app::SittingAnswer& a = s->answers[position];
  const problems::Problem* p = bank_ ? bank_->find(a.problemId.toStdString()) : nullptr;
  heading_->setText(tr("Problem %1 of %2").arg(position + 1).arg(s->answers.size()) +
                    (s->kind == app::SittingKind::Aime ? tr(" · answer a whole number from 000 to 999") : QString()));
  if (p) {
    QJsonObject doc = problemDocument(*p);
    doc.remove(QStringLiteral("preview"));  // no preview box: the answer is typed below
    statement_->setDocument(doc);
  }
  const bool multipleChoice = p && p->is_multiple_choice();
  answer_->setVisible(!multipleChoice);
  choiceBox_->setVisible(multipleChoice);
  for (QAbstractButton* b : choices_->buttons()) {
    choices_->removeButton(b);
    delete b;
  }
  if (multipleChoice) {
    for (int i = 0; i < int(p->choices.size()); ++i) {
      const auto& c = p->choices[i];
      auto* r = new QRadioButton(QString::fromStdString(c.label) + QStringLiteral(")  ") +
                                     plainExcerpt(c.text, p->dollar_is_math, 80),
                                 choiceBox_);
      r->setChecked(a.answer == QString::fromStdString(c.label));
      choices_->addButton(r, i);
      choiceLayout_->addWidget(r);
    }
  } else {
    answer_->setText(a.answer);
    lastGood_ = a.answer;
    answer_->setFocus();
  }
  {
    const QSignalBlocker block(flag_);
    flag_->setChecked(a.flagged);
  }
  previous_->setEnabled(position > 0);
  next_->setEnabled(position + 1 < s->answers.size());
  say({}, false);
  updateNavigator();
}

void ContestSittingPage::onEdited(const QString& text) {
  const auto* s = contests_.current();
  if (!s) return;
  if (s->kind == app::SittingKind::Aime && !problems::is_aime_answer_prefix(text.toStdString())) {
    // Refused by the box: the text stays as it was, and the reason is shown.
    const auto read = problems::read_aime_answer(text.toStdString());
    const int cursor = answer_->cursorPosition();
    answer_->setText(lastGood_);
    answer_->setCursorPosition(std::min(cursor - 1, int(lastGood_.size())));
    say(QString::fromStdString(read.error.empty() ? std::string("AIME answers are whole numbers from 000 to 999.")
                                                  : read.error),
        true);
    return;
  }
  lastGood_ = text;
  saveAnswer(text);
}

void ContestSittingPage::saveAnswer(const QString& text) {
  try {
    contests_.setAnswer(position_, text);
    say(text.trimmed().isEmpty() ? QString() : tr("Saved."), false);
  } catch (const app::AppError& e) {
    say(tr("Not saved: %1").arg(e.message()), true);
  }
  updateNavigator();
}

void ContestSittingPage::updateClock(qint64 remainingMs) {
  clock_->setText(tr("%1 left").arg(clockText(remainingMs)));
  // The last five minutes in red, as a proctor would call them.
  clock_->setStyleSheet(remainingMs <= 5 * 60 * 1000 ? QStringLiteral("color: #c62828;") : QString());
}

void ContestSittingPage::updateNavigator() {
  const auto* s = contests_.current();
  if (!s) return;
  for (int i = 0; i < numbers_.size() && i < s->answers.size(); ++i) {
    const auto& a = s->answers[i];
    QPushButton* b = numbers_[i];
    b->setText(QString::number(i + 1) + (a.flagged ? QStringLiteral(" ⚑") : QString()));
    b->setChecked(i == position_);
    QFont f = b->font();
    f.setBold(!a.answer.isEmpty());
    b->setFont(f);
    b->setToolTip(tr("Problem %1: %2%3")
                      .arg(i + 1)
                      .arg(a.answer.isEmpty() ? tr("not answered") : tr("answered"))
                      .arg(a.flagged ? tr(", flagged for review") : QString()));
  }
}

bool ContestSittingPage::submit() {
  const auto* s = contests_.current();
  if (!s) return false;
  int blank = 0, flagged = 0;
  for (const auto& a : s->answers) {
    blank += a.answer.isEmpty();
    flagged += a.flagged;
  }
  QString question = tr("Submit %1? You cannot change your answers afterwards.").arg(s->title);
  if (blank) question += QLatin1Char(' ') + tr("%n problem(s) not answered.", nullptr, blank);
  if (flagged) question += QLatin1Char(' ') + tr("%n problem(s) flagged for review.", nullptr, flagged);
  const bool yes = confirm_ ? confirm_(question)
                            : QMessageBox::question(this, tr("Submit"), question) == QMessageBox::Yes;
  if (!yes) return false;
  try {
    contests_.submit();  // finished() takes the screen to the report
    return true;
  } catch (const app::AppError& e) {
    say(e.message(), true);
    return false;
  }
}

void ContestSittingPage::say(const QString& text, bool error) {
  answerNote_->setText(text);
  answerNote_->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

}  // namespace zaya::ui
