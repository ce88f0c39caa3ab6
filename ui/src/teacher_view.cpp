#include "teacher_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "app_context.h"
#include "message_line.h"
#include "screen_page.h"
#include "teacher_classes_panel.h"
#include "teacher_lock_page.h"
#include "teacher_results_panel.h"
#include "teacher_set_builder_panel.h"

namespace zaya::ui {

namespace {
// The pages of pages_.
constexpr int kLockPage = 0;
constexpr int kTeacherPage = 1;
}  // namespace

TeacherView::TeacherView(AppContext* context, QWidget* parent) : QWidget(parent), ctx_(context) {
  auto* outer = new QVBoxLayout(this);
  pages_ = new QStackedWidget(this);
  outer->addWidget(pages_);

  lockPage_ = new TeacherLockPage(context, pages_);
  pages_->insertWidget(kLockPage, lockPage_);
  connect(lockPage_, &TeacherLockPage::finished, this, [this](bool unlocked) {
    if (unlocked) opened();
    emit unlockFinished(unlocked);
  });
  pages_->insertWidget(kTeacherPage, buildTeacherPage());
  showLockPage();
}

QWidget* TeacherView::buildTeacherPage() {
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
  message_ = new MessageLine(page);
  pageLayout->addWidget(message_);

  const TeacherServices services{ctx_, message_, [this] { return isUnlocked(); }};
  auto* body = new QHBoxLayout;
  pageLayout->addLayout(body, 1);
  classes_ = new TeacherClassesPanel(services, page);
  body->addWidget(classes_, 1);
  auto* tabs = new QTabWidget(page);
  body->addWidget(tabs, 3);
  builder_ = new TeacherSetBuilderPanel(services, tabs);
  tabs->addTab(builder_, tr("New problem set"));
  results_ = new TeacherResultsPanel(services, tabs);
  tabs->addTab(results_, tr("Results"));

  connect(classes_, &TeacherClassesPanel::currentClassChanged, this, [this](qint64 classId) {
    builder_->setClassId(classId);
    results_->showClass(classId);
  });
  connect(classes_, &TeacherClassesPanel::rosterChanged, results_, &TeacherResultsPanel::refreshGrid);
  connect(builder_, &TeacherSetBuilderPanel::setExported, results_, &TeacherResultsPanel::showSet);
  return page;
}

bool TeacherView::isUnlocked() const {
  return ctx_ && ctx_->ok() && ctx_->auth().isTeacher() && pages_->currentIndex() == kTeacherPage;
}

bool TeacherView::isCheckingPassword() const { return lockPage_->isChecking(); }
bool TeacherView::startUnlock(const QString& password) { return lockPage_->startUnlock(password); }
QString TeacherView::lockMessage() const { return lockPage_->message(); }

void TeacherView::showLockPage() {
  pages_->setCurrentIndex(kLockPage);
  lockPage_->refresh();
}

void TeacherView::opened() {
  pages_->setCurrentIndex(kTeacherPage);
  message_->showInfo({});
  classes_->refresh();
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

// The panels' steps and widgets.
bool TeacherView::createClass(const QString& name) { return classes_->createClass(name); }
bool TeacherView::addStudent(const QString& name) { return classes_->addStudent(name); }
bool TeacherView::exportClassFiles(const QString& folder) { return classes_->exportClassFiles(folder); }
bool TeacherView::renameStudent(qint64 studentId, const QString& name) { return classes_->renameStudent(studentId, name); }
bool TeacherView::deleteStudent(qint64 studentId) { return classes_->deleteStudent(studentId); }
bool TeacherView::changePassword(const QString& oldPassword, const QString& newPassword) {
  return classes_->changePassword(oldPassword, newPassword);
}
void TeacherView::searchBank() { builder_->searchBank(); }
int TeacherView::addOfTopic(int n, const QString& topic, int level) { return builder_->addOfTopic(n, topic, level); }
bool TeacherView::pickProblem(const QString& id) { return builder_->pickProblem(id); }
QStringList TeacherView::pickedIds() const { return builder_->pickedIds(); }
bool TeacherView::exportSet(const QString& file) { return builder_->exportSet(file); }
void TeacherView::confirmDeleteSet() { results_->confirmDeleteSet(); }
bool TeacherView::deleteSet(qint64 setId, bool deleteResults) { return results_->deleteSet(setId, deleteResults); }
bool TeacherView::importResults(const QString& file) { return results_->importResults(file); }
bool TeacherView::exportCsv(const QString& file) { return results_->exportCsv(file); }
QString TeacherView::integrityNote() const { return results_->integrityNote(); }
QString TeacherView::message() const { return message_->text(); }

QLineEdit* TeacherView::passwordField() const { return lockPage_->passwordField(); }
QLineEdit* TeacherView::setTitleField() const { return builder_->titleField(); }
QCheckBox* TeacherView::dueCheck() const { return builder_->dueCheck(); }
QDateEdit* TeacherView::dueEdit() const { return builder_->dueEdit(); }
QCheckBox* TeacherView::hintsCheck() const { return builder_->hintsCheck(); }
QCheckBox* TeacherView::solutionsCheck() const { return builder_->solutionsCheck(); }
QCheckBox* TeacherView::referenceCheck() const { return builder_->referenceCheck(); }
QSpinBox* TeacherView::seedSpin() const { return builder_->seedSpin(); }
QComboBox* TeacherView::sourceCombo() const { return builder_->sourceCombo(); }
QListWidget* TeacherView::searchResults() const { return builder_->searchResults(); }
QListWidget* TeacherView::classList() const { return classes_->classList(); }
QListWidget* TeacherView::studentList() const { return classes_->studentList(); }
qint64 TeacherView::currentClassId() const { return classes_->currentClassId(); }
QComboBox* TeacherView::setCombo() const { return results_->setCombo(); }
QTableView* TeacherView::gridView() const { return results_->gridView(); }
app::ClassGridModel* TeacherView::gridModel() const { return results_->gridModel(); }
qint64 TeacherView::currentSetId() const { return results_->currentSetId(); }

}  // namespace zaya::ui
