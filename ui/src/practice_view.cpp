#include "practice_view.h"

#include <QHBoxLayout>
#include <QShortcut>
#include <QSplitter>

#include "problem_browser.h"
#include "problem_panel.h"

namespace zaya::ui {

PracticeView::PracticeView(QWidget* parent)
    : QWidget(parent), splitter_(new QSplitter(this)), browser_(new ProblemBrowser(this)), panel_(new ProblemPanel(this)) {
  splitter_->addWidget(browser_);
  splitter_->addWidget(panel_);
  splitter_->setStretchFactor(0, 0);
  splitter_->setStretchFactor(1, 1);
  splitter_->setSizes({440, 760});
  splitter_->setChildrenCollapsible(false);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter_);

  connect(browser_, &ProblemBrowser::problemSelected, this, [this](const QString& id) {
    if (bank_) panel_->setProblem(bank_->find(id.toStdString()));
  });
  connect(panel_, &ProblemPanel::statementRendered, this, &PracticeView::rendered);
  auto* next = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_N), this);
  connect(next, &QShortcut::activated, browser_, &ProblemBrowser::selectNext);
  auto* find = new QShortcut(QKeySequence::Find, this);
  connect(find, &QShortcut::activated, this, [this] { browser_->setFocus(); });
}

void PracticeView::setBank(const problems::ProblemBank* bank) {
  bank_ = bank;
  browser_->setBank(bank);
}

bool PracticeView::openProblem(const QString& id) { return browser_->selectProblem(id); }

void PracticeView::setTheme(const QString& theme) { panel_->setTheme(theme); }

}  // namespace zaya::ui
