// Teacher mode and the files that travel between teacher and students.
//
//   teacher                                   student
//   createClass, addStudent
//   exportClassFile(class) ──── class file ──▶ joinClass(file)
//   createSet, exportSet ────── set file ────▶ importSet(file)      (problems/FORMAT.md)
//   importResults(file) ◀───── results file ── exportResults(set)   (signed: HMAC-SHA256)
//   grid(), ClassGridModel, exportCsv()
//
// The class file carries the class's random 32-byte key; results files are
// signed with it (HMAC-SHA256 over problems::results_canonical_bytes). That
// detects casual edits of a results file, but the key lives on the student's
// machine, so it is not proof against a determined student (docs/app-core.md).
//
// Every teacher operation checks AuthService::requireTeacher(); the student
// operations act on the signed-in profile only. Imports validate the whole
// file before anything is written.
#pragma once

#include <QAbstractTableModel>
#include <QObject>

#include <functional>
#include <string_view>

#include "auth_service.h"
#include "zaya/problems/problem_set.h"


namespace zaya::app {

struct GridCell {
  enum class State { Missing, Unanswered, Correct, Incorrect };
  State state = State::Missing;  // Missing: no results file from this student yet
  QString answer;
  double seconds = 0;
  int hintsUsed = 0;
  int attempts = 0;
};

struct ClassGrid {
  QString setUuid;
  QString setTitle;
  QStringList problemIds;     // columns
  QStringList studentNames;   // rows
  QStringList studentUuids;   // "" for roster members without results
  QList<QList<GridCell>> cells;  // [rows][columns]
  int correctCount(int row) const;
};

struct ResultsImportSummary {
  QString studentName;
  QString setTitle;
  int answered = 0;
  int correct = 0;
  bool replacedEarlier = false;
};

class ClassroomService : public QObject {
  Q_OBJECT
 public:
  // isBankId: whether an id names a bank problem (ProblemBank::contains).
  ClassroomService(AuthService& auth, std::function<bool(std::string_view)> isBankId, QObject* parent = nullptr);

  // --- teacher ---
  ClassInfo createClass(const QString& name);
  QList<ClassInfo> classes();
  Profile addStudent(qint64 classId, const QString& name);
  QList<Profile> students(qint64 classId);
  void exportClassFile(qint64 classId, const QString& file);
  // A set of bank problems; fails on unknown ids.
  ProblemSet createSet(qint64 classId, const QString& title, const QStringList& problemIds, std::optional<QDate> due,
                       bool allowHints, bool allowModelSolutions);
  QList<ProblemSet> sets(qint64 classId);
  void exportSet(qint64 setId, const QString& file);
  ResultsImportSummary importResults(const QString& file);
  ClassGrid grid(qint64 setId);
  void exportCsv(qint64 setId, const QString& file);

  // --- student (the signed-in profile) ---
  ClassInfo joinClass(const QString& file);
  ProblemSet importSet(const QString& file);
  QList<ProblemSet> mySets();
  void exportResults(qint64 setId, const QString& file);

  // HMAC-SHA256 tag (lower-case hex) of a results value with a class key.
  static QByteArray resultsTag(const zaya::problems::Results& results, const QByteArray& key);

 signals:
  void resultsImported(qint64 setId);

 private:
  static QByteArray readImportFile(const QString& file);
  static void writeFileAtomically(const QString& file, const QByteArray& bytes);
  zaya::problems::ProblemSet parseStoredSet(const ProblemSet& set) const;

  AuthService& auth_;
  Database& db_;
  std::function<bool(std::string_view)> isBankId_;
};

// The class grid for a table view: rows = students, columns = problems, plus
// a last "Score" column. DisplayRole: "✓", "✗", "–" (unanswered) or "" (no
// results yet); StateRole: GridCell::State as int; ToolTipRole: the answer.
class ClassGridModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Roles { StateRole = Qt::UserRole + 1, AnswerRole, SecondsRole, HintsRole };
  explicit ClassGridModel(QObject* parent = nullptr);
  void setGrid(const ClassGrid& grid);
  const ClassGrid& grid() const { return grid_; }
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  ClassGrid grid_;
};

}  // namespace zaya::app
