// Teacher mode and the files that travel between teacher and students.
//
//   teacher                                    student
//   createClass, addStudent (roster entry:
//     its own id and 32-byte key)
//   exportClassFile(class, student) ── class file (one per student) ──▶ joinClass(file)
//   createSet, exportSet ────────────── set file ──▶ importSet(file)  (problems/FORMAT.md)
//   importResults(file) ◀───────── results file ── exportResults(set) (signed: HMAC-SHA256)
//   grid(), ClassGridModel, exportCsv()
//
// Each student's class file carries that student's roster id and own key;
// results are signed with it, and the teacher's app checks the tag with the
// key of the roster entry the file names. So one student cannot sign results
// as another, and an accidental edit is caught. It is not proof against the
// student who owns the key: a file signed on the student's own computer can
// be forged by that student. So the teacher's app never trusts the verdicts
// in a file: it re-grades every answer with its own checker against its own
// bank and shows where the file's claim differs (docs/app-core.md).
//
// The teacher's own rows carry MACs under the records key (teacher_records.h).
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
#include "zaya/problems/bank.h"
#include "zaya/problems/problem_set.h"


namespace zaya::app {

struct GridCell {
  enum class State { Missing, Unanswered, Correct, Incorrect };
  // Missing: no results file from this student yet. Correct/Incorrect: the
  // teacher's own checker's verdict on the last answer.
  State state = State::Missing;
  QString answer;        // the last answer
  QString firstAnswer;
  double seconds = 0;    // active time
  int hintsUsed = 0;
  int explanationsUsed = 0;
  int questionsAsked = 0;
  bool modelSolutionViewed = false;
  bool referenceSolutionViewed = false;
  bool helpAfterDue = false;
  int attempts = 0;
  bool claimedCorrect = false;
  bool disagrees = false;  // the file claimed the other verdict
  bool tampered = false;   // the stored row's MAC fails (teacher_records.h)
};

struct ClassGrid {
  QString setUuid;
  QString setTitle;
  QStringList problemIds;     // columns
  QStringList studentNames;   // rows: roster entries (current names), then ids no longer on the roster
  QStringList studentUuids;   // roster ids, one per row
  QList<QList<GridCell>> cells;  // [rows][columns]
  int tamperedRecords = 0;    // rows of this set's results whose MAC fails
  int correctCount(int row) const;
};

struct ResultsImportSummary {
  QString studentName;
  QString setTitle;
  int answered = 0;
  int correct = 0;          // by the teacher's checker
  int disagreements = 0;    // answers whose claimed verdict the checker does not confirm
  bool replacedEarlier = false;
  // The set sat as a timed test, newest last, as the student's app reported
  // them: "7 of 10 in 40:12 of 45:00 (1.5× time), submitted".
  QStringList timedSittings;
};

// What a class file says, before anything is written (the student's app asks
// "Which student are you?" with it).
struct ClassFileInfo {
  QString classUuid, className, studentId, studentName;
  int version = 2;
};

// A timed test's limit and extended time, written into the set file.
struct SetTiming {
  std::optional<int> limitMinutes{};
  double multiplier = 1.0;
};

class ClassroomService : public QObject {
  Q_OBJECT
 public:
  // The teacher's checker: the verdict on `answer` to bank problem
  // `problemId`, nullopt when the bank does not know it.
  using Grader = std::function<std::optional<bool>(const QString& problemId, const QString& answer)>;

  // isBankId: whether an id names a bank problem (ProblemBank::contains).
  // Without a grader, imported answers to bank problems keep the verdict of
  // the file, marked as not re-graded.
  ClassroomService(AuthService& auth, std::function<bool(std::string_view)> isBankId, Grader grade = {},
                   QObject* parent = nullptr);

  // --- teacher ---
  ClassInfo createClass(const QString& name);
  QList<ClassInfo> classes();
  void renameClass(qint64 classId, const QString& name);
  // Deletes the class with its roster, sets and imported results.
  void deleteClass(qint64 classId);
  // A roster entry with its own id (its uuid) and its own results key.
  Profile addStudent(qint64 classId, const QString& name);
  QList<Profile> students(qint64 classId);
  // Renaming keeps the id, so the grid keeps the row.
  void renameStudent(qint64 studentId, const QString& name);
  void deleteStudent(qint64 studentId);
  // One student's own class file (format version 2).
  void exportClassFile(qint64 classId, qint64 studentId, const QString& file);
  // Every student's class file into `folder`, one per student ("<class> - <name>.zclass.json"); the paths written.
  QStringList exportAllClassFiles(qint64 classId, const QString& folder);
  // A set of bank problems; fails on unknown ids. `timing` makes it a timed
  // test (problems/FORMAT.md: time_limit_minutes, time_multiplier).
  ProblemSet createSet(qint64 classId, const QString& title, const QStringList& problemIds, std::optional<QDate> due,
                       bool allowHints, bool allowModelSolutions, bool allowReferenceSolutions = true,
                       const SetTiming& timing = {});
  QList<ProblemSet> sets(qint64 classId);
  // The bank the teacher picks from (AppContext sets it once loaded).
  void setBank(const zaya::problems::ProblemBank* bank) { bank_ = bank; }
  // "n problems of topic T at level L": drawn at random, the same for the
  // same seed, from one source ("" = every source), never one in `exclude`.
  // Fewer when the bank has fewer. Needs no sign-in (a read of the bank).
  QStringList pickProblems(int n, const QString& topic, int level, const QString& sourceKey, quint32 seed,
                           const QStringList& exclude) const;
  // Adds a student per row of a CSV of names (RFC 4180; a header row naming
  // a "name" column is used when there is one, else the first column).
  // Blank names and names already on the roster are skipped. Returns the added.
  QList<Profile> importRosterCsv(qint64 classId, const QString& file);
  void renameSet(qint64 setId, const QString& title);
  // Imported results are kept unless deleteResults.
  void deleteSet(qint64 setId, bool deleteResults);
  void exportSet(qint64 setId, const QString& file);
  ResultsImportSummary importResults(const QString& file);
  ClassGrid grid(qint64 setId);
  void exportCsv(qint64 setId, const QString& file);
  // The signed-in teacher's records: signs those from before MACs existed
  // (first sign-in after the upgrade) and counts the tampered ones.
  int tamperedRecordCount();
  // The old password is required; every record that verifies is re-signed.
  void changeTeacherPassword(const QString& oldPassword, const QString& newPassword);

  // --- student (the signed-in profile) ---
  ClassFileInfo readClassFile(const QString& file);
  // Joins the class and, for a version-2 file, links the signed-in profile
  // to its roster entry and keeps its key.
  ClassInfo joinClass(const QString& file);
  enum class SetConflict { Ask, Replace, KeepBoth };
  // The stored set a file would change: same set id, different content.
  std::optional<ProblemSet> changedSetFor(const QString& file);
  // Ask + changed content: throws AppError(InvalidInput) and writes nothing.
  // Replace: the stored set takes the new content (attempts kept). KeepBoth:
  // the old version stays as "<title> (earlier version)" under a new local
  // id; the new one takes the file's id.
  ProblemSet importSet(const QString& file, SetConflict onChanged = SetConflict::Ask);
  QList<ProblemSet> mySets();
  void exportResults(qint64 setId, const QString& file);

  // HMAC-SHA256 tag (lower-case hex) of a results value with a key.
  static QByteArray resultsTag(const zaya::problems::Results& results, const QByteArray& key);

 signals:
  void resultsImported(qint64 setId);

 private:
  static QByteArray readImportFile(const QString& file);
  static void writeFileAtomically(const QString& file, const QByteArray& bytes);
  zaya::problems::ProblemSet parseStoredSet(const ProblemSet& set) const;
  std::optional<bool> regrade(const zaya::problems::ProblemSet& set, const std::string& problemId,
                              const std::string& answer) const;
  Profile rosterEntry(qint64 studentId);
  void onSignedIn();

  AuthService& auth_;
  Database& db_;
  std::function<bool(std::string_view)> isBankId_;
  Grader grade_;
  const zaya::problems::ProblemBank* bank_ = nullptr;
  int tampered_ = 0;
};

// The class grid for a table view: rows = students, columns = problems, plus
// a last "Score" column. DisplayRole: "✓"/"✗" (the teacher's checker) with
// time, attempts and help, "–" (unanswered) or "" (no results yet), with "⚠"
// where the file claimed otherwise or the row is tampered; StateRole:
// GridCell::State as int; ToolTipRole: every field in words.
class ClassGridModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Roles { StateRole = Qt::UserRole + 1, AnswerRole, SecondsRole, HintsRole, AttemptsRole, DisagreesRole, TamperedRole };
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
