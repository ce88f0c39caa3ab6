#include "step_question_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace zaya::ui {

StepQuestionBar::StepQuestionBar(QWidget* parent)
    : QWidget(parent),
      label_(new QLabel(this)),
      field_(new QLineEdit(this)),
      ask_(new QPushButton(tr("Ask"), this)),
      close_(new QPushButton(tr("Close"), this)) {
  label_->setTextFormat(Qt::PlainText);  // quotes model output
  label_->setAccessibleName(tr("What the question is about"));
  field_->setAccessibleName(tr("Your question"));
  field_->setClearButtonEnabled(true);
  ask_->setAccessibleName(tr("Ask the tutor"));
  close_->setAccessibleName(tr("Close the question box"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(label_);
  layout->addWidget(field_, 1);
  layout->addWidget(ask_);
  layout->addWidget(close_);
  connect(field_, &QLineEdit::textChanged, this, &StepQuestionBar::updateAskButton);
  connect(field_, &QLineEdit::returnPressed, ask_, &QPushButton::click);
  connect(ask_, &QPushButton::clicked, this, [this] {
    if (!ask_->isEnabled()) return;
    emit askRequested(step_, solutionId_, field_->text().trimmed());
  });
  connect(close_, &QPushButton::clicked, this, &StepQuestionBar::close);
  hide();
}

void StepQuestionBar::open(int step, qint64 solutionId, const QString& stepText) {
  step_ = step;
  solutionId_ = solutionId;
  if (step > 0) {
    QString excerpt = stepText.simplified();
    if (excerpt.size() > 48) excerpt = excerpt.left(46) + QStringLiteral("…");
    label_->setText(excerpt.isEmpty() ? tr("Ask about step %1:").arg(step) : tr("Ask about step %1 (“%2”):").arg(step).arg(excerpt));
    field_->setPlaceholderText(tr("Optional: what is unclear? Leave empty for an explanation of the step"));
  } else {
    label_->setText(tr("Ask about this problem:"));
    field_->setPlaceholderText(tr("Your question"));
  }
  field_->clear();
  updateAskButton();
  show();
  field_->setFocus();
}

void StepQuestionBar::close() {
  field_->clear();
  hide();
}

void StepQuestionBar::setAskAvailable(bool available) {
  available_ = available;
  updateAskButton();
}

void StepQuestionBar::updateAskButton() {
  // A free question needs its text; a step can be explained without one.
  ask_->setEnabled(available_ && (step_ > 0 || !field_->text().trimmed().isEmpty()));
}

}  // namespace zaya::ui
