// Teacher mode's left column: the teacher's classes and the students of the
// chosen one. Adds, renames and deletes them, writes every student's own
// class file, and changes the teacher password (its button sits under the
// roster).
#pragma once

#include <QWidget>

#include "teacher_services.h"

class QLineEdit;
class QListWidget;

namespace zaya::ui {

class TeacherClassesPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TeacherClassesPanel(TeacherServices services, QWidget* parent = nullptr);

  // Lists the classes again, keeping the chosen one (else the first).
  void refresh();

  // Each returns false, with the message line saying why, on error.
  bool createClass(const QString& name);
  bool addStudent(const QString& name);
  // Every student's own class file into `folder`.
  bool exportClassFiles(const QString& folder);
  bool renameStudent(qint64 studentId, const QString& name);
  bool deleteStudent(qint64 studentId);
  bool changePassword(const QString& oldPassword, const QString& newPassword);

  QListWidget* classList() const { return classes_; }
  QListWidget* studentList() const { return students_; }
  // 0 when no class is chosen.
  qint64 currentClassId() const;

 signals:
  // Another class was chosen (0: none); its students are listed already.
  void currentClassChanged(qint64 classId);
  // A student was renamed or deleted: what other panels show of them is stale.
  void rosterChanged();

 private:
  void refreshStudents();
  void classChosen();
  qint64 currentStudentId() const;
  // The dialogs in front of the actions above.
  void askForClassFilesFolder();
  void askToRename();
  void askToDelete();
  void askForNewPassword();

  TeacherServices services_;
  QListWidget* classes_;
  QLineEdit* className_;
  QListWidget* students_;
  QLineEdit* studentName_;
};

}  // namespace zaya::ui
