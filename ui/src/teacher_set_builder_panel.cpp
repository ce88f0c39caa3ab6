#include "teacher_set_builder_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QVBoxLayout>

#include <optional>

#include "app_context.h"
#include "contest_service.h"
#include "message_line.h"
#include "problem_document.h"
#include "set_printer.h"

namespace zaya::ui {

namespace pr = zaya::problems;

namespace {
QString qs(const std::string& s) { return QString::fromStdString(s); }

QComboBox* topicCombo(QWidget* parent, bool withAny) {
  auto* c = new QComboBox(parent);
  if (withAny) c->addItem(QObject::tr("Any topic"), QString());
  for (int i = 0; i < pr::kTopicCount; ++i) {
    const QString name = qs(std::string(pr::topic_name(pr::Topic(i))));
    c->addItem(name, name);
  }
  return c;
}

QSpinBox* levelSpin(QWidget* parent, int value) {
  auto* s = new QSpinBox(parent);
  s->setRange(1, 5);
  s->setValue(value);
  return s;
}
}  // namespace

TeacherSetBuilderPanel::TeacherSetBuilderPanel(TeacherServices services, QWidget* parent)
    : QWidget(parent), services_(std::move(services)) {
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(buildSearchRow());
  layout->addLayout(buildPickLists(), 1);
  layout->addLayout(buildDrawRow());
  layout->addLayout(buildSetForm());
  auto* exportButton = new QPushButton(tr("Create set and export…"), this);
  layout->addWidget(exportButton, 0, Qt::AlignRight);
  connect(exportButton, &QPushButton::clicked, this, &TeacherSetBuilderPanel::askForSetFile);
  layout->addLayout(buildPrintRow());
  connect(this, &TeacherSetBuilderPanel::setExported, this, &TeacherSetBuilderPanel::refreshSavedSets);
}

void TeacherSetBuilderPanel::setClassId(qint64 classId) {
  classId_ = classId;
  refreshSavedSets();
}

QLayout* TeacherSetBuilderPanel::buildPrintRow() {
  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel(tr("Print"), this));
  printWhat_ = new QComboBox(this);
  printWhat_->setAccessibleName(tr("Set to print"));
  row->addWidget(printWhat_, 1);
  auto* worksheet = new QPushButton(tr("Print worksheet…"), this);
  worksheet->setToolTip(tr("The problems, numbered, with Name and Date lines and room to work, as a PDF"));
  auto* key = new QPushButton(tr("Print answer key…"), this);
  key->setToolTip(tr("Each problem's key and the bank's reference solution, as a PDF"));
  row->addWidget(worksheet);
  row->addWidget(key);
  connect(worksheet, &QPushButton::clicked, this, [this] { askToPrint(PrintRequest::Kind::Worksheet); });
  connect(key, &QPushButton::clicked, this, [this] { askToPrint(PrintRequest::Kind::AnswerKey); });
  refreshSavedSets();
  return row;
}

// "The set being built", then the chosen class's saved sets, newest first.
void TeacherSetBuilderPanel::refreshSavedSets() {
  const qint64 keep = printWhat_->currentData().toLongLong();
  printWhat_->clear();
  printWhat_->addItem(tr("The set being built"), qint64(0));
  if (classId_ && services_.context && services_.context->ok() && services_.context->auth().isTeacher()) {
    QList<app::ProblemSet> sets;
    services_.messages->run([&] { sets = services_.context->classroom().sets(classId_); });
    for (auto it = sets.crbegin(); it != sets.crend(); ++it)
      printWhat_->addItem(tr("Saved: %1").arg(it->title), it->id);  // a combo box shows names as typed
  }
  const int at = printWhat_->findData(keep);
  printWhat_->setCurrentIndex(at >= 0 ? at : 0);
}

std::optional<PrintRequest> TeacherSetBuilderPanel::printRequest(PrintRequest::Kind kind) {
  if (!services_.isUnlocked()) return std::nullopt;
  const pr::ProblemBank* bank = services_.context ? services_.context->bank() : nullptr;
  if (!bank) {
    services_.messages->showError(tr("The problem bank is not loaded yet."));
    return std::nullopt;
  }
  if (const qint64 setId = printWhat_->currentData().toLongLong()) {
    std::optional<PrintRequest> request;
    services_.messages->run([&] {
      for (const app::ProblemSet& s : services_.context->classroom().sets(classId_)) {
        if (s.id != setId) continue;
        QString error;
        request = printRequestForSet(s, bank, kind, &error);
        if (!request) services_.messages->showError(error);
        return;
      }
      services_.messages->showError(tr("That set is no longer saved for this class."));
    });
    return request;
  }
  if (pickedIds_.isEmpty()) {
    services_.messages->showError(tr("Add problems to the set first, or choose a saved set to print."));
    return std::nullopt;
  }
  PrintRequest r;
  r.kind = kind;
  r.title = title_->text().trimmed();
  if (hasDue_->isChecked()) r.subtitle = tr("Due %1").arg(QLocale().toString(due_->date(), QLocale::LongFormat));
  if (timed_->isChecked()) {
    const int allowed = qRound(minutes_->value() * multiplier_->currentData().toDouble());
    r.subtitle += (r.subtitle.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("Time allowed: %1 min").arg(allowed);
  }
  for (const QString& id : pickedIds_)
    if (const pr::Problem* p = bank->find(id.toStdString())) r.problems << *p;
  return r;
}

bool TeacherSetBuilderPanel::printTo(PrintRequest::Kind kind, const QString& pdfPath) {
  const auto request = printRequest(kind);
  if (!request) return false;
  return printSetTo(this, *request, pdfPath, [this](const QString& text, bool isError) {
    services_.messages->showMessage(text, isError);
    emit printFinished(!isError);
  });
}

void TeacherSetBuilderPanel::askToPrint(PrintRequest::Kind kind) {
  const auto request = printRequest(kind);
  if (!request) return;
  printSetWithDialog(this, *request, [this](const QString& text, bool isError) {
    services_.messages->showMessage(text, isError);
    emit printFinished(!isError);
  });
}

QLayout* TeacherSetBuilderPanel::buildSearchRow() {
  auto* row = new QHBoxLayout;
  searchText_ = new QLineEdit(this);
  searchText_->setPlaceholderText(tr("Words in the problem"));
  row->addWidget(searchText_, 2);
  searchTopic_ = topicCombo(this, true);
  row->addWidget(searchTopic_);
  row->addWidget(new QLabel(tr("Level"), this));
  levelMin_ = levelSpin(this, 1);
  levelMax_ = levelSpin(this, 5);
  row->addWidget(levelMin_);
  row->addWidget(new QLabel(tr("to"), this));
  row->addWidget(levelMax_);
  auto* searchButton = new QPushButton(tr("Search"), this);
  row->addWidget(searchButton);
  connect(searchButton, &QPushButton::clicked, this, &TeacherSetBuilderPanel::searchBank);
  connect(searchText_, &QLineEdit::returnPressed, this, &TeacherSetBuilderPanel::searchBank);
  return row;
}

QLayout* TeacherSetBuilderPanel::buildPickLists() {
  auto* row = new QHBoxLayout;
  results_ = new QListWidget(this);
  results_->setAccessibleName(tr("Matching problems"));
  results_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  row->addWidget(results_, 1);
  auto* buttons = new QVBoxLayout;
  auto* pickButton = new QPushButton(tr("Add →"), this);
  auto* unpickButton = new QPushButton(tr("← Remove"), this);
  buttons->addStretch();
  buttons->addWidget(pickButton);
  buttons->addWidget(unpickButton);
  buttons->addStretch();
  row->addLayout(buttons);
  picked_ = new QListWidget(this);
  picked_->setAccessibleName(tr("Problems in the set"));
  row->addWidget(picked_, 1);
  connect(pickButton, &QPushButton::clicked, this, [this] {
    for (auto* item : results_->selectedItems()) pickProblem(item->data(Qt::UserRole).toString());
  });
  connect(results_, &QListWidget::itemDoubleClicked, this,
          [this](QListWidgetItem* item) { pickProblem(item->data(Qt::UserRole).toString()); });
  connect(unpickButton, &QPushButton::clicked, this, &TeacherSetBuilderPanel::unpickSelected);
  return row;
}

QLayout* TeacherSetBuilderPanel::buildDrawRow() {
  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel(tr("Add"), this));
  drawCount_ = new QSpinBox(this);
  drawCount_->setRange(1, 50);
  drawCount_->setValue(5);
  row->addWidget(drawCount_);
  row->addWidget(new QLabel(tr("problems of"), this));
  drawTopic_ = topicCombo(this, false);
  row->addWidget(drawTopic_);
  row->addWidget(new QLabel(tr("at level"), this));
  drawLevel_ = levelSpin(this, 2);
  row->addWidget(drawLevel_);
  row->addWidget(new QLabel(tr("from"), this));
  drawSource_ = new QComboBox(this);
  drawSource_->setAccessibleName(tr("Source of the drawn problems"));
  fillSources();
  if (services_.context) connect(services_.context, &AppContext::bankChanged, this, &TeacherSetBuilderPanel::fillSources);
  row->addWidget(drawSource_);
  // The draw is random but repeatable: the seed is shown and can be typed.
  row->addWidget(new QLabel(tr("seed"), this));
  drawSeed_ = new QSpinBox(this);
  drawSeed_->setRange(0, 999999);
  drawSeed_->setValue(int(QRandomGenerator::global()->bounded(1000000)));
  drawSeed_->setAccessibleName(tr("Seed of the random draw"));
  drawSeed_->setToolTip(tr("The same seed draws the same problems again."));
  row->addWidget(drawSeed_);
  auto* drawButton = new QPushButton(tr("Add"), this);
  row->addWidget(drawButton);
  row->addStretch();
  connect(drawButton, &QPushButton::clicked, this, &TeacherSetBuilderPanel::drawAsAsked);
  return row;
}

QLayout* TeacherSetBuilderPanel::buildSetForm() {
  auto* form = new QFormLayout;
  title_ = new QLineEdit(this);
  title_->setPlaceholderText(tr("e.g. Week 3 — fractions"));
  form->addRow(tr("Title"), title_);
  auto* rulesRow = new QHBoxLayout;
  hasDue_ = new QCheckBox(tr("Due"), this);
  due_ = new QDateEdit(QDate::currentDate().addDays(7), this);
  due_->setCalendarPopup(true);
  due_->setEnabled(false);
  connect(hasDue_, &QCheckBox::toggled, due_, &QWidget::setEnabled);
  rulesRow->addWidget(hasDue_);
  rulesRow->addWidget(due_);
  allowHints_ = new QCheckBox(tr("Hints allowed"), this);
  allowHints_->setChecked(true);
  allowSolutions_ = new QCheckBox(tr("Model solutions allowed"), this);
  allowSolutions_->setChecked(false);
  allowReference_ = new QCheckBox(tr("Reference solutions allowed"), this);
  allowReference_->setChecked(true);
  allowReference_->setToolTip(tr("Even when allowed, the answer key opens only after a first attempt."));
  rulesRow->addWidget(allowHints_);
  rulesRow->addWidget(allowSolutions_);
  rulesRow->addWidget(allowReference_);
  rulesRow->addStretch();
  form->addRow(rulesRow);
  // A timed test (problems/FORMAT.md, time_limit_minutes): students sit it in
  // their Mock contests screen under contest rules.
  auto* timedRow = new QHBoxLayout;
  timed_ = new QCheckBox(tr("Timed test"), this);
  timed_->setToolTip(tr("Students sit it under contest rules: the clock, no hints, solutions or answer checking "
                        "until they submit or the time is up"));
  minutes_ = new QSpinBox(this);
  minutes_->setRange(1, pr::kMaxTimeLimitMinutes);
  minutes_->setValue(45);
  minutes_->setSuffix(tr(" min"));
  minutes_->setAccessibleName(tr("Time limit in minutes"));
  multiplier_ = new QComboBox(this);
  multiplier_->setAccessibleName(tr("Extended time"));
  for (double m : app::kTimeMultipliers)
    multiplier_->addItem(m == 1.0 ? tr("standard time") : tr("%1× time (extended)").arg(QLocale().toString(m)), m);
  for (QWidget* w : {static_cast<QWidget*>(minutes_), static_cast<QWidget*>(multiplier_)}) w->setEnabled(false);
  connect(timed_, &QCheckBox::toggled, minutes_, &QWidget::setEnabled);
  connect(timed_, &QCheckBox::toggled, multiplier_, &QWidget::setEnabled);
  timedRow->addWidget(timed_);
  timedRow->addWidget(minutes_);
  timedRow->addWidget(multiplier_);
  timedRow->addStretch();
  form->addRow(timedRow);
  return form;
}

void TeacherSetBuilderPanel::fillSources() {
  drawSource_->clear();
  drawSource_->addItem(tr("every source"), QString());
  if (services_.context && services_.context->bank())
    for (const auto& key : services_.context->bank()->source_keys()) drawSource_->addItem(qs(key), qs(key));
}

void TeacherSetBuilderPanel::searchBank() {
  results_->clear();
  const pr::ProblemBank* bank = services_.context ? services_.context->bank() : nullptr;
  if (!bank) {
    services_.messages->showError(tr("The problem bank is not loaded yet."));
    return;
  }
  pr::SearchQuery q;
  q.text = searchText_->text().trimmed().toStdString();
  if (const QString t = searchTopic_->currentData().toString(); !t.isEmpty())
    if (const auto topic = pr::topic_from_name(t.toStdString())) q.topics.push_back(*topic);
  q.difficulty_min = std::min(levelMin_->value(), levelMax_->value());
  q.difficulty_max = std::max(levelMin_->value(), levelMax_->value());
  q.limit = 300;
  for (const pr::Problem* p : bank->search(q)) {
    const QString statement = plainExcerpt(p->statement_latex, p->dollar_is_math, 90);
    auto* item = new QListWidgetItem(QStringLiteral("%1 · L%2 · %3").arg(qs(p->id)).arg(p->difficulty).arg(statement), results_);
    item->setData(Qt::UserRole, qs(p->id));
  }
  services_.messages->showInfo(tr("%1 matching problems listed (at most 300).").arg(results_->count()));
}

bool TeacherSetBuilderPanel::pickProblem(const QString& id) {
  const pr::ProblemBank* bank = services_.context ? services_.context->bank() : nullptr;
  if (!bank || !bank->contains(id.toStdString()) || pickedIds_.contains(id)) return false;
  pickedIds_ << id;
  refreshPicked();
  return true;
}

void TeacherSetBuilderPanel::unpickSelected() {
  for (auto* item : picked_->selectedItems()) pickedIds_.removeAll(item->data(Qt::UserRole).toString());
  refreshPicked();
}

int TeacherSetBuilderPanel::addOfTopic(int n, const QString& topic, int level) {
  if (!services_.context || !services_.context->ok()) return 0;
  QStringList drawn;
  services_.messages->run([&] {
    drawn = services_.context->classroom().pickProblems(n, topic, level, drawSource_->currentData().toString(),
                                                        quint32(drawSeed_->value()), pickedIds_);
    pickedIds_ << drawn;
    refreshPicked();
  });
  return int(drawn.size());
}

void TeacherSetBuilderPanel::drawAsAsked() {
  const int added = addOfTopic(drawCount_->value(), drawTopic_->currentData().toString(), drawLevel_->value());
  if (added < drawCount_->value())
    services_.messages->showInfo(tr("Only %1 more of that topic and level in the bank.").arg(added));
}

void TeacherSetBuilderPanel::refreshPicked() {
  picked_->clear();
  const pr::ProblemBank* bank = services_.context ? services_.context->bank() : nullptr;
  for (const QString& id : pickedIds_) {
    QString label = id;
    if (const pr::Problem* p = bank ? bank->find(id.toStdString()) : nullptr)
      label = QStringLiteral("%1 · %2 · L%3").arg(id, qs(std::string(pr::topic_name(p->topic)))).arg(p->difficulty);
    auto* item = new QListWidgetItem(label, picked_);
    item->setData(Qt::UserRole, id);
  }
}

void TeacherSetBuilderPanel::askForSetFile() {
  const QString f = QFileDialog::getSaveFileName(this, tr("Export problem set"), title_->text() + QStringLiteral(".json"),
                                                 tr("Problem sets (*.json)"));
  if (!f.isEmpty()) exportSet(f);
}

bool TeacherSetBuilderPanel::exportSet(const QString& file) {
  if (!services_.isUnlocked()) return false;
  if (!classId_) {
    services_.messages->showError(tr("Choose the class the set is for."));
    return false;
  }
  const QString title = title_->text().trimmed();
  if (title.isEmpty() || pickedIds_.isEmpty()) {
    services_.messages->showError(tr("A set needs a title and at least one problem."));
    return false;
  }
  return services_.messages->run([&] {
    auto& classroom = services_.context->classroom();
    const app::ProblemSet set =
        classroom.createSet(classId_, title, pickedIds_, hasDue_->isChecked() ? std::optional<QDate>(due_->date()) : std::nullopt,
                            allowHints_->isChecked(), allowSolutions_->isChecked(), allowReference_->isChecked(),
                            timed_->isChecked() ? app::SetTiming{minutes_->value(), multiplier_->currentData().toDouble()}
                                                : app::SetTiming{});
    classroom.exportSet(set.id, file);
    emit setExported(set.id);
    pickedIds_.clear();
    refreshPicked();
    services_.messages->showInfo(
        tr("Set “%1” written to %2. Students open it with File ▸ Import problem set…").arg(set.title, file));
  });
}

}  // namespace zaya::ui
