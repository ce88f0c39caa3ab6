#include "contest_report_page.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "contest_sitting_page.h"
#include "screen_page.h"

namespace zaya::ui {
namespace {

QTableWidget* makeTable(int columns, const QStringList& headers, QWidget* parent) {
  auto* t = new QTableWidget(0, columns, parent);
  t->setHorizontalHeaderLabels(headers);
  t->setSelectionBehavior(QAbstractItemView::SelectRows);
  t->setSelectionMode(QAbstractItemView::SingleSelection);
  t->setEditTriggers(QAbstractItemView::NoEditTriggers);
  t->verticalHeader()->hide();
  return t;
}

QTableWidgetItem* cell(const QString& text) { return new QTableWidgetItem(text); }

QString scoreText(const app::Sitting& s) {
  return QCoreApplication::translate("ContestReportPage", "%1 of %2").arg(s.score.value_or(0)).arg(s.answers.size());
}

QString when(qint64 ms) { return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms).date(), QLocale::ShortFormat); }

}  // namespace

ContestReportPage::ContestReportPage(QWidget* parent)
    : QWidget(parent),
      title_(screenHeading(QString(), this)),
      score_(new QLabel(this)),
      detail_(new QLabel(this)),
      comparison_(new QLabel(this)),
      problems_(makeTable(6, {tr("#"), tr("Topic"), tr("Your answer"), tr("Key"), tr("Result"), tr("Time")}, this)),
      topics_(makeTable(2, {tr("Topic"), tr("Right")}, this)),
      review_(new QPushButton(tr("Review this problem"), this)) {
  QVBoxLayout* page = addScrollingPage(this);
  title_->setTextFormat(Qt::PlainText);
  page->addWidget(title_);
  QFont big = score_->font();
  big.setPointSizeF(big.pointSizeF() * 1.8);
  big.setBold(true);
  score_->setFont(big);
  score_->setAccessibleName(tr("Score"));
  page->addWidget(score_);
  for (QLabel* l : {detail_, comparison_}) {
    l->setTextFormat(Qt::PlainText);  // titles of sets are the teacher's text
    l->setWordWrap(true);
    page->addWidget(l);
  }
  auto* tables = new QHBoxLayout;
  problems_->setAccessibleName(tr("Problems of the sitting"));
  problems_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  problems_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  problems_->setMinimumHeight(300);
  tables->addWidget(problems_, 3);
  topics_->setAccessibleName(tr("Score by topic"));
  topics_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  tables->addWidget(topics_, 2);
  page->addLayout(tables, 1);
  auto* row = new QHBoxLayout;
  review_->setToolTip(tr("Open the problem on the practice screen with your answer: the reference solution and the "
                         "tutor (hints, solution, questions) are open now"));
  row->addWidget(review_);
  auto* worksheet = new QPushButton(tr("Print worksheet…"), this);
  auto* key = new QPushButton(tr("Print answer key…"), this);
  row->addWidget(worksheet);
  row->addWidget(key);
  row->addStretch(1);
  auto* back = new QPushButton(tr("Back to contests"), this);
  row->addWidget(back);
  page->addLayout(row);
  connect(review_, &QPushButton::clicked, this, [this] { reviewSelected(); });
  connect(problems_, &QTableWidget::cellDoubleClicked, this, [this] { reviewSelected(); });
  connect(worksheet, &QPushButton::clicked, this, [this] { emit printRequested(false); });
  connect(key, &QPushButton::clicked, this, [this] { emit printRequested(true); });
  connect(back, &QPushButton::clicked, this, &ContestReportPage::backRequested);
}

void ContestReportPage::show(const app::SittingReport& r) {
  report_ = r;
  const app::Sitting& s = r.sitting;
  title_->setText(tr("%1 — score report").arg(s.title));
  score_->setText(tr("Score: %1").arg(scoreText(s)));
  QStringList detail;
  detail << (s.endReason == QLatin1String("time") ? tr("The time ran out at %1.").arg(clockText(s.timeLimitMs))
                                                   : tr("Submitted after %1 of %2.").arg(clockText(s.elapsedMs), clockText(s.timeLimitMs)));
  if (s.multiplier > 1.0)
    detail << tr("Extended time: %1× the standard %2.").arg(QLocale().toString(s.multiplier)).arg(clockText(s.standardMs));
  detail << tr("%1 of %2 answered.").arg(r.answered).arg(s.answers.size());
  if (!s.note.isEmpty()) detail << s.note;
  detail_->setText(detail.join(QLatin1Char(' ')));

  QStringList compare;
  if (r.samePaperBefore)
    compare << tr("Last time you sat this paper (%1) you scored %2.").arg(when(r.samePaperBefore->startedAt), scoreText(*r.samePaperBefore));
  if (r.earlier.isEmpty()) {
    compare << tr("This is your first sitting of this kind: the next ones will be compared with it.");
  } else {
    double sum = 0, best = -1;
    for (const auto& e : r.earlier) {
      const double f = e.answers.isEmpty() ? 0 : double(e.score.value_or(0)) / e.answers.size();
      sum += f;
      best = std::max(best, f);
    }
    const double mine = s.answers.isEmpty() ? 0 : double(s.score.value_or(0)) / s.answers.size();
    compare << tr("Your %n earlier sitting(s) of this kind averaged %1 % (best %2 %); this one is %3 %.", nullptr,
                  int(r.earlier.size()))
                   .arg(qRound(100 * sum / r.earlier.size()))
                   .arg(qRound(100 * best))
                   .arg(qRound(100 * mine));
    QStringList recent;
    for (int i = 0; i < r.earlier.size() && i < 3; ++i)
      recent << tr("%1: %2 (%3)").arg(r.earlier[i].title, scoreText(r.earlier[i]), when(r.earlier[i].startedAt));
    compare << tr("Most recent: %1.").arg(recent.join(QStringLiteral("; ")));
  }
  comparison_->setText(compare.join(QLatin1Char(' ')));

  problems_->setRowCount(0);
  for (const auto& a : s.answers) {
    const problems::Problem* p = bank_ ? bank_->find(a.problemId.toStdString()) : nullptr;
    const int row = problems_->rowCount();
    problems_->insertRow(row);
    const QString number = p && p->number && s.kind == app::SittingKind::Aime ? QString::number(*p->number)
                                                                              : QString::number(a.position + 1);
    problems_->setItem(row, 0, cell(number));
    problems_->setItem(row, 1, cell(p ? QString::fromUtf8(problems::topic_name(p->topic).data(), int(problems::topic_name(p->topic).size())) : a.problemId));
    problems_->setItem(row, 2, cell(a.answer.isEmpty() ? tr("—") : a.answer));
    problems_->setItem(row, 3, cell(p ? QString::fromStdString(p->answer) : QString()));
    auto* result = cell(a.answer.isEmpty() ? tr("not answered") : (a.correct.value_or(false) ? tr("✓ right") : tr("✗ wrong")));
    if (a.answer.isEmpty())
      result->setForeground(palette().color(QPalette::Disabled, QPalette::Text));  // a blank is not a mistake made
    else
      result->setForeground(a.correct.value_or(false) ? QColor(0x2e, 0x7d, 0x32) : QColor(0xc6, 0x28, 0x28));
    problems_->setItem(row, 4, result);
    problems_->setItem(row, 5, cell(clockText(a.millisSpent)));
    problems_->item(row, 0)->setData(Qt::UserRole, a.position);
  }
  if (problems_->rowCount() > 0) problems_->selectRow(0);
  bool tagged = false;
  for (const auto& a : s.answers)
    if (const auto* p = bank_ ? bank_->find(a.problemId.toStdString()) : nullptr)
      tagged = tagged || p->topic_source == problems::TopicSource::Tagger;
  // AIME and SAT problems have no topic in their source: the keyword tagger's guess is said to be one.
  topics_->setHorizontalHeaderLabels({tagged ? tr("Topic (tagged automatically)") : tr("Topic"), tr("Right")});
  topics_->setRowCount(0);
  for (const auto& t : r.topics) {
    const int row = topics_->rowCount();
    topics_->insertRow(row);
    topics_->setItem(row, 0, cell(t.topic));
    topics_->setItem(row, 1, cell(tr("%1 of %2").arg(t.right).arg(t.total)));
  }
}

bool ContestReportPage::reviewSelected() {
  const int row = problems_->currentRow();
  if (row < 0 || row >= report_.sitting.answers.size()) return false;
  const auto& a = report_.sitting.answers[row];
  emit reviewRequested(a.problemId, a.answer, a.correct.value_or(false));
  return true;
}

}  // namespace zaya::ui
