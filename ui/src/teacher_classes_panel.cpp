#include "teacher_classes_panel.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

#include "app_context.h"
#include "message_line.h"

namespace zaya::ui {

TeacherClassesPanel::TeacherClassesPanel(TeacherServices services, QWidget* parent)
    : QWidget(parent), services_(std::move(services)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);  // a column of the teacher page, not a page of its own
  layout->addWidget(new QLabel(tr("Classes"), this));
  classes_ = new QListWidget(this);
  classes_->setAccessibleName(tr("Classes"));
  layout->addWidget(classes_, 1);
  auto* classRow = new QHBoxLayout;
  className_ = new QLineEdit(this);
  className_->setPlaceholderText(tr("New class"));
  classRow->addWidget(className_);
  auto* addClass = new QPushButton(tr("Add"), this);
  classRow->addWidget(addClass);
  layout->addLayout(classRow);
  auto* classFiles = new QPushButton(tr("Export students' class files…"), this);
  classFiles->setToolTip(tr("One file per student, each with that student's own key: hand each student their own."));
  layout->addWidget(classFiles);

  layout->addWidget(new QLabel(tr("Students"), this));
  students_ = new QListWidget(this);
  students_->setAccessibleName(tr("Students of the class"));
  layout->addWidget(students_, 1);
  auto* studentRow = new QHBoxLayout;
  studentName_ = new QLineEdit(this);
  studentName_->setPlaceholderText(tr("New student"));
  studentRow->addWidget(studentName_);
  auto* addStudentButton = new QPushButton(tr("Add"), this);
  studentRow->addWidget(addStudentButton);
  layout->addLayout(studentRow);
  auto* rosterRow = new QHBoxLayout;
  auto* renameButton = new QPushButton(tr("Rename…"), this);
  auto* deleteButton = new QPushButton(tr("Delete…"), this);
  auto* passwordButton = new QPushButton(tr("Change password…"), this);
  rosterRow->addWidget(renameButton);
  rosterRow->addWidget(deleteButton);
  rosterRow->addStretch();
  rosterRow->addWidget(passwordButton);
  layout->addLayout(rosterRow);

  connect(addClass, &QPushButton::clicked, this, [this] {
    if (createClass(className_->text())) className_->clear();
  });
  connect(className_, &QLineEdit::returnPressed, addClass, &QPushButton::click);
  connect(addStudentButton, &QPushButton::clicked, this, [this] {
    if (addStudent(studentName_->text())) studentName_->clear();
  });
  connect(studentName_, &QLineEdit::returnPressed, addStudentButton, &QPushButton::click);
  connect(classFiles, &QPushButton::clicked, this, &TeacherClassesPanel::askForClassFilesFolder);
  connect(renameButton, &QPushButton::clicked, this, &TeacherClassesPanel::askToRename);
  connect(deleteButton, &QPushButton::clicked, this, &TeacherClassesPanel::askToDelete);
  connect(passwordButton, &QPushButton::clicked, this, &TeacherClassesPanel::askForNewPassword);
  connect(classes_, &QListWidget::currentRowChanged, this, &TeacherClassesPanel::classChosen);
}

qint64 TeacherClassesPanel::currentClassId() const {
  const auto* item = classes_->currentItem();
  return item ? item->data(Qt::UserRole).toLongLong() : 0;
}

qint64 TeacherClassesPanel::currentStudentId() const {
  const auto* item = students_->currentItem();
  return item ? item->data(Qt::UserRole).toLongLong() : 0;
}

void TeacherClassesPanel::classChosen() {
  refreshStudents();
  emit currentClassChanged(currentClassId());
}

void TeacherClassesPanel::refresh() {
  const qint64 keep = currentClassId();
  classes_->clear();
  if (!services_.isUnlocked()) return;
  services_.messages->run([&] {
    for (const auto& c : services_.context->classroom().classes()) {
      auto* item = new QListWidgetItem(c.name, classes_);
      item->setData(Qt::UserRole, c.id);
      if (c.id == keep) classes_->setCurrentItem(item);
    }
  });
  if (!classes_->currentItem() && classes_->count() > 0) classes_->setCurrentRow(0);
  if (classes_->count() == 0) services_.messages->showInfo(tr("Start by adding a class, then its students."));
  classChosen();
}

void TeacherClassesPanel::refreshStudents() {
  students_->clear();
  if (!services_.isUnlocked() || !currentClassId()) return;
  services_.messages->run([&] {
    for (const auto& s : services_.context->classroom().students(currentClassId())) {
      auto* item = new QListWidgetItem(s.name, students_);
      item->setData(Qt::UserRole, s.id);
    }
  });
}

bool TeacherClassesPanel::createClass(const QString& name) {
  if (!services_.isUnlocked()) return false;
  return services_.messages->run([&] {
    const app::ClassInfo c = services_.context->classroom().createClass(name.trimmed());
    refresh();
    for (int i = 0; i < classes_->count(); ++i)
      if (classes_->item(i)->data(Qt::UserRole).toLongLong() == c.id) classes_->setCurrentRow(i);
    services_.messages->showInfo(tr("Class %1 added. Add its students, then export the class file for them.").arg(c.name));
  });
}

bool TeacherClassesPanel::addStudent(const QString& name) {
  if (!services_.isUnlocked()) return false;
  if (!currentClassId()) {
    services_.messages->showError(tr("Choose a class first."));
    return false;
  }
  return services_.messages->run([&] {
    services_.context->classroom().addStudent(currentClassId(), name.trimmed());
    refreshStudents();
  });
}

bool TeacherClassesPanel::exportClassFiles(const QString& folder) {
  if (!services_.isUnlocked() || !currentClassId()) return false;
  return services_.messages->run([&] {
    const QStringList files = services_.context->classroom().exportAllClassFiles(currentClassId(), folder);
    if (files.isEmpty()) {
      services_.messages->showError(tr("Add the class's students first: each gets their own class file."));
      return false;
    }
    services_.messages->showInfo(tr("%n class file(s) written to %1, one per student. Give each student their own file; "
                                    "they open it with File ▸ Join class….",
                                    nullptr, int(files.size()))
                                     .arg(folder));
    return true;
  });
}

bool TeacherClassesPanel::renameStudent(qint64 studentId, const QString& name) {
  if (!services_.isUnlocked()) return false;
  return services_.messages->run([&] {
    services_.context->classroom().renameStudent(studentId, name);
    refreshStudents();
    emit rosterChanged();
    services_.messages->showInfo(tr("Renamed to %1; their results stay on their row.").arg(name.trimmed()));
  });
}

bool TeacherClassesPanel::deleteStudent(qint64 studentId) {
  if (!services_.isUnlocked()) return false;
  return services_.messages->run([&] {
    services_.context->classroom().deleteStudent(studentId);
    refreshStudents();
    emit rosterChanged();
  });
}

bool TeacherClassesPanel::changePassword(const QString& oldPassword, const QString& newPassword) {
  if (!services_.isUnlocked()) return false;
  return services_.messages->run([&] {
    services_.context->classroom().changeTeacherPassword(oldPassword, newPassword);
    services_.messages->showInfo(tr("The password was changed, and your records were signed again with it."));
  });
}

void TeacherClassesPanel::askForClassFilesFolder() {
  const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder for the students' class files"));
  if (!folder.isEmpty()) exportClassFiles(folder);
}

void TeacherClassesPanel::askToRename() {
  const auto* item = students_->currentItem();
  if (!item) return services_.messages->showError(tr("Choose a student first."));
  bool ok = false;
  const QString name = QInputDialog::getText(this, tr("Rename student"), tr("New name:"), QLineEdit::Normal, item->text(), &ok);
  if (ok) renameStudent(currentStudentId(), name);
}

void TeacherClassesPanel::askToDelete() {
  const auto* item = students_->currentItem();
  if (!item) return services_.messages->showError(tr("Choose a student first."));
  QMessageBox box(QMessageBox::Warning, tr("Delete student"),
                  tr("Delete %1 from the roster? Their class file stops working for new results; results already "
                     "imported stay in the grid.")
                      .arg(item->text()),
                  QMessageBox::Yes | QMessageBox::Cancel, this);
  box.setTextFormat(Qt::PlainText);  // the name as the teacher typed it
  if (box.exec() == QMessageBox::Yes) deleteStudent(currentStudentId());
}

void TeacherClassesPanel::askForNewPassword() {
  bool ok = false;
  const QString old = QInputDialog::getText(this, tr("Change password"), tr("Current password:"), QLineEdit::Password, {}, &ok);
  if (!ok) return;
  const QString fresh = QInputDialog::getText(this, tr("Change password"), tr("New password (at least 8 characters):"),
                                              QLineEdit::Password, {}, &ok);
  if (!ok) return;
  const QString again = QInputDialog::getText(this, tr("Change password"), tr("New password again:"), QLineEdit::Password, {}, &ok);
  if (!ok) return;
  if (fresh != again) return services_.messages->showError(tr("The two new passwords differ; the password was not changed."));
  changePassword(old, fresh);
}

}  // namespace zaya::ui
