// Teacher mode, behind the teacher password: classes and students
// (TeacherClassesPanel), a problem-set builder exported as a set file
// (TeacherSetBuilderPanel), and imported results files in the class grid with
// CSV export (TeacherResultsPanel). TeacherView itself holds the password
// gate, the page's title, Lock button and message line, and tells each panel
// what the others changed; the steps below are the panels', reachable here.
//
// The first use creates the teacher password (TeacherLockPage). Leaving the
// screen locks it again, or abandons a password check still running, so the
// student signed in before is back in charge of the app.
#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLineEdit;
class QListWidget;
class QSpinBox;
class QStackedWidget;
class QTableView;

namespace zaya::app {
class ClassGridModel;
}

namespace zaya::ui {

class AppContext;
class MessageLine;
class TeacherClassesPanel;
class TeacherLockPage;
class TeacherResultsPanel;
class TeacherSetBuilderPanel;

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
  // Every student's own class file into `folder`.
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
  QLineEdit* setTitleField() const;
  QCheckBox* dueCheck() const;
  QDateEdit* dueEdit() const;
  QCheckBox* hintsCheck() const;
  QCheckBox* solutionsCheck() const;
  QCheckBox* referenceCheck() const;
  QSpinBox* seedSpin() const;
  QComboBox* sourceCombo() const;
  QListWidget* classList() const;
  QListWidget* studentList() const;
  QListWidget* searchResults() const;
  QComboBox* setCombo() const;
  QTableView* gridView() const;
  app::ClassGridModel* gridModel() const;
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
  QWidget* buildTeacherPage();
  void showLockPage();
  void opened();

  AppContext* ctx_;
  QStackedWidget* pages_;
  TeacherLockPage* lockPage_;
  MessageLine* message_;
  TeacherClassesPanel* classes_;
  TeacherSetBuilderPanel* builder_;
  TeacherResultsPanel* results_;
};

}  // namespace zaya::ui
