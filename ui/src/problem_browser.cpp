#include "problem_browser.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QPushButton>
#include <QSet>
#include <QTimer>
#include <QVBoxLayout>

#include "problem_list_model.h"

namespace zaya::ui {
namespace {

QString sourceLabel(const std::string& key) {
  if (key == "math") return QStringLiteral("MATH");
  if (key == "aime") return QStringLiteral("AIME");
  if (key == "amc23") return QStringLiteral("AMC 2023");
  if (key == "sat") return QStringLiteral("SAT");
  if (key == "aqua-rat") return QStringLiteral("AQuA");
  if (key == "gsm8k") return QStringLiteral("GSM8K");
  return QString::fromStdString(key);
}

}  // namespace

ProblemBrowser::ProblemBrowser(QWidget* parent)
    : QWidget(parent),
      search_(new QLineEdit(this)),
      source_(new QComboBox(this)),
      topic_(new QComboBox(this)),
      difficulty_(new QComboBox(this)),
      progress_(new QComboBox(this)),
      today_(new QPushButton(tr("Today's practice"), this)),
      count_(new QLabel(this)),
      list_(new QListView(this)),
      model_(new ProblemListModel(this)),
      debounce_(new QTimer(this)) {
  search_->setPlaceholderText(tr("Search problems (words, id, year)…"));
  search_->setClearButtonEnabled(true);
  search_->setAccessibleName(tr("Search problems"));
  source_->setAccessibleName(tr("Source filter"));
  topic_->setAccessibleName(tr("Topic filter"));
  difficulty_->setAccessibleName(tr("Difficulty filter"));
  progress_->setAccessibleName(tr("Progress filter"));
  today_->setAccessibleName(tr("Today's practice"));
  today_->setToolTip(tr("Five problems chosen for today: reviews that are due, then your weakest topics (Ctrl+T)"));
  progress_->addItem(tr("All problems"), int(ProgressFilter::All));
  progress_->addItem(tr("Not solved yet"), int(ProgressFilter::Unsolved));
  progress_->addItem(tr("Solved"), int(ProgressFilter::Solved));
  progress_->addItem(tr("Due for review"), int(ProgressFilter::DueForReview));
  progress_->addItem(tr("Today's practice"), int(ProgressFilter::TodaysPractice));
  list_->setAccessibleName(tr("Problems"));
  list_->setModel(model_);
  list_->setUniformItemSizes(true);  // constant-time layout for thousands of rows
  list_->setAlternatingRowColors(true);
  list_->setWordWrap(false);
  list_->setTextElideMode(Qt::ElideRight);
  list_->setSpacing(2);
  list_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  source_->setSizeAdjustPolicy(QComboBox::AdjustToContents);

  topic_->addItem(tr("All topics"), -1);
  for (int t = 0; t < problems::kTopicCount; ++t) {
    const auto name = problems::topic_name(static_cast<problems::Topic>(t));
    topic_->addItem(QString::fromUtf8(name.data(), qsizetype(name.size())), t);
  }
  difficulty_->addItem(tr("Any difficulty"), 0);
  for (int d = 1; d <= 5; ++d) difficulty_->addItem(tr("Difficulty %1").arg(d), d);

  auto* filters = new QGridLayout;
  filters->addWidget(search_, 0, 0, 1, 3);
  filters->addWidget(source_, 1, 0);
  filters->addWidget(topic_, 1, 1);
  filters->addWidget(difficulty_, 1, 2);
  filters->addWidget(progress_, 2, 0, 1, 2);
  filters->addWidget(today_, 2, 2);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 4, 8);
  layout->addLayout(filters);
  layout->addWidget(count_);
  layout->addWidget(list_, 1);

  debounce_->setSingleShot(true);
  debounce_->setInterval(120);
  connect(debounce_, &QTimer::timeout, this, &ProblemBrowser::refresh);
  connect(search_, &QLineEdit::textChanged, debounce_, qOverload<>(&QTimer::start));
  connect(today_, &QPushButton::clicked, this, &ProblemBrowser::showTodaysPractice);
  for (QComboBox* box : {source_, topic_, difficulty_, progress_})
    connect(box, &QComboBox::currentIndexChanged, this, &ProblemBrowser::refresh);
  connect(list_->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& index) {
    if (const auto* p = model_->problemAt(index.row())) emit problemSelected(QString::fromStdString(p->id));
  });
}

void ProblemBrowser::setBank(const problems::ProblemBank* bank) {
  bank_ = bank;
  model_->forgetBank();
  const QSignalBlocker block(source_);
  source_->clear();
  source_->addItem(tr("All sources"), QString());
  if (bank_)
    for (const auto& key : bank_->source_keys()) source_->addItem(sourceLabel(key), QString::fromStdString(key));
  refresh();
}

void ProblemBrowser::refresh() {
  if (!bank_) {
    model_->setProblems({});
    count_->setText(tr("The problem bank is not loaded."));
    return;
  }
  problems::SearchQuery q;
  q.text = search_->text().toStdString();
  if (const QString key = source_->currentData().toString(); !key.isEmpty()) q.source_keys.push_back(key.toStdString());
  if (const int t = topic_->currentData().toInt(); t >= 0) q.topics.push_back(static_cast<problems::Topic>(t));
  if (const int d = difficulty_->currentData().toInt(); d > 0) q.difficulty_min = q.difficulty_max = d;
  std::vector<const problems::Problem*> rows = bank_->search(q);
  const auto filter = progressFilter();
  if (filter == ProgressFilter::TodaysPractice) {
    // Today's order, not the bank's: reviews first, then the weakest topics.
    QSet<const problems::Problem*> matching(rows.begin(), rows.end());
    rows.clear();
    for (const QString& id : todaysPractice_)
      if (const auto* p = bank_->find(id.toStdString()); p && matching.contains(p)) rows.push_back(p);
  } else if (filter != ProgressFilter::All) {
    std::erase_if(rows, [&](const problems::Problem* p) {
      const app::ProblemStatus st = statuses_.value(QString::fromStdString(p->id));
      switch (filter) {
        case ProgressFilter::Unsolved: return st.standing == app::ProblemStanding::Solved;
        case ProgressFilter::Solved: return st.standing != app::ProblemStanding::Solved;
        case ProgressFilter::DueForReview: return !st.dueForReview;
        default: return false;
      }
    });
  }
  model_->setProblems(std::move(rows));
  if (filter == ProgressFilter::TodaysPractice) {
    int done = 0;
    for (const QString& id : todaysPractice_) done += statuses_.value(id).standing == app::ProblemStanding::Solved;
    count_->setText(todaysPractice_.isEmpty() ? tr("Nothing left to practise today — every problem is solved.")
                                              : tr("Today's practice: %1 of %2 solved").arg(done).arg(todaysPractice_.size()));
  } else {
    count_->setText(tr("%1 of %2 problems").arg(QLocale().toString(model_->rowCount()), QLocale().toString(qulonglong(bank_->size()))));
  }
}

void ProblemBrowser::setProgress(QHash<QString, app::ProblemStatus> statuses, QStringList todaysPractice) {
  statuses_ = std::move(statuses);
  todaysPractice_ = std::move(todaysPractice);
  model_->setStatuses(statuses_);
  // Keep the open problem selected while the list follows the new standing.
  const QString current = list_->currentIndex().data(ProblemListModel::ProblemIdRole).toString();
  if (progressFilter() != ProgressFilter::All) {
    const QSignalBlocker block(list_->selectionModel());
    refresh();
    if (const int row = model_->rowOf(current); row >= 0) list_->setCurrentIndex(model_->index(row));
  }
}

void ProblemBrowser::setProgressFilter(ProgressFilter filter) {
  progress_->setCurrentIndex(progress_->findData(int(filter)));
}

ProblemBrowser::ProgressFilter ProblemBrowser::progressFilter() const {
  return static_cast<ProgressFilter>(progress_->currentData().toInt());
}

void ProblemBrowser::showTodaysPractice() {
  // Today's list is its own filter: the other filters would only hide part of it.
  clearFilters(ProgressFilter::TodaysPractice);
  for (int row = 0; row < model_->rowCount(); ++row)
    if (statuses_.value(QString::fromStdString(model_->problemAt(row)->id)).standing != app::ProblemStanding::Solved) {
      list_->setCurrentIndex(model_->index(row));
      return;
    }
  if (model_->rowCount() > 0) list_->setCurrentIndex(model_->index(0));
}

QStringList ProblemBrowser::visibleIds() const {
  QStringList ids;
  for (int row = 0; row < model_->rowCount(); ++row) ids << QString::fromStdString(model_->problemAt(row)->id);
  return ids;
}

QString ProblemBrowser::countText() const { return count_->text(); }


void ProblemBrowser::clearFilters(ProgressFilter keep) {
  {
    const QSignalBlocker b1(search_), b2(source_), b3(topic_), b4(difficulty_), b5(progress_);
    search_->clear();
    source_->setCurrentIndex(0);
    topic_->setCurrentIndex(0);
    difficulty_->setCurrentIndex(0);
    setProgressFilter(keep);
  }
  refresh();
}

bool ProblemBrowser::selectProblem(const QString& id) {
  int row = model_->rowOf(id);
  if (row < 0) {
    clearFilters();
    row = model_->rowOf(id);
  }
  if (row < 0) return false;
  list_->setCurrentIndex(model_->index(row));
  list_->scrollTo(model_->index(row), QAbstractItemView::PositionAtCenter);
  return true;
}

bool ProblemBrowser::selectNext() {
  const int next = list_->currentIndex().row() + 1;
  if (next >= model_->rowCount()) return false;
  list_->setCurrentIndex(model_->index(next));
  return true;
}

int ProblemBrowser::visibleCount() const { return model_->rowCount(); }

}  // namespace zaya::ui
