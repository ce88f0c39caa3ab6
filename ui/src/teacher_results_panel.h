// Teacher mode's "Results" tab: the chosen class's problem sets, imported
// results files re-graded into the class grid, the grid as CSV, deleting a
// set, and a note on what the files' signatures prove and what they cannot.
#pragma once

#include <QWidget>

#include "teacher_services.h"

class QComboBox;
class QLabel;
class QTableView;

namespace zaya::app {
class ClassGridModel;
}

namespace zaya::ui {

class TeacherResultsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit TeacherResultsPanel(TeacherServices services, QWidget* parent = nullptr);

  // Lists the sets of `classId` (0: none chosen) and shows the grid of one.
  void showClass(qint64 classId);
  // Lists the sets again and shows the grid of `setId`: a set just created.
  void showSet(qint64 setId);
  // Reads the grid again (after a student was renamed or deleted).
  void refreshGrid();

  // Each returns false, with the message line saying why, on error.
  bool importResults(const QString& file);
  bool exportCsv(const QString& file);
  // Asks first (keeping the imported results unless the box is ticked).
  void confirmDeleteSet();
  bool deleteSet(qint64 setId, bool deleteResults);

  // What the grid's integrity note says: signatures, re-grading, tampered records.
  QString integrityNote() const;
  QComboBox* setCombo() const { return sets_; }
  QTableView* gridView() const { return grid_; }
  app::ClassGridModel* gridModel() const { return gridModel_; }
  // 0 when the class has no set.
  qint64 currentSetId() const;

 private:
  void refreshSets();
  void refreshIntegrityNote();
  void askForResultsFiles();
  void askForCsvFile();

  TeacherServices services_;
  qint64 classId_ = 0;
  QComboBox* sets_;
  QLabel* integrity_;
  QTableView* grid_;
  app::ClassGridModel* gridModel_;
};

}  // namespace zaya::ui
