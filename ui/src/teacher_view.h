// Teacher mode, behind the teacher password: classes and students, a
// problem-set builder (bank filters, manual picks, "N problems of topic T at
// level L", due date, hints and model solutions allowed) exported as a set
// file, imported results files and the class grid with CSV export.
//
// The first use creates the teacher password (TeacherLockPage). Leaving the
// screen locks it again, or abandons a password check still running, so the
// student signed in before is back in charge of the app.
#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableView;

namespace zaya::app {
class ClassGridModel;
}

namespace zaya::ui {

class AppContext;
class TeacherLockPage;

class TeacherView : public QWidget {
  Q_OBJECT
 public:
  explicit TeacherView(AppContext* context, QWidget* parent = nullptr);

  bool isUnlocked() const;
  // Creates the teacher (first use) and starts checking the password on a
  // worker thread; unlockFinished() follows. False, with lockMessage()
  // saying why, when no check was started.
  bool startUnlock(const QString& password);
  bool isCheckingPassword() const;
  void lock();
  QString lockMessage() const;

  // The steps behind the buttons, with the files named (the buttons ask for
  // them with a file dialog). Each returns false and sets message() on error.
  bool createClass(const QString& name);
  bool addStudent(const QString& name);
  // Every student's own class file into `folder` (teacher_roster.cpp from here).
  bool exportClassFiles(const QString& folder);
  bool renameStudent(qint64 studentId, const QString& name);
  bool deleteStudent(qint64 studentId);
  // Asks first (keeping the imported results unless the box is ticked).
  void confirmDeleteSet();
  bool deleteSet(qint64 setId, bool deleteResults);
  bool changePassword(const QString& oldPassword, const QString& newPassword);
  // What the grid's integrity note says: signatures, re-grading, tampered records.
  QString integrityNote() const;
  void searchBank();
  // Adds up to n problems of `topic` (a bank topic name) at `level` 1..5 that
  // are not picked yet, drawn at random with the seed and source shown.
  int addOfTopic(int n, const QString& topic, int level);
  bool pickProblem(const QString& id);
  QStringList pickedIds() const;
  bool exportSet(const QString& file);
  bool importResults(const QString& file);
  bool exportCsv(const QString& file);
  QString message() const;

  QLineEdit* passwordField() const;
  QLineEdit* setTitleField() const { return setTitle_; }
  QCheckBox* dueCheck() const { return hasDue_; }
  QDateEdit* dueEdit() const { return due_; }
  QCheckBox* hintsCheck() const { return allowHints_; }
  QCheckBox* solutionsCheck() const { return allowSolutions_; }
  QCheckBox* referenceCheck() const { return allowReference_; }
  QSpinBox* seedSpin() const { return countSeed_; }
  QComboBox* sourceCombo() const { return countSource_; }
  QListWidget* classList() const { return classes_; }
  QListWidget* studentList() const { return students_; }
  QListWidget* searchResults() const { return results_; }
  QComboBox* setCombo() const { return sets_; }
  QTableView* gridView() const { return grid_; }
  app::ClassGridModel* gridModel() const { return gridModel_; }
  qint64 currentClassId() const;
  qint64 currentSetId() const;

 signals:
  // Shown and laid out.
  void rendered();
  // A password check ended: opened, wrong, cancelled or abandoned.
  void unlockFinished(bool unlocked);

 protected:
  void showEvent(QShowEvent* e) override;
  void hideEvent(QHideEvent* e) override;

 private:
  void showLockPage();
  void opened();
  void refreshClasses();
  void refreshStudents();
  void refreshSets();
  void refreshGrid();
  void refreshPicked();
  void setMessage(const QString& text, bool error);
  void refreshIntegrityNote();
  void connectRosterActions(QPushButton* rename, QPushButton* remove, QPushButton* password);
  qint64 currentStudentId() const;

  AppContext* ctx_;
  QStackedWidget* pages_;
  TeacherLockPage* lockPage_;
  // teacher page
  QLabel* message_;
  QLabel* integrity_ = nullptr;
  QCheckBox* allowReference_ = nullptr;
  QListWidget* classes_;
  QLineEdit* className_;
  QListWidget* students_;
  QLineEdit* studentName_;
  QLineEdit* searchText_;
  QComboBox* searchTopic_;
  QSpinBox* levelMin_;
  QSpinBox* levelMax_;
  QListWidget* results_;
  QSpinBox* countN_;
  QComboBox* countTopic_;
  QSpinBox* countLevel_;
  QComboBox* countSource_ = nullptr;
  QSpinBox* countSeed_ = nullptr;
  QListWidget* picked_;
  QLineEdit* setTitle_;
  QCheckBox* hasDue_;
  QDateEdit* due_;
  QCheckBox* allowHints_;
  QCheckBox* allowSolutions_;
  QComboBox* sets_;
  QTableView* grid_;
  app::ClassGridModel* gridModel_;
  QStringList pickedIds_;
};

}  // namespace zaya::ui
