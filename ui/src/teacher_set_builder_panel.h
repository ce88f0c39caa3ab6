// Teacher mode's "New problem set" tab: problems found in the bank (words,
// topic, level) or drawn at random ("N problems of topic T at level L", with
// the seed and source shown), the set's title, due date and what it allows
// (hints, model solutions, reference solutions), exported as a set file for
// the chosen class. The set being built, or one of the class's saved sets,
// prints as a worksheet or an answer key (PDF).
#pragma once

#include <QStringList>
#include <QWidget>

#include "print_request.h"
#include "teacher_services.h"

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace zaya::ui {

class TeacherSetBuilderPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TeacherSetBuilderPanel(TeacherServices services, QWidget* parent = nullptr);

  // The class a set built here is for (0: none chosen).
  void setClassId(qint64 classId);

  // Lists what matches the filters (at most 300).
  void searchBank();
  // Adds up to n problems of `topic` (a bank topic name) at `level` 1..5 that
  // are not picked yet, drawn at random with the seed and source shown.
  int addOfTopic(int n, const QString& topic, int level);
  bool pickProblem(const QString& id);
  QStringList pickedIds() const { return pickedIds_; }
  // Creates the set from the picks and the form and writes its file; false,
  // with the message line saying why, on error.
  bool exportSet(const QString& file);
  // Prints what printChoice() names (0: the set being built, else a saved
  // set's id) to `pdfPath`; printFinished follows. False, with the message
  // line saying why, when it cannot start.
  bool printTo(PrintRequest::Kind kind, const QString& pdfPath);
  QComboBox* printChoice() const { return printWhat_; }

  QLineEdit* titleField() const { return title_; }
  QCheckBox* dueCheck() const { return hasDue_; }
  QDateEdit* dueEdit() const { return due_; }
  QCheckBox* hintsCheck() const { return allowHints_; }
  QCheckBox* solutionsCheck() const { return allowSolutions_; }
  QCheckBox* referenceCheck() const { return allowReference_; }
  QCheckBox* timedCheck() const { return timed_; }
  QSpinBox* minutesEdit() const { return minutes_; }
  QComboBox* multiplierBox() const { return multiplier_; }
  QSpinBox* seedSpin() const { return drawSeed_; }
  QComboBox* sourceCombo() const { return drawSource_; }
  QListWidget* searchResults() const { return results_; }

 signals:
  // A set was created and its file written.
  void setExported(qint64 setId);
  // A print has finished (the message line says how).
  void printFinished(bool ok);

 private:
  QLayout* buildSearchRow();
  QLayout* buildPickLists();
  QLayout* buildDrawRow();
  QLayout* buildSetForm();
  void fillSources();
  void refreshPicked();
  void unpickSelected();
  void drawAsAsked();
  void askForSetFile();
  QLayout* buildPrintRow();
  void refreshSavedSets();
  std::optional<PrintRequest> printRequest(PrintRequest::Kind kind);
  void askToPrint(PrintRequest::Kind kind);

  TeacherServices services_;
  qint64 classId_ = 0;
  QStringList pickedIds_;
  // bank search
  QLineEdit* searchText_;
  QComboBox* searchTopic_;
  QSpinBox* levelMin_;
  QSpinBox* levelMax_;
  QListWidget* results_;
  QListWidget* picked_;
  // random draw
  QSpinBox* drawCount_;
  QComboBox* drawTopic_;
  QSpinBox* drawLevel_;
  QComboBox* drawSource_;
  QSpinBox* drawSeed_;
  // the set
  QLineEdit* title_;
  QCheckBox* hasDue_;
  QDateEdit* due_;
  QCheckBox* allowHints_;
  QCheckBox* allowSolutions_;
  QCheckBox* allowReference_;
  QCheckBox* timed_;
  QSpinBox* minutes_;
  QComboBox* multiplier_;
  // printing
  QComboBox* printWhat_;
};

}  // namespace zaya::ui
