#include "teacher_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>
#include <QTableView>
#include <QVBoxLayout>

#include "app_context.h"
#include "problem_document.h"
#include "screen_page.h"
#include "teacher_lock_page.h"

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

TeacherView::TeacherView(AppContext* context, QWidget* parent) : QWidget(parent), ctx_(context) {
  auto* outer = new QVBoxLayout(this);
  pages_ = new QStackedWidget(this);
  outer->addWidget(pages_);

  lockPage_ = new TeacherLockPage(context, pages_);
  pages_->addWidget(lockPage_);
  connect(lockPage_, &TeacherLockPage::finished, this, [this](bool unlocked) {
    if (unlocked) opened();
    emit unlockFinished(unlocked);
  });

  // --- teacher page ---
  auto* page = new QWidget(pages_);
  auto* pageLayout = new QVBoxLayout(page);
  pageLayout->setContentsMargins(0, 0, 0, 0);
  auto* top = new QHBoxLayout;
  auto* title = new QLabel(tr("Teacher mode"), page);
  keepRelativeFont(title, 1.3, true);
  top->addWidget(title);
  top->addStretch();
  auto* lockButton = new QPushButton(tr("Lock"), page);
  connect(lockButton, &QPushButton::clicked, this, &TeacherView::lock);
  top->addWidget(lockButton);
  pageLayout->addLayout(top);
  message_ = new QLabel(page);
  message_->setWordWrap(true);
  message_->setTextFormat(Qt::PlainText);  // it names students and sets as their teacher typed them
  pageLayout->addWidget(message_);

  auto* body = new QHBoxLayout;
  pageLayout->addLayout(body, 1);
  // Classes and students.
  auto* left = new QVBoxLayout;
  left->addWidget(new QLabel(tr("Classes"), page));
  classes_ = new QListWidget(page);
  classes_->setAccessibleName(tr("Classes"));
  left->addWidget(classes_, 1);
  auto* classRow = new QHBoxLayout;
  className_ = new QLineEdit(page);
  className_->setPlaceholderText(tr("New class"));
  classRow->addWidget(className_);
  auto* addClass = new QPushButton(tr("Add"), page);
  classRow->addWidget(addClass);
  left->addLayout(classRow);
  auto* classFile = new QPushButton(tr("Export students' class files…"), page);
  classFile->setToolTip(tr("One file per student, each with that student's own key: hand each student their own."));
  left->addWidget(classFile);
  left->addWidget(new QLabel(tr("Students"), page));
  students_ = new QListWidget(page);
  students_->setAccessibleName(tr("Students of the class"));
  left->addWidget(students_, 1);
  auto* studentRow = new QHBoxLayout;
  studentName_ = new QLineEdit(page);
  studentName_->setPlaceholderText(tr("New student"));
  studentRow->addWidget(studentName_);
  auto* addStudentButton = new QPushButton(tr("Add"), page);
  studentRow->addWidget(addStudentButton);
  left->addLayout(studentRow);
  auto* rosterRow = new QHBoxLayout;
  auto* renameStudentButton = new QPushButton(tr("Rename…"), page);
  auto* deleteStudentButton = new QPushButton(tr("Delete…"), page);
  auto* passwordButton = new QPushButton(tr("Change password…"), page);
  rosterRow->addWidget(renameStudentButton);
  rosterRow->addWidget(deleteStudentButton);
  rosterRow->addStretch();
  rosterRow->addWidget(passwordButton);
  left->addLayout(rosterRow);
  body->addLayout(left, 1);
  connectRosterActions(renameStudentButton, deleteStudentButton, passwordButton);
  connect(addClass, &QPushButton::clicked, this, [this] {
    if (createClass(className_->text())) className_->clear();
  });
  connect(className_, &QLineEdit::returnPressed, addClass, &QPushButton::click);
  connect(addStudentButton, &QPushButton::clicked, this, [this] {
    if (addStudent(studentName_->text())) studentName_->clear();
  });
  connect(studentName_, &QLineEdit::returnPressed, addStudentButton, &QPushButton::click);
  connect(classFile, &QPushButton::clicked, this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder for the students' class files"));
    if (!folder.isEmpty()) exportClassFiles(folder);
  });
  connect(classes_, &QListWidget::currentRowChanged, this, [this] {
    refreshStudents();
    refreshSets();
  });

  auto* tabs = new QTabWidget(page);
  body->addWidget(tabs, 3);

  // Set builder.
  auto* builder = new QWidget(tabs);
  auto* b = new QVBoxLayout(builder);
  auto* filters = new QHBoxLayout;
  searchText_ = new QLineEdit(builder);
  searchText_->setPlaceholderText(tr("Words in the problem"));
  filters->addWidget(searchText_, 2);
  searchTopic_ = topicCombo(builder, true);
  filters->addWidget(searchTopic_);
  filters->addWidget(new QLabel(tr("Level"), builder));
  levelMin_ = levelSpin(builder, 1);
  levelMax_ = levelSpin(builder, 5);
  filters->addWidget(levelMin_);
  filters->addWidget(new QLabel(tr("to"), builder));
  filters->addWidget(levelMax_);
  auto* searchButton = new QPushButton(tr("Search"), builder);
  filters->addWidget(searchButton);
  b->addLayout(filters);
  auto* lists = new QHBoxLayout;
  results_ = new QListWidget(builder);
  results_->setAccessibleName(tr("Matching problems"));
  results_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  lists->addWidget(results_, 1);
  auto* mid = new QVBoxLayout;
  auto* pickButton = new QPushButton(tr("Add →"), builder);
  auto* unpickButton = new QPushButton(tr("← Remove"), builder);
  mid->addStretch();
  mid->addWidget(pickButton);
  mid->addWidget(unpickButton);
  mid->addStretch();
  lists->addLayout(mid);
  picked_ = new QListWidget(builder);
  picked_->setAccessibleName(tr("Problems in the set"));
  lists->addWidget(picked_, 1);
  b->addLayout(lists, 1);
  auto* countRow = new QHBoxLayout;
  countRow->addWidget(new QLabel(tr("Add"), builder));
  countN_ = new QSpinBox(builder);
  countN_->setRange(1, 50);
  countN_->setValue(5);
  countRow->addWidget(countN_);
  countRow->addWidget(new QLabel(tr("problems of"), builder));
  countTopic_ = topicCombo(builder, false);
  countRow->addWidget(countTopic_);
  countRow->addWidget(new QLabel(tr("at level"), builder));
  countLevel_ = levelSpin(builder, 2);
  countRow->addWidget(countLevel_);
  countRow->addWidget(new QLabel(tr("from"), builder));
  countSource_ = new QComboBox(builder);
  countSource_->setAccessibleName(tr("Source of the drawn problems"));
  const auto fillSources = [this] {
    countSource_->clear();
    countSource_->addItem(tr("every source"), QString());
    if (ctx_ && ctx_->bank())
      for (const auto& key : ctx_->bank()->source_keys()) countSource_->addItem(qs(key), qs(key));
  };
  fillSources();
  if (ctx_) connect(ctx_, &AppContext::bankChanged, this, fillSources);
  countRow->addWidget(countSource_);
  // The draw is random but repeatable: the seed is shown and can be typed.
  countRow->addWidget(new QLabel(tr("seed"), builder));
  countSeed_ = new QSpinBox(builder);
  countSeed_->setRange(0, 999999);
  countSeed_->setValue(int(QRandomGenerator::global()->bounded(1000000)));
  countSeed_->setAccessibleName(tr("Seed of the random draw"));
  countSeed_->setToolTip(tr("The same seed draws the same problems again."));
  countRow->addWidget(countSeed_);
  auto* countButton = new QPushButton(tr("Add"), builder);
  countRow->addWidget(countButton);
  countRow->addStretch();
  b->addLayout(countRow);
  auto* setForm = new QFormLayout;
  setTitle_ = new QLineEdit(builder);
  setTitle_->setPlaceholderText(tr("e.g. Week 3 — fractions"));
  setForm->addRow(tr("Title"), setTitle_);
  auto* dueRow = new QHBoxLayout;
  hasDue_ = new QCheckBox(tr("Due"), builder);
  due_ = new QDateEdit(QDate::currentDate().addDays(7), builder);
  due_->setCalendarPopup(true);
  due_->setEnabled(false);
  connect(hasDue_, &QCheckBox::toggled, due_, &QWidget::setEnabled);
  dueRow->addWidget(hasDue_);
  dueRow->addWidget(due_);
  allowHints_ = new QCheckBox(tr("Hints allowed"), builder);
  allowHints_->setChecked(true);
  allowSolutions_ = new QCheckBox(tr("Model solutions allowed"), builder);
  allowSolutions_->setChecked(false);
  allowReference_ = new QCheckBox(tr("Reference solutions allowed"), builder);
  allowReference_->setChecked(true);
  allowReference_->setToolTip(tr("Even when allowed, the answer key opens only after a first attempt."));
  dueRow->addWidget(allowHints_);
  dueRow->addWidget(allowSolutions_);
  dueRow->addWidget(allowReference_);
  dueRow->addStretch();
  setForm->addRow(dueRow);
  b->addLayout(setForm);
  auto* exportButton = new QPushButton(tr("Create set and export…"), builder);
  b->addWidget(exportButton, 0, Qt::AlignRight);
  tabs->addTab(builder, tr("New problem set"));
  connect(searchButton, &QPushButton::clicked, this, &TeacherView::searchBank);
  connect(searchText_, &QLineEdit::returnPressed, this, &TeacherView::searchBank);
  connect(pickButton, &QPushButton::clicked, this, [this] {
    for (auto* item : results_->selectedItems()) pickProblem(item->data(Qt::UserRole).toString());
  });
  connect(results_, &QListWidget::itemDoubleClicked, this,
          [this](QListWidgetItem* item) { pickProblem(item->data(Qt::UserRole).toString()); });
  connect(unpickButton, &QPushButton::clicked, this, [this] {
    for (auto* item : picked_->selectedItems()) pickedIds_.removeAll(item->data(Qt::UserRole).toString());
    refreshPicked();
  });
  connect(countButton, &QPushButton::clicked, this, [this] {
    const int added = addOfTopic(countN_->value(), countTopic_->currentData().toString(), countLevel_->value());
    if (added < countN_->value())
      setMessage(tr("Only %1 more of that topic and level in the bank.").arg(added), false);
  });
  connect(exportButton, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getSaveFileName(this, tr("Export problem set"), setTitle_->text() + QStringLiteral(".json"),
                                                   tr("Problem sets (*.json)"));
    if (!f.isEmpty()) exportSet(f);
  });

  // Results.
  auto* resultsPage = new QWidget(tabs);
  auto* r = new QVBoxLayout(resultsPage);
  auto* resultsRow = new QHBoxLayout;
  resultsRow->addWidget(new QLabel(tr("Set"), resultsPage));
  sets_ = new QComboBox(resultsPage);
  sets_->setAccessibleName(tr("Problem sets of the class"));
  resultsRow->addWidget(sets_, 1);
  auto* importButton = new QPushButton(tr("Import results…"), resultsPage);
  resultsRow->addWidget(importButton);
  auto* csvButton = new QPushButton(tr("Export CSV…"), resultsPage);
  resultsRow->addWidget(csvButton);
  auto* deleteSetButton = new QPushButton(tr("Delete set…"), resultsPage);
  resultsRow->addWidget(deleteSetButton);
  r->addLayout(resultsRow);
  integrity_ = new QLabel(resultsPage);
  integrity_->setWordWrap(true);
  integrity_->setTextFormat(Qt::PlainText);
  r->addWidget(integrity_);
  connect(deleteSetButton, &QPushButton::clicked, this, &TeacherView::confirmDeleteSet);
  gridModel_ = new app::ClassGridModel(this);
  grid_ = new QTableView(resultsPage);
  grid_->setAccessibleName(tr("Class grid"));
  grid_->setModel(gridModel_);
  grid_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  r->addWidget(grid_, 1);
  tabs->addTab(resultsPage, tr("Results"));
  connect(sets_, &QComboBox::currentIndexChanged, this, &TeacherView::refreshGrid);
  connect(importButton, &QPushButton::clicked, this, [this] {
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Import results"), {}, tr("Results files (*.json)"));
    for (const QString& f : files) importResults(f);
  });
  connect(csvButton, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getSaveFileName(this, tr("Export class grid"), {}, tr("CSV files (*.csv)"));
    if (!f.isEmpty()) exportCsv(f);
  });

  pages_->addWidget(page);
  showLockPage();
}

bool TeacherView::isUnlocked() const {
  return ctx_ && ctx_->ok() && ctx_->auth().isTeacher() && pages_->currentIndex() == 1;
}

QString TeacherView::lockMessage() const { return lockPage_->message(); }
QString TeacherView::message() const { return message_->text(); }
QLineEdit* TeacherView::passwordField() const { return lockPage_->passwordField(); }
bool TeacherView::isCheckingPassword() const { return lockPage_->isChecking(); }

void TeacherView::showLockPage() {
  pages_->setCurrentIndex(0);
  lockPage_->refresh();
}

bool TeacherView::startUnlock(const QString& password) { return lockPage_->startUnlock(password); }

void TeacherView::opened() {
  pages_->setCurrentIndex(1);
  setMessage({}, false);
  refreshClasses();
}

void TeacherView::lock() {
  lockPage_->cancel(tr("The password check was stopped: teacher mode was locked."));
  if (ctx_ && ctx_->ok() && ctx_->auth().isTeacher()) ctx_->signInStudent();
  showLockPage();
}

void TeacherView::showEvent(QShowEvent* e) {
  QWidget::showEvent(e);
  QTimer::singleShot(0, this, &TeacherView::rendered);
}

void TeacherView::hideEvent(QHideEvent* e) {
  QWidget::hideEvent(e);
  lockPage_->cancel(tr("The password check was stopped when you left teacher mode."));
  if (isUnlocked()) lock();
}

void TeacherView::setMessage(const QString& text, bool error) {
  message_->setText(text);
  message_->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

qint64 TeacherView::currentClassId() const {
  const auto* item = classes_->currentItem();
  return item ? item->data(Qt::UserRole).toLongLong() : 0;
}

qint64 TeacherView::currentSetId() const { return sets_->currentData().toLongLong(); }

void TeacherView::refreshClasses() {
  const qint64 keep = currentClassId();
  classes_->clear();
  if (!isUnlocked()) return;
  try {
    for (const auto& c : ctx_->classroom().classes()) {
      auto* item = new QListWidgetItem(c.name, classes_);
      item->setData(Qt::UserRole, c.id);
      if (c.id == keep) classes_->setCurrentItem(item);
    }
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
  }
  if (!classes_->currentItem() && classes_->count() > 0) classes_->setCurrentRow(0);
  if (classes_->count() == 0) setMessage(tr("Start by adding a class, then its students."), false);
  refreshStudents();
  refreshSets();
}

void TeacherView::refreshStudents() {
  students_->clear();
  if (!isUnlocked() || !currentClassId()) return;
  try {
    for (const auto& s : ctx_->classroom().students(currentClassId())) {
      auto* item = new QListWidgetItem(s.name, students_);
      item->setData(Qt::UserRole, s.id);
    }
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
  }
}

void TeacherView::refreshSets() {
  const qint64 keep = currentSetId();
  const QSignalBlocker block(sets_);
  sets_->clear();
  if (isUnlocked() && currentClassId()) {
    try {
      for (const auto& s : ctx_->classroom().sets(currentClassId())) sets_->addItem(s.title, s.id);
    } catch (const app::AppError& e) {
      setMessage(e.message(), true);
    }
  }
  const int i = sets_->findData(keep);
  sets_->setCurrentIndex(i >= 0 ? i : sets_->count() - 1);
  refreshGrid();
}

void TeacherView::refreshGrid() {
  if (!isUnlocked() || !currentSetId()) {
    gridModel_->setGrid({});
    return;
  }
  try {
    gridModel_->setGrid(ctx_->classroom().grid(currentSetId()));
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
  }
  refreshIntegrityNote();
}

bool TeacherView::createClass(const QString& name) {
  if (!isUnlocked()) return false;
  try {
    const app::ClassInfo c = ctx_->classroom().createClass(name.trimmed());
    refreshClasses();
    for (int i = 0; i < classes_->count(); ++i)
      if (classes_->item(i)->data(Qt::UserRole).toLongLong() == c.id) classes_->setCurrentRow(i);
    setMessage(tr("Class %1 added. Add its students, then export the class file for them.").arg(c.name), false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

bool TeacherView::addStudent(const QString& name) {
  if (!isUnlocked()) return false;
  if (!currentClassId()) {
    setMessage(tr("Choose a class first."), true);
    return false;
  }
  try {
    ctx_->classroom().addStudent(currentClassId(), name.trimmed());
    refreshStudents();
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

void TeacherView::searchBank() {
  results_->clear();
  const pr::ProblemBank* bank = ctx_ ? ctx_->bank() : nullptr;
  if (!bank) {
    setMessage(tr("The problem bank is not loaded yet."), true);
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
  setMessage(tr("%1 matching problems listed (at most 300).").arg(results_->count()), false);
}

bool TeacherView::pickProblem(const QString& id) {
  const pr::ProblemBank* bank = ctx_ ? ctx_->bank() : nullptr;
  if (!bank || !bank->contains(id.toStdString()) || pickedIds_.contains(id)) return false;
  pickedIds_ << id;
  refreshPicked();
  return true;
}

int TeacherView::addOfTopic(int n, const QString& topic, int level) {
  if (!ctx_ || !ctx_->ok()) return 0;
  try {
    const QStringList drawn = ctx_->classroom().pickProblems(n, topic, level, countSource_->currentData().toString(),
                                                            quint32(countSeed_->value()), pickedIds_);
    pickedIds_ << drawn;
    refreshPicked();
    return int(drawn.size());
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return 0;
  }
}

QStringList TeacherView::pickedIds() const { return pickedIds_; }

void TeacherView::refreshPicked() {
  picked_->clear();
  const pr::ProblemBank* bank = ctx_ ? ctx_->bank() : nullptr;
  for (const QString& id : pickedIds_) {
    QString label = id;
    if (const pr::Problem* p = bank ? bank->find(id.toStdString()) : nullptr)
      label = QStringLiteral("%1 · %2 · L%3").arg(id, qs(std::string(pr::topic_name(p->topic)))).arg(p->difficulty);
    auto* item = new QListWidgetItem(label, picked_);
    item->setData(Qt::UserRole, id);
  }
}

bool TeacherView::exportSet(const QString& file) {
  if (!isUnlocked()) return false;
  if (!currentClassId()) {
    setMessage(tr("Choose the class the set is for."), true);
    return false;
  }
  if (setTitle_->text().trimmed().isEmpty() || pickedIds_.isEmpty()) {
    setMessage(tr("A set needs a title and at least one problem."), true);
    return false;
  }
  try {
    auto& cs = ctx_->classroom();
    const app::ProblemSet set =
        cs.createSet(currentClassId(), setTitle_->text().trimmed(), pickedIds_,
                     hasDue_->isChecked() ? std::optional<QDate>(due_->date()) : std::nullopt, allowHints_->isChecked(),
                     allowSolutions_->isChecked(), allowReference_->isChecked());
    cs.exportSet(set.id, file);
    refreshSets();
    sets_->setCurrentIndex(sets_->findData(set.id));
    pickedIds_.clear();
    refreshPicked();
    setMessage(tr("Set “%1” written to %2. Students open it with File ▸ Import problem set…").arg(set.title, file), false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

bool TeacherView::importResults(const QString& file) {
  if (!isUnlocked()) return false;
  try {
    const app::ResultsImportSummary s = ctx_->classroom().importResults(file);
    refreshSets();
    const int i = sets_->findText(s.setTitle);
    if (i >= 0) sets_->setCurrentIndex(i);
    QString text = tr("%1: %2 of %3 answered correctly in “%4”, re-graded here%5.")
                       .arg(s.studentName)
                       .arg(s.correct)
                       .arg(s.answered)
                       .arg(s.setTitle, s.replacedEarlier ? tr(" (replaces the earlier file)") : QString());
    if (s.disagreements > 0)
      text += tr(" %n answer(s) differ from the verdict the file claims (marked ⚠).", nullptr, s.disagreements);
    setMessage(text, s.disagreements > 0);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

bool TeacherView::exportCsv(const QString& file) {
  if (!isUnlocked() || !currentSetId()) return false;
  try {
    ctx_->classroom().exportCsv(currentSetId(), file);
    setMessage(tr("Grid written to %1.").arg(file), false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

}  // namespace zaya::ui
