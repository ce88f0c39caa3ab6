#include "practice_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QVBoxLayout>

#include "problem_browser.h"
#include "problem_panel.h"

namespace zaya::ui {

PracticeView::PracticeView(QWidget* parent)
    : QWidget(parent),
      splitter_(new QSplitter(this)),
      browser_(new ProblemBrowser(this)),
      panel_(new ProblemPanel(this)),
      walkBar_(new QWidget(this)),
      walkLabel_(new QLabel(walkBar_)),
      previous_(new QPushButton(tr("◀ Previous"), walkBar_)),
      next_(new QPushButton(tr("Next ▶"), walkBar_)),
      endWalk_(new QPushButton(tr("Leave the set"), walkBar_)) {
  auto* side = new QWidget(this);
  auto* column = new QVBoxLayout(side);
  column->setContentsMargins(0, 0, 0, 0);
  column->setSpacing(0);
  auto* bar = new QHBoxLayout(walkBar_);
  bar->setContentsMargins(8, 6, 8, 0);
  walkLabel_->setTextFormat(Qt::PlainText);  // the set's title is the teacher's text
  walkLabel_->setAccessibleName(tr("Assigned set"));
  previous_->setAccessibleName(tr("Previous problem of the set"));
  next_->setAccessibleName(tr("Next problem of the set"));
  bar->addWidget(walkLabel_, 1);
  bar->addWidget(previous_);
  bar->addWidget(next_);
  bar->addWidget(endWalk_);
  walkBar_->hide();
  column->addWidget(walkBar_);
  column->addWidget(panel_, 1);
  splitter_->addWidget(browser_);
  splitter_->addWidget(side);
  splitter_->setStretchFactor(0, 0);
  splitter_->setStretchFactor(1, 1);
  splitter_->setSizes({440, 760});
  splitter_->setChildrenCollapsible(false);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter_);

  connect(browser_, &ProblemBrowser::problemSelected, this, [this](const QString& id) {
    if (bank_) panel_->setProblem(bank_->find(id.toStdString()));
    // Picking a problem of the set in the browser moves the walk there.
    if (walkSet_) {
      if (const int i = int(walkIds_.indexOf(id)); i >= 0) walkIndex_ = i;
      updateWalkBar();
    }
  });
  connect(panel_, &ProblemPanel::statementRendered, this, &PracticeView::rendered);
  connect(previous_, &QPushButton::clicked, this, &PracticeView::walkPrevious);
  connect(next_, &QPushButton::clicked, this, &PracticeView::walkNext);
  connect(endWalk_, &QPushButton::clicked, this, &PracticeView::endWalk);
  auto* next = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_N), this);
  connect(next, &QShortcut::activated, this, [this] {
    if (!walkSet_ || !walkNext()) browser_->selectNext();
  });
  auto* find = new QShortcut(QKeySequence::Find, this);
  connect(find, &QShortcut::activated, this, [this] { browser_->setFocus(); });
}

void PracticeView::setBank(const problems::ProblemBank* bank) {
  bank_ = bank;
  browser_->setBank(bank);
  if (walkSet_) walkTo(walkIndex_);
}

bool PracticeView::openProblem(const QString& id) { return browser_->selectProblem(id); }

void PracticeView::setTheme(const QString& theme) { panel_->setTheme(theme); }

bool PracticeView::walkSet(qint64 setId, const QString& title, const QStringList& problemIds, int index) {
  walkSet_ = setId;
  walkTitle_ = title;
  walkIds_ = problemIds;
  walkIndex_ = std::clamp(index, 0, std::max(0, int(problemIds.size()) - 1));
  walkBar_->show();
  if (!bank_) {  // opened when the bank arrives
    updateWalkBar();
    return true;
  }
  return walkTo(walkIndex_);
}

void PracticeView::endWalk() {
  walkSet_.reset();
  walkIds_.clear();
  walkBar_->hide();
}

bool PracticeView::walkTo(int index) {
  if (index < 0 || index >= walkIds_.size()) return false;
  walkIndex_ = index;
  const bool opened = openProblem(walkIds_[index]);
  updateWalkBar();
  return opened;
}

bool PracticeView::walkNext() {
  for (int i = walkIndex_ + 1; i < walkIds_.size(); ++i)
    if (!bank_ || bank_->contains(walkIds_[i].toStdString())) return walkTo(i);
  return false;
}

bool PracticeView::walkPrevious() {
  for (int i = walkIndex_ - 1; i >= 0; --i)
    if (!bank_ || bank_->contains(walkIds_[i].toStdString())) return walkTo(i);
  return false;
}

void PracticeView::updateWalkBar() {
  walkLabel_->setText(tr("%1 — problem %2 of %3").arg(walkTitle_).arg(walkIndex_ + 1).arg(walkIds_.size()));
  previous_->setEnabled(walkIndex_ > 0);
  next_->setEnabled(walkIndex_ + 1 < walkIds_.size());
}

}  // namespace zaya::ui
