#include "contest_view.h"

#include <QCoreApplication>
#include <QComboBox>
#include <QDateTime>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "app_context.h"
#include "contest_report_page.h"
#include "contest_sitting_page.h"
#include "screen_page.h"
#include "set_printer.h"
#include "zaya/problems/contest.h"

namespace zaya::ui {
namespace {

QString minutesText(qint64 ms) {
  const qint64 m = (ms + 59999) / 60000;
  return m >= 60 ? QCoreApplication::translate("ContestView", "%1 h %2 min").arg(m / 60).arg(m % 60, 2, 10, QLatin1Char('0'))
                 : QCoreApplication::translate("ContestView", "%1 min").arg(m);
}

}  // namespace

ContestView::ContestView(AppContext* context, QWidget* parent)
    : QWidget(parent), ctx_(context), stack_(new QStackedWidget(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(stack_);
  start_ = buildStartPage();
  stack_->addWidget(start_);
  if (!ctx_->ok()) return;  // the start page says why nothing can be sat
  auto& contests = ctx_->contests();
  sitting_ = new ContestSittingPage(contests, stack_);
  report_ = new ContestReportPage(stack_);
  stack_->addWidget(sitting_);
  stack_->addWidget(report_);
  connect(sitting_, &ContestSittingPage::rendered, this, &ContestView::rendered);
  connect(&contests, &app::ContestService::finished, this, [this](const app::Sitting& s) {
    showReport(s.id);
    emit sittingsChanged();
  });
  connect(report_, &ContestReportPage::reviewRequested, this, &ContestView::reviewRequested);
  connect(report_, &ContestReportPage::backRequested, this, [this] { refresh(); });
  connect(report_, &ContestReportPage::printRequested, this, &ContestView::print);
  connect(ctx_, &AppContext::bankChanged, this, [this] { refresh(); });
  connect(ctx_, &AppContext::dataReplaced, this, [this] { refresh(); });
  connect(&ctx_->auth(), &app::AuthService::currentChanged, this, [this] { refresh(); });
}

QWidget* ContestView::buildStartPage() {
  auto* page = new QWidget(stack_);
  QVBoxLayout* v = addScrollingPage(page);
  v->addWidget(screenHeading(tr("Mock contests"), page));
  auto* rules = new QLabel(tr("Sit a past paper against the clock, under contest rules: no hints, solutions or answer "
                              "checking until you submit or the time is up. Your answers are saved as you type; if "
                              "the app closes, the sitting goes on from where it was, and the clock counts only while "
                              "the app runs it."),
                           page);
  rules->setWordWrap(true);
  v->addWidget(rules);
  message_ = new QLabel(page);
  message_->setTextFormat(Qt::PlainText);
  message_->setWordWrap(true);
  message_->setAccessibleName(tr("Mock contests message"));
  if (!ctx_->ok()) {
    message_->setText(tr("Your data cannot be opened, so no sitting can be saved: %1").arg(ctx_->error()));
    v->addWidget(message_);
    return page;
  }

  auto* columns = new QHBoxLayout;
  auto* aime = new QGroupBox(tr("Past AIME papers"), page);
  auto* av = new QVBoxLayout(aime);
  papers_ = new QListWidget(aime);
  papers_->setAccessibleName(tr("AIME papers"));
  papers_->setMinimumHeight(260);
  av->addWidget(papers_, 1);
  auto* startAime = new QPushButton(tr("Start this paper"), aime);
  av->addWidget(startAime);
  columns->addWidget(aime, 3);

  auto* right = new QVBoxLayout;
  auto* sat = new QGroupBox(tr("SAT-style module"), page);
  auto* sv = new QVBoxLayout(sat);
  auto* satText = new QLabel(tr("%1 problems in %2 minutes, drawn from the bank's SAT pool and spread over its topics. "
                                "The same seed gives the same module: share it to sit the same one.")
                                 .arg(problems::kSatModuleProblemCount)
                                 .arg(problems::kSatModuleSeconds / 60),
                             sat);
  satText->setWordWrap(true);
  sv->addWidget(satText);
  auto* seedRow = new QHBoxLayout;
  seedRow->addWidget(new QLabel(tr("Seed:"), sat));
  seed_ = new QSpinBox(sat);
  seed_->setRange(1, 999999);
  seed_->setValue(int(QRandomGenerator::global()->bounded(1, 1000000)));
  seed_->setAccessibleName(tr("Seed"));
  seedRow->addWidget(seed_);
  auto* reseed = new QPushButton(tr("New seed"), sat);
  seedRow->addWidget(reseed);
  seedRow->addStretch(1);
  sv->addLayout(seedRow);
  auto* startSat = new QPushButton(tr("Start the module"), sat);
  sv->addWidget(startSat);
  right->addWidget(sat);

  auto* extra = new QGroupBox(tr("Extended time"), page);
  auto* ev = new QHBoxLayout(extra);
  multiplier_ = new QComboBox(extra);
  multiplier_->setAccessibleName(tr("Extended time"));
  for (double m : app::kTimeMultipliers)
    multiplier_->addItem(m == 1.0 ? tr("Standard time") : tr("%1× time").arg(QLocale().toString(m)), m);
  ev->addWidget(multiplier_);
  auto* extraText = new QLabel(tr("for your own practice (a teacher's timed test sets its own)"), extra);
  extraText->setWordWrap(true);
  ev->addWidget(extraText, 1);
  right->addWidget(extra);

  auto* timed = new QGroupBox(tr("Timed tests from your teacher"), page);
  auto* tv = new QVBoxLayout(timed);
  sets_ = new QListWidget(timed);
  sets_->setAccessibleName(tr("Timed tests"));
  tv->addWidget(sets_, 1);
  auto* startSet = new QPushButton(tr("Start this test"), timed);
  tv->addWidget(startSet);
  right->addWidget(timed, 1);
  columns->addLayout(right, 2);
  v->addLayout(columns, 1);

  auto* past = new QGroupBox(tr("Your sittings"), page);
  auto* pv = new QVBoxLayout(past);
  history_ = new QListWidget(past);
  history_->setAccessibleName(tr("Your sittings"));
  history_->setMaximumHeight(160);
  pv->addWidget(history_);
  auto* open = new QPushButton(tr("Show report"), past);
  pv->addWidget(open, 0, Qt::AlignLeft);
  v->addWidget(past);
  v->addWidget(message_);

  connect(startAime, &QPushButton::clicked, this, [this] { startSelectedPaper(); });
  connect(papers_, &QListWidget::itemActivated, this, [this] { startSelectedPaper(); });
  connect(reseed, &QPushButton::clicked, this, [this] { seed_->setValue(int(QRandomGenerator::global()->bounded(1, 1000000))); });
  connect(startSat, &QPushButton::clicked, this, [this] { startSatModule(); });
  connect(startSet, &QPushButton::clicked, this, [this] { startSelectedSet(); });
  auto openReport = [this] {
    if (auto* item = history_->currentItem()) showReport(item->data(Qt::UserRole).toLongLong());
  };
  connect(open, &QPushButton::clicked, this, openReport);
  connect(history_, &QListWidget::itemActivated, this, openReport);
  return page;
}

QWidget* ContestView::currentPage() const { return stack_->currentWidget(); }

bool ContestView::sittingShown() const { return sitting_ && stack_->currentWidget() == sitting_; }

void ContestView::setTheme(const QString& theme) {
  if (sitting_) sitting_->setTheme(theme);
}

void ContestView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (stack_->currentWidget() != report_) refresh();
}

void ContestView::refresh() {
  if (!ctx_->ok()) return;
  const auto* bank = ctx_->bank();
  sitting_->setBank(bank);
  report_->setBank(bank);
  auto& contests = ctx_->contests();
  try {
    if (ctx_->auth().current() && contests.resumeOpen()) {
      if (stack_->currentWidget() != sitting_) {
        stack_->setCurrentWidget(sitting_);
        sitting_->begin();
      }
      return;
    }
  } catch (const app::AppError& e) {
    say(e.message(), true);
  }
  stack_->setCurrentWidget(start_);
  papers_->clear();
  if (bank) {
    for (const auto& p : problems::aime_papers(*bank)) {
      const QString time = minutesText(qint64(p.time_limit_seconds()) * 1000);
      auto* item = new QListWidgetItem(
          p.complete() ? tr("%1 — 15 problems, %2").arg(QString::fromStdString(p.title), time)
                       : tr("%1 — %2 of 15 problems in the bank, %3 (scored out of %2)")
                             .arg(QString::fromStdString(p.title))
                             .arg(p.problem_ids.size())
                             .arg(time),
          papers_);
      item->setData(Qt::UserRole, QString::fromStdString(p.key));
      if (!p.complete()) item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
    }
    if (papers_->count() > 0) papers_->setCurrentRow(0);
  } else {
    papers_->addItem(tr("The problem bank is still loading…"));
  }
  sets_->clear();
  history_->clear();
  if (!ctx_->auth().current()) return;
  try {
    for (const auto& s : ctx_->database().assignedSets(ctx_->auth().current()->id)) {
      const auto minutes = contests.setTimeLimitMinutes(s);
      if (!minutes) continue;
      const double m = contests.setTimeMultiplier(s);
      const qint64 ms = qint64(*minutes) * 60000;
      auto* item = new QListWidgetItem(
          m > 1.0 ? tr("%1 — %2 (%3× of %4)").arg(s.title, minutesText(qint64(ms * m)), QLocale().toString(m), minutesText(ms))
                  : tr("%1 — %2").arg(s.title, minutesText(ms)),
          sets_);
      item->setData(Qt::UserRole, s.id);
    }
    if (sets_->count() == 0) {
      auto* none = new QListWidgetItem(tr("None: your teacher's sets with a time limit appear here."), sets_);
      none->setFlags(Qt::NoItemFlags);
    }
    for (const auto& s : contests.sittings()) {
      if (s.isOpen()) continue;
      auto* item = new QListWidgetItem(tr("%1 · %2 · %3 of %4")
                                           .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(s.startedAt), QLocale::ShortFormat),
                                                s.title)
                                           .arg(s.score.value_or(0))
                                           .arg(s.answers.size()),
                                       history_);
      item->setData(Qt::UserRole, s.id);
    }
  } catch (const app::AppError& e) {
    say(e.message(), true);
  }
  emit rendered();
}

double ContestView::chosenMultiplier() const { return multiplier_->currentData().toDouble(); }

bool ContestView::startSelectedPaper() {
  auto* item = papers_->currentItem();
  if (!item || item->data(Qt::UserRole).toString().isEmpty()) return false;
  try {
    ctx_->contests().startAime(item->data(Qt::UserRole).toString(), chosenMultiplier());
  } catch (const app::AppError& e) {
    say(e.message(), true);
    return false;
  }
  refresh();
  return true;
}

bool ContestView::startSatModule() {
  try {
    ctx_->contests().startSat(quint64(seed_->value()), chosenMultiplier());
  } catch (const app::AppError& e) {
    say(e.message(), true);
    return false;
  }
  refresh();
  return true;
}

bool ContestView::startSelectedSet() {
  auto* item = sets_->currentItem();
  if (!item || !item->data(Qt::UserRole).isValid()) return false;
  try {
    ctx_->contests().startSet(item->data(Qt::UserRole).toLongLong());
  } catch (const app::AppError& e) {
    say(e.message(), true);
    return false;
  }
  refresh();
  return true;
}

void ContestView::showReport(qint64 sittingId) {
  if (!report_) return;
  try {
    report_->show(ctx_->contests().report(sittingId));
  } catch (const app::AppError& e) {
    say(e.message(), true);
    return;
  }
  stack_->setCurrentWidget(report_);
  emit rendered();
}

void ContestView::say(const QString& text, bool error) {
  if (!message_) return;
  message_->setText(text);
  message_->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

}  // namespace zaya::ui

namespace zaya::ui {

// The sitting's problems as a worksheet or an answer key. A teacher's timed
// test gives its key only as the assignments screen does: when the set allows
// reference solutions and its due date has passed.
std::optional<PrintRequest> ContestView::printRequest(bool answerKey, QString* why) const {
  if (!report_) {
    *why = tr("Your data cannot be opened, so there is no sitting to print.");
    return std::nullopt;
  }
  const app::Sitting& s = report_->report().sitting;
  const auto* bank = ctx_->bank();
  if (!bank || s.id == 0) {
    *why = tr("There is nothing to print yet.");
    return std::nullopt;
  }
  if (answerKey && s.kind == app::SittingKind::Set) {
    const auto set = s.setId ? ctx_->database().set(*s.setId) : std::nullopt;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!set || !set->allowReference || (set->dueAt && *set->dueAt > now)) {
      *why = tr("Your teacher gives the answer key of %1 only after its due date, when reference solutions are "
                "allowed.")
                 .arg(s.title);
      return std::nullopt;
    }
  }
  PrintRequest request;
  request.kind = answerKey ? PrintRequest::Kind::AnswerKey : PrintRequest::Kind::Worksheet;
  request.title = s.title;
  request.subtitle = tr("Time allowed: %1").arg(minutesText(s.timeLimitMs));
  for (const auto& a : s.answers)
    if (const auto* p = bank->find(a.problemId.toStdString())) request.problems << *p;
  return request;
}

void ContestView::print(bool answerKey) {
  QString why;
  const auto request = printRequest(answerKey, &why);
  if (!request) return say(why, true);
  printSetWithDialog(this, *request, [this](const QString& text, bool isError) { say(text, isError); });
}

}  // namespace zaya::ui
