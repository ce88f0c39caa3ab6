#include "working_check_box.h"

#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

#include "document_view.h"
#include "problem_document.h"

namespace zaya::ui {

QStringList workingSteps(const QString& working) {
  QStringList steps;
  for (const QString& line : working.split(QLatin1Char('\n')))
    if (const QString t = line.trimmed(); !t.isEmpty()) steps << t;
  return steps;
}

QString workingPreviewHtml(const QString& working, int markedStep, const QString& note, bool noteIsConfirmation) {
  const QStringList steps = workingSteps(working);
  QString html;
  for (int i = 0; i < steps.size(); ++i) {
    const int n = i + 1;
    html += QStringLiteral("<div class=\"working-line%1\" data-line=\"%2\"><span class=\"line-no\">%2</span><span>%3</span></div>")
                .arg(n == markedStep ? QStringLiteral(" marked") : QString())
                .arg(n)
                .arg(answerPreviewHtml(steps[i]));
  }
  if (!note.isEmpty())
    html += QStringLiteral("<div class=\"working-note%1\">%2</div>")
                .arg(noteIsConfirmation ? QStringLiteral(" correct") : QString(), note.toHtmlEscaped());
  return html;
}

WorkingCheckBox::WorkingCheckBox(QWidget* parent)
    : QWidget(parent),
      editor_(new QPlainTextEdit(this)),
      preview_(new DocumentView(this)),
      check_(new QPushButton(tr("Check my working"), this)),
      result_(new QLabel(this)) {
  editor_->setPlaceholderText(tr("Your working, one step per line — e.g.\n9/s + t/60 = 4\n9/(s+2) + t/60 = 2.4\n…"));
  editor_->setAccessibleName(tr("Your working"));
  editor_->setTabChangesFocus(true);
  editor_->setMinimumHeight(90);
  preview_->setAccessibleName(tr("Your working, typeset"));
  preview_->setDocument(QJsonObject{{QStringLiteral("sections"), QJsonArray{}},
                                    {QStringLiteral("preview"), true},
                                    {QStringLiteral("previewLabel"), tr("Your working, typeset")},
                                    {QStringLiteral("previewPlaceholder"),
                                     tr("Your working will appear here, one numbered step per line, as you type.")}});
  check_->setAccessibleName(tr("Check my working"));
  check_->setToolTip(tr("The tutor reads your working and names the first step that goes wrong (Ctrl+Shift+Return)"));
  // Plain text: the tutor's reply and the quoted step are shown as written.
  result_->setTextFormat(Qt::PlainText);
  result_->setWordWrap(true);
  result_->setAccessibleName(tr("The tutor's verdict on your working"));
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* row = new QHBoxLayout;
  row->addWidget(result_, 1);
  row->addWidget(check_, 0, Qt::AlignTop);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(editor_, 2);
  layout->addWidget(preview_, 3);
  layout->addLayout(row);

  connect(editor_, &QPlainTextEdit::textChanged, this, [this] {
    // A verdict is about the working it was given: edited working is unmarked.
    markedStep_ = 0;
    note_.clear();
    confirmed_ = false;
    redraw();
  });
  connect(check_, &QPushButton::clicked, this, [this] { emit checkRequested(editor_->toPlainText()); });
  auto* shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return), this);
  connect(shortcut, &QShortcut::activated, check_, &QPushButton::click);
  // The page may become ready after text was typed: draw it then.
  connect(preview_, &DocumentView::rendered, this, &WorkingCheckBox::redraw);
}

void WorkingCheckBox::setTheme(const QString& theme) { preview_->setTheme(theme); }

void WorkingCheckBox::setCheckAvailable(bool available, const QString& why) {
  check_->setEnabled(available);
  check_->setStatusTip(why);
}

void WorkingCheckBox::clear() {
  editor_->clear();  // also drops any mark
  result_->clear();
}

void WorkingCheckBox::showChecking() {
  result_->setText(tr("The tutor is reading your working…"));
  result_->setStyleSheet({});
}

void WorkingCheckBox::showProblem(const QString& message) {
  result_->setText(message);
  result_->setStyleSheet({});
}

void WorkingCheckBox::showReview(const app::WorkingReview& review) {
  const QSignalBlocker block(editor_);
  const bool dark = palette().color(QPalette::Window).lightness() < 128;
  if (!review.parsed) {
    markedStep_ = 0;
    note_.clear();
    confirmed_ = false;
    result_->setText(tr("The tutor's reply did not follow the expected format; nothing is marked.\n\n%1")
                         .arg(review.replyText.trimmed()));
    result_->setStyleSheet({});
  } else if (review.correct) {
    markedStep_ = 0;
    confirmed_ = true;
    note_ = review.explanation.trimmed().isEmpty() ? tr("The tutor found no mistake in your working.")
                                                   : tr("No mistake found: %1").arg(review.explanation.trimmed());
    result_->setText(tr("✓ The tutor found no mistake in your working."));
    result_->setStyleSheet(QStringLiteral("QLabel { color: %1; font-weight: 600; }").arg(dark ? "#5fd38a" : "#1b7f3b"));
  } else {
    const int count = int(workingSteps(editor_->toPlainText()).size());
    confirmed_ = false;
    // A step number outside the working cannot be marked; the reason is still shown.
    markedStep_ = review.firstWrongStep >= 1 && review.firstWrongStep <= count ? review.firstWrongStep : 0;
    const QString quote = review.quote.trimmed();
    note_ = quote.isEmpty() ? tr("Step %1: %2").arg(review.firstWrongStep).arg(review.explanation.trimmed())
                            : tr("Step %1 (“%2”): %3").arg(review.firstWrongStep).arg(quote, review.explanation.trimmed());
    result_->setText(markedStep_ ? tr("✗ Step %1 of your working goes wrong — it is marked above.").arg(markedStep_)
                                 : tr("✗ The tutor names step %1, but your working has %2 steps; nothing is marked. %3")
                                       .arg(review.firstWrongStep)
                                       .arg(count)
                                       .arg(note_));
    result_->setStyleSheet(QStringLiteral("QLabel { color: %1; font-weight: 600; }").arg(dark ? "#ff7b7b" : "#c62828"));
  }
  redraw();
}

void WorkingCheckBox::redraw() {
  preview_->setPreviewHtml(workingPreviewHtml(editor_->toPlainText(), markedStep_, markedStep_ || confirmed_ ? note_ : QString(),
                                              confirmed_));
}

}  // namespace zaya::ui
