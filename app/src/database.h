// The app's SQLite database: the one place that holds SQL.
//
// Database is the app's view of the file; its methods live in storage/, one
// file per group of tables (storage/profiles.cpp, storage/attempts.cpp, …),
// each next to the row readers it needs. The schema is the SQL files in
// resources/sql/, one per version, each index with a comment naming the
// queries it serves; storage/migrations.cpp runs them. Every query goes
// through storage/statement.h.
//
// The connection (storage/connection.h) runs in WAL mode with foreign keys on
// and synchronous=FULL; every write goes through write(), one transaction, so
// a killed process leaves either the whole change or none of it.
//
// The schema version lives in PRAGMA user_version; opening an older file runs
// the forward migrations in order, each in its own transaction. A newer file
// (from a later app version) is refused rather than guessed at.
//
// Errors are thrown as AppError with a kind a screen can act on: DiskFull,
// ReadOnly, Corrupt, Storage. A failed write is rolled back; what was
// committed before stays.
//
// Not thread-safe: use a Database from the thread that opened it (each
// connection has its own name, so several Database objects may coexist).
#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

#include "app_error.h"
#include "records.h"
#include "storage/connection.h"

namespace zaya::app {

struct PasswordRecord {
  QByteArray salt;
  QByteArray hash;
  int iterations = 0;
};

// Counts of one (topic, layer, expert) cell of an expert-calibration profile.
struct CalibrationCell {
  QString topic;
  int layer = 0;
  int expert = 0;  // 0..E-1, E = skip
  qint64 count = 0;
};

class Database {
 public:
  static constexpr int kSchemaVersion = 9;

  // ReadOnly opens an existing file without writing anything beside it (a
  // damaged file, a read-only folder); every write then throws ReadOnly.
  enum class Access { ReadWrite, ReadOnly };

  // Opens (creating the file and folder when needed) and migrates to
  // kSchemaVersion. Throws AppError.
  explicit Database(const QString& path);
  // Opens and migrates only up to `version` (tests of the migrations).
  Database(const QString& path, int version);
  Database(const QString& path, Access access);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // <dataDirectory()>/zaya-tutor.sqlite
  static QString defaultPath();

  const QString& path() const { return db_.path(); }
  int schemaVersion();
  QString journalMode();
  bool foreignKeysOn();
  // "ok", or the first problems PRAGMA integrity_check reports.
  QString integrityCheck();
  // "ok", or the first problems PRAGMA quick_check reports (a check that
  // cannot even run is reported as its error). Linear in the file's size, no
  // index cross-checks: 50,000 attempts take well under a second
  // (docs/app-core.md).
  QString quickCheck();
  bool isReadOnly() const { return db_.isReadOnly(); }
  // Names of the tables and indexes (tests and diagnostics).
  QStringList schemaObjects();

  // Runs fn inside one transaction (BEGIN IMMEDIATE … COMMIT); nested calls
  // join the outer one. Rolls back and rethrows on any exception.
  void write(const std::function<void()>& fn);

  // --- profiles (storage/profiles.cpp) ------------------------------------
  qint64 insertProfile(const Profile& p);  // p.id ignored; uuid generated when empty
  std::optional<Profile> profile(qint64 id);
  std::optional<Profile> profileByUuid(const QString& uuid);
  QList<Profile> profiles();
  QList<Profile> classMembers(qint64 classId);
  void setProfileClass(qint64 profileId, std::optional<qint64> classId);
  void setPassword(qint64 profileId, const PasswordRecord& record);
  std::optional<PasswordRecord> password(qint64 profileId);
  void renameProfile(qint64 profileId, const QString& name);
  // Deletes the profile and, by cascade, its attempts, solutions,
  // conversations, reviews and assignments.
  void deleteProfile(qint64 profileId);
  // Student side: links the profile to a roster entry of the teacher's class.
  void linkProfileToRoster(qint64 profileId, const QString& rosterId, const QByteArray& resultsKey);
  // Teacher side: a roster entry's own results key.
  void setProfileResultsKey(qint64 profileId, const QByteArray& key);

  // --- classes (storage/classroom.cpp) -------------------------------------
  qint64 insertClass(const ClassInfo& c);
  std::optional<ClassInfo> classById(qint64 id);
  std::optional<ClassInfo> classByUuid(const QString& uuid);
  QList<ClassInfo> classes();
  void renameClass(qint64 classId, const QString& name);
  // Deletes the class; its sets and imported results go with it (cascade).
  void deleteClass(qint64 classId);
  bool hasClasses();

  // --- imported results, teacher side (storage/classroom.cpp) ---------------
  // Replaces what was imported before for (class, set, student) by `rows`.
  void replaceImportedResults(qint64 classId, const QString& setUuid, const QString& studentUuid,
                              const QList<ImportedResult>& rows);
  QList<ImportedResult> importedResults(qint64 classId, const QString& setUuid);
  // Every row, oldest first (the teacher's record MACs are checked over them).
  QList<ImportedResult> allImportedResults();
  void deleteImportedResults(qint64 classId, const QString& setUuid);
  enum class RecordTable { Profiles, Classes, ProblemSets, ImportedResults };
  void setRecordMac(RecordTable table, qint64 id, const QByteArray& mac);

  // --- problem sets and assignments (storage/problem_sets.cpp) --------------
  qint64 insertSet(const ProblemSet& s);
  std::optional<ProblemSet> set(qint64 id);
  std::optional<ProblemSet> setByUuid(const QString& uuid);
  QList<ProblemSet> setsOfClass(qint64 classId);
  // Every row, oldest first (the teacher's record MACs are checked over them).
  QList<ProblemSet> allSets();
  void renameSet(qint64 setId, const QString& title);
  // A new local uuid for a set row (the student keeps an earlier version of a set beside the new one).
  void setSetUuid(qint64 setId, const QString& uuid);
  // Every column but id, uuid and created_at, by id.
  void updateSet(const ProblemSet& s);
  // Imported results are keyed by the set's uuid, not its row: they stay.
  void deleteSet(qint64 setId);
  void assign(qint64 setId, qint64 profileId);
  QList<ProblemSet> assignedSets(qint64 profileId);

  // --- attempts (storage/attempts.cpp) -------------------------------------
  qint64 insertAttempt(const Attempt& a);
  std::optional<Attempt> attempt(qint64 id);
  // A profile's attempts with createdAt >= since, oldest first.
  QList<Attempt> attempts(qint64 profileId, qint64 since = 0);
  int attemptCount(qint64 profileId);
  void setGradeOverride(qint64 attemptId, std::optional<bool> correct);

  // --- timed sittings (storage/sittings.cpp) -------------------------------
  // Inserts the sitting and one blank answer row per problem; returns its id.
  qint64 insertSitting(const Sitting& s);
  std::optional<Sitting> sitting(qint64 id);
  // The profile's sitting that has not ended, if any (at most one runs).
  std::optional<Sitting> openSitting(qint64 profileId);
  // Newest first, answers included.
  QList<Sitting> sittings(qint64 profileId);
  void saveSittingAnswer(qint64 sittingId, int position, const QString& answer, bool flagged, qint64 now);
  // The clock: time used in all and on the problem shown, in one write.
  void saveSittingClock(qint64 sittingId, qint64 elapsedMs, int position, qint64 millisSpent);
  // Ends the sitting with its verdicts (by position) and score.
  void finishSitting(qint64 sittingId, qint64 endedAt, const QString& reason, qint64 elapsedMs, int score,
                     const QList<std::pair<int, bool>>& verdicts);

  // --- generated solutions (storage/solutions.cpp) --------------------------
  qint64 insertSolution(const Solution& s);
  std::optional<Solution> solution(qint64 id);
  // Newest first; without trace/token blobs (load one with solution()).
  QList<Solution> solutionsFor(qint64 profileId, const QString& problemId);
  // The profile's newest `limit` solutions over all problems, newest first,
  // without blobs (the progress screen's list).
  QList<Solution> recentSolutions(qint64 profileId, int limit);
  // Decode speeds (tokens/s) of the newest `limit` finished answers of at
  // least `minTokens` tokens whose model name starts with `modelPrefix`
  // (e.g. "ZAYA1-8B-q4 (CPU"), over every profile on this computer: the
  // speed this computer really reached with that model. Newest first.
  QList<double> recentSpeeds(const QString& modelPrefix, int minTokens, int limit);

  // --- conversations (storage/conversations.cpp) ----------------------------
  // One conversation per (profile, problem): its turns, oldest first, each
  // naming the Solution row that holds its reply.
  // The conversation's id; 0 when there is none yet.
  qint64 conversationId(qint64 profileId, const QString& problemId);
  // Saves a finished reply and the turn that asked for it in one
  // transaction (creating the conversation on its first turn). Sets
  // reply.id and turn.solutionId/id; returns the turn's id.
  qint64 saveConversationTurn(qint64 profileId, const QString& problemId, ConversationTurn& turn, Solution& reply);
  QList<ConversationTurn> conversationTurns(qint64 profileId, const QString& problemId);

  // --- review schedule (storage/reviews.cpp) --------------------------------
  void upsertReview(const ReviewItem& item);
  void removeReview(qint64 profileId, const QString& problemId);
  std::optional<ReviewItem> review(qint64 profileId, const QString& problemId);
  // Items due at or before `now`, earliest first.
  QList<ReviewItem> dueReviews(qint64 profileId, qint64 now);
  QList<ReviewItem> reviews(qint64 profileId);

  // --- settings (storage/settings.cpp) --------------------------------------
  QString setting(const QString& key, const QString& fallback = {});
  void setSetting(const QString& key, const QString& value);

  // --- expert calibration (storage/calibration.cpp) -------------------------
  // Records one calibrated problem and adds its counts ([layers][experts+1],
  // row-major) in one transaction, so an interrupted run resumes cleanly.
  void addCalibrationSample(const QString& modelId, const QString& problemId, const QString& topic,
                            int layers, int classes, const QList<qint64>& counts, qint64 tokens);
  QSet<QString> calibratedProblems(const QString& modelId);
  QList<CalibrationCell> calibrationCells(const QString& modelId);
  // Routed tokens per topic.
  QHash<QString, qint64> calibrationTokens(const QString& modelId);
  void clearCalibration(const QString& modelId);

  // --- backup / restore of one profile (storage/profile_backup.cpp) ---------
  // Writes the profile, its attempts, solutions, review schedule, class and
  // assigned sets to a new database file at `file` (which must not exist).
  void backupProfile(qint64 profileId, const QString& file);
  // Validates `file` (integrity, schema, exactly one profile) before writing,
  // then replaces the data of the profile with the same uuid (or adds it).
  // Returns the local profile id.
  qint64 restoreProfile(const QString& file);

  // --- whole-file snapshots (storage/snapshots.cpp) -------------------------
  // A consistent copy of the whole database (VACUUM INTO) at `file`, which
  // must not exist; created owner-only.
  void snapshotTo(const QString& file);
  // Throws InvalidInput unless `file` is an intact ZAYA Tutor database this
  // version can open (integrity check, schema no newer than kSchemaVersion).
  static void validateSnapshot(const QString& file);
  // Closes the connection and opens the file at path() again (after the file
  // was replaced): every object holding this Database stays valid.
  // whileClosed runs between the two (to move files into place).
  void reopen(Access access, const std::function<void()>& whileClosed = {});

 private:
  void open(const QString& path, Access access, int targetVersion);

  storage::Connection db_;
};

}  // namespace zaya::app
