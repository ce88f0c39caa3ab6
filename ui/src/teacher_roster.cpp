// Teacher mode: the roster's class files, renaming and deleting students and
// sets, the password, and what the integrity check proves. Part of
// TeacherView (teacher_view.h); the screens are built in teacher_view.cpp.
#include <QCheckBox>
#include <QComboBox>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>

#include "app_context.h"
#include "teacher_view.h"

namespace zaya::ui {

qint64 TeacherView::currentStudentId() const {
  const auto* item = students_->currentItem();
  return item ? item->data(Qt::UserRole).toLongLong() : 0;
}

void TeacherView::connectRosterActions(QPushButton* rename, QPushButton* remove, QPushButton* password) {
  connect(rename, &QPushButton::clicked, this, [this] {
    const auto* item = students_->currentItem();
    if (!item) return setMessage(tr("Choose a student first."), true);
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename student"), tr("New name:"), QLineEdit::Normal, item->text(), &ok);
    if (ok) renameStudent(currentStudentId(), name);
  });
  connect(remove, &QPushButton::clicked, this, [this] {
    const auto* item = students_->currentItem();
    if (!item) return setMessage(tr("Choose a student first."), true);
    QMessageBox box(QMessageBox::Warning, tr("Delete student"),
                    tr("Delete %1 from the roster? Their class file stops working for new results; results already "
                       "imported stay in the grid.")
                        .arg(item->text()),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setTextFormat(Qt::PlainText);
    if (box.exec() == QMessageBox::Yes) deleteStudent(currentStudentId());
  });
  connect(password, &QPushButton::clicked, this, [this] {
    bool ok = false;
    const QString old = QInputDialog::getText(this, tr("Change password"), tr("Current password:"), QLineEdit::Password, {}, &ok);
    if (!ok) return;
    const QString fresh = QInputDialog::getText(this, tr("Change password"), tr("New password (at least 8 characters):"),
                                                QLineEdit::Password, {}, &ok);
    if (!ok) return;
    const QString again = QInputDialog::getText(this, tr("Change password"), tr("New password again:"), QLineEdit::Password, {}, &ok);
    if (!ok) return;
    if (fresh != again) return setMessage(tr("The two new passwords differ; the password was not changed."), true);
    changePassword(old, fresh);
  });
}

bool TeacherView::exportClassFiles(const QString& folder) {
  if (!isUnlocked() || !currentClassId()) return false;
  try {
    const QStringList files = ctx_->classroom().exportAllClassFiles(currentClassId(), folder);
    if (files.isEmpty()) {
      setMessage(tr("Add the class's students first: each gets their own class file."), true);
      return false;
    }
    setMessage(tr("%n class file(s) written to %1, one per student. Give each student their own file; they open it "
                  "with File ▸ Join class….",
                  nullptr, int(files.size()))
                   .arg(folder),
               false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

bool TeacherView::renameStudent(qint64 studentId, const QString& name) {
  if (!isUnlocked()) return false;
  try {
    ctx_->classroom().renameStudent(studentId, name);
    refreshStudents();
    refreshGrid();
    setMessage(tr("Renamed to %1; their results stay on their row.").arg(name.trimmed()), false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

bool TeacherView::deleteStudent(qint64 studentId) {
  if (!isUnlocked()) return false;
  try {
    ctx_->classroom().deleteStudent(studentId);
    refreshStudents();
    refreshGrid();
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

void TeacherView::confirmDeleteSet() {
  if (!isUnlocked() || !currentSetId()) return setMessage(tr("Choose a set first."), true);
  QMessageBox box(QMessageBox::Warning, tr("Delete set"),
                  tr("Delete the set “%1”? Students who have it keep their copy.").arg(sets_->currentText()),
                  QMessageBox::Yes | QMessageBox::Cancel, this);
  box.setTextFormat(Qt::PlainText);
  auto* alsoResults = new QCheckBox(tr("Also delete the results imported for it"), &box);
  box.setCheckBox(alsoResults);
  box.setObjectName(QStringLiteral("confirmDeleteSet"));
  if (box.exec() == QMessageBox::Yes) deleteSet(currentSetId(), alsoResults->isChecked());
}

bool TeacherView::deleteSet(qint64 setId, bool deleteResults) {
  if (!isUnlocked()) return false;
  try {
    ctx_->classroom().deleteSet(setId, deleteResults);
    refreshSets();
    setMessage(deleteResults ? tr("The set and its imported results were deleted.")
                             : tr("The set was deleted; its imported results are kept."),
               false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

bool TeacherView::changePassword(const QString& oldPassword, const QString& newPassword) {
  if (!isUnlocked()) return false;
  try {
    ctx_->classroom().changeTeacherPassword(oldPassword, newPassword);
    setMessage(tr("The password was changed, and your records were signed again with it."), false);
    return true;
  } catch (const app::AppError& e) {
    setMessage(e.message(), true);
    return false;
  }
}

QString TeacherView::integrityNote() const { return integrity_ ? integrity_->text() : QString(); }

void TeacherView::refreshIntegrityNote() {
  if (!integrity_) return;
  QString note =
      tr("Each results file is signed with its student's own key: that shows which student's file it is and catches "
         "accidental changes. It cannot stop a student forging their own file on their own computer, so every answer "
         "is re-graded here with this computer's checker; ⚠ marks where the file claimed otherwise.");
  if (isUnlocked()) {
    try {
      if (const int n = ctx_->classroom().tamperedRecordCount(); n > 0)
        note += QLatin1Char(' ') +
                tr("%n record(s) on this computer were changed outside teacher mode (their signature does not match "
                   "your password) and are marked ⚠.",
                   nullptr, n);
    } catch (const app::AppError&) {
    }
  }
  note += QLatin1Char(' ') +
          tr("Anyone who can use this computer account can still delete records or put back an older copy of the "
             "database; they cannot change a record without your password without it showing here.");
  integrity_->setText(note);
}

}  // namespace zaya::ui
