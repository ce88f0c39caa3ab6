#include "problem_browser.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
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
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 4, 8);
  layout->addLayout(filters);
  layout->addWidget(count_);
  layout->addWidget(list_, 1);

  debounce_->setSingleShot(true);
  debounce_->setInterval(120);
  connect(debounce_, &QTimer::timeout, this, &ProblemBrowser::refresh);
  connect(search_, &QLineEdit::textChanged, debounce_, qOverload<>(&QTimer::start));
  for (QComboBox* box : {source_, topic_, difficulty_})
    connect(box, &QComboBox::currentIndexChanged, this, &ProblemBrowser::refresh);
  connect(list_->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& index) {
    if (const auto* p = model_->problemAt(index.row())) emit problemSelected(QString::fromStdString(p->id));
  });
}

void ProblemBrowser::setBank(const problems::ProblemBank* bank) {
  bank_ = bank;
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
  model_->setProblems(bank_->search(q));
  count_->setText(tr("%1 of %2 problems").arg(QLocale().toString(model_->rowCount()), QLocale().toString(qulonglong(bank_->size()))));
}

void ProblemBrowser::clearFilters() {
  const QSignalBlocker b1(search_), b2(source_), b3(topic_), b4(difficulty_);
  search_->clear();
  source_->setCurrentIndex(0);
  topic_->setCurrentIndex(0);
  difficulty_->setCurrentIndex(0);
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
