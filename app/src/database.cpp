#include "database.h"

#include <sqlite3.h>

#include <QAtomicInt>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryFile>
#include <QUuid>
#include <QVariant>

#include <algorithm>
#include <cerrno>

#include "app_info.h"
#include "owner_only.h"

namespace zaya::app {

QString roleName(Role role) { return role == Role::Teacher ? QStringLiteral("teacher") : QStringLiteral("student"); }

namespace {

// Attempts record the help used before them (attempt_tracker.h): counts of
// explanations and questions, and whether a model or the reference solution
// was seen. Older rows get zeros: nothing was recorded then. Self-contained,
// so it can take any place at the end of the list.
const QStringList kAttemptHelpStep = {
    "ALTER TABLE attempts ADD COLUMN explanations_used INTEGER NOT NULL DEFAULT 0 CHECK (explanations_used >= 0)",
    "ALTER TABLE attempts ADD COLUMN questions_asked INTEGER NOT NULL DEFAULT 0 CHECK (questions_asked >= 0)",
    "ALTER TABLE attempts ADD COLUMN model_solution_viewed INTEGER NOT NULL DEFAULT 0 CHECK (model_solution_viewed IN (0, 1))",
    "ALTER TABLE attempts ADD COLUMN reference_solution_viewed INTEGER NOT NULL DEFAULT 0 "
    "CHECK (reference_solution_viewed IN (0, 1))",
};

// Roster ids and per-student keys, the teacher's re-graded verdict beside the
// one a results file claims, every kind of help a results file carries, the
// reference-solution rule of a set, and a MAC on each teacher record (made
// with a key derived from the teacher's password, never stored). Old imported
// rows claimed what they show.
const QStringList kClassroomStep = {
    "ALTER TABLE profiles ADD COLUMN roster_id TEXT",
    "ALTER TABLE profiles ADD COLUMN results_key BLOB CHECK (results_key IS NULL OR length(results_key) = 32)",
    "ALTER TABLE profiles ADD COLUMN record_mac BLOB",
    // A teacher's roster entry (a student of the teacher's class, not someone
    // who practises on this computer). Before v8 those were the students of a
    // class on a computer that has a teacher.
    "ALTER TABLE profiles ADD COLUMN roster INTEGER NOT NULL DEFAULT 0 CHECK (roster IN (0, 1))",
    "UPDATE profiles SET roster = 1 WHERE role = 'student' AND class_id IS NOT NULL AND "
    "EXISTS (SELECT 1 FROM profiles t WHERE t.role = 'teacher')",
    "ALTER TABLE classes ADD COLUMN record_mac BLOB",
    "ALTER TABLE problem_sets ADD COLUMN allow_reference INTEGER NOT NULL DEFAULT 1 CHECK (allow_reference IN (0, 1))",
    "ALTER TABLE problem_sets ADD COLUMN record_mac BLOB",
    "ALTER TABLE imported_results ADD COLUMN first_answer TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE imported_results ADD COLUMN claimed_correct INTEGER NOT NULL DEFAULT 0 CHECK (claimed_correct IN (0, 1))",
    "ALTER TABLE imported_results ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 0)",
    "ALTER TABLE imported_results ADD COLUMN explanations_used INTEGER NOT NULL DEFAULT 0 CHECK (explanations_used >= 0)",
    "ALTER TABLE imported_results ADD COLUMN questions_asked INTEGER NOT NULL DEFAULT 0 CHECK (questions_asked >= 0)",
    "ALTER TABLE imported_results ADD COLUMN model_solution_viewed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE imported_results ADD COLUMN reference_solution_viewed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE imported_results ADD COLUMN help_after_due INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE imported_results ADD COLUMN record_mac BLOB",
    "UPDATE imported_results SET claimed_correct = correct, first_answer = answer",
};

// ---------------------------------------------------------------------------
// The schema, as forward migrations. Migration i (0-based) takes a database
// from user_version i to i + 1. Never edit a released step: add a new one.
// ---------------------------------------------------------------------------
const QList<QStringList>& migrations() {
  static const QList<QStringList> steps = {
      // v1: profiles, classes, attempts, settings.
      {
          R"(CREATE TABLE classes (
               id INTEGER PRIMARY KEY,
               uuid TEXT NOT NULL UNIQUE,            -- UNIQUE index serves classByUuid()
               name TEXT NOT NULL,
               hmac_key BLOB NOT NULL CHECK (length(hmac_key) >= 32),
               created_at INTEGER NOT NULL))",
          R"(CREATE TABLE profiles (
               id INTEGER PRIMARY KEY,
               uuid TEXT NOT NULL UNIQUE,            -- UNIQUE index serves profileByUuid()
               name TEXT NOT NULL,
               role TEXT NOT NULL CHECK (role IN ('student', 'teacher')),
               class_id INTEGER REFERENCES classes(id) ON DELETE SET NULL,
               password_salt BLOB,
               password_hash BLOB,
               password_iterations INTEGER,
               created_at INTEGER NOT NULL))",
          // Serves classMembers(): SELECT … FROM profiles WHERE class_id = ? ORDER BY name;
          // also the ON DELETE SET NULL lookup when a class is deleted.
          "CREATE INDEX profiles_by_class ON profiles(class_id)",
          R"(CREATE TABLE attempts (
               id INTEGER PRIMARY KEY,
               profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
               problem_id TEXT NOT NULL,
               topic TEXT NOT NULL,
               difficulty INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
               answer TEXT NOT NULL,
               correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
               millis_taken INTEGER NOT NULL CHECK (millis_taken >= 0),
               hints_used INTEGER NOT NULL CHECK (hints_used >= 0),
               created_at INTEGER NOT NULL))",
          // Serves attempts(): WHERE profile_id = ? AND created_at >= ? ORDER BY created_at, id;
          // attemptCount(): WHERE profile_id = ?; and the ON DELETE CASCADE from profiles.
          "CREATE INDEX attempts_by_profile_time ON attempts(profile_id, created_at)",
          R"(CREATE TABLE settings (
               key TEXT PRIMARY KEY,                 -- primary key serves setting()
               value TEXT NOT NULL))",
      },
      // v2: generated solutions with their routing traces.
      {
          R"(CREATE TABLE solutions (
               id INTEGER PRIMARY KEY,
               profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
               problem_id TEXT NOT NULL,
               mode TEXT NOT NULL CHECK (mode IN ('full', 'hint', 'explain', 'check')),
               model TEXT NOT NULL,
               thinking TEXT NOT NULL,
               text TEXT NOT NULL,
               steps TEXT NOT NULL,                  -- JSON [{index, text, first, end}]
               thinking_end_token INTEGER NOT NULL,
               final_answer TEXT NOT NULL,
               correct INTEGER CHECK (correct IN (0, 1)),
               token_count INTEGER NOT NULL,
               tokens_per_second REAL NOT NULL,
               cancelled INTEGER NOT NULL CHECK (cancelled IN (0, 1)),
               trace BLOB,                           -- routing_trace.h layout
               trace_layers INTEGER NOT NULL,
               trace_experts INTEGER NOT NULL,
               token_ids BLOB,
               token_ends BLOB,
               created_at INTEGER NOT NULL))",
          // Serves solutionsFor(): WHERE profile_id = ? AND problem_id = ? ORDER BY created_at DESC;
          // and the ON DELETE CASCADE from profiles.
          "CREATE INDEX solutions_by_profile_problem ON solutions(profile_id, problem_id, created_at)",
      },
      // v3: problem sets, assignments, imported results, per-set attempts, grade overrides.
      {
          R"(CREATE TABLE problem_sets (
               id INTEGER PRIMARY KEY,
               uuid TEXT NOT NULL UNIQUE,            -- UNIQUE index serves setByUuid()
               class_id INTEGER REFERENCES classes(id) ON DELETE CASCADE,
               class_uuid TEXT NOT NULL,
               title TEXT NOT NULL,
               problem_ids TEXT NOT NULL,            -- JSON array of bank ids
               due_at INTEGER,
               allow_hints INTEGER NOT NULL CHECK (allow_hints IN (0, 1)),
               allow_solutions INTEGER NOT NULL CHECK (allow_solutions IN (0, 1)),
               file_json TEXT NOT NULL DEFAULT '',   -- the set file (problems/FORMAT.md), custom problems included
               created_at INTEGER NOT NULL))",
          // Serves setsOfClass(): WHERE class_id = ? ORDER BY created_at; and the cascade from classes.
          "CREATE INDEX problem_sets_by_class ON problem_sets(class_id, created_at)",
          R"(CREATE TABLE assignments (
               set_id INTEGER NOT NULL REFERENCES problem_sets(id) ON DELETE CASCADE,
               profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
               assigned_at INTEGER NOT NULL,
               PRIMARY KEY (set_id, profile_id)))",  // primary key serves assign()'s upsert
          // Serves assignedSets(): … JOIN assignments a … WHERE a.profile_id = ?; and the cascade from profiles.
          "CREATE INDEX assignments_by_profile ON assignments(profile_id)",
          R"(CREATE TABLE imported_results (
               id INTEGER PRIMARY KEY,
               class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
               set_uuid TEXT NOT NULL,
               student_uuid TEXT NOT NULL,
               student_name TEXT NOT NULL,
               problem_id TEXT NOT NULL,
               answer TEXT NOT NULL,
               correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
               millis_taken INTEGER NOT NULL,
               hints_used INTEGER NOT NULL,
               attempted_at INTEGER NOT NULL,
               imported_at INTEGER NOT NULL))",
          // Serves importedResults(): WHERE class_id = ? AND set_uuid = ?; replaceImportedResults()'s
          // DELETE … WHERE class_id = ? AND set_uuid = ? AND student_uuid = ?; the cascade from classes.
          "CREATE INDEX imported_results_by_set ON imported_results(class_id, set_uuid, student_uuid)",
          "ALTER TABLE attempts ADD COLUMN set_id INTEGER REFERENCES problem_sets(id) ON DELETE SET NULL",
          "ALTER TABLE attempts ADD COLUMN grade_override INTEGER CHECK (grade_override IN (0, 1))",
          // Serves the ON DELETE SET NULL lookup when a problem set is deleted.
          "CREATE INDEX attempts_by_set ON attempts(set_id)",
      },
      // v4: review schedule and expert calibration.
      {
          R"(CREATE TABLE review_items (
               profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
               problem_id TEXT NOT NULL,
               topic TEXT NOT NULL,
               box INTEGER NOT NULL CHECK (box BETWEEN 1 AND 5),
               due_at INTEGER NOT NULL,
               lapses INTEGER NOT NULL,
               last_reviewed_at INTEGER NOT NULL,
               PRIMARY KEY (profile_id, problem_id)))",  // primary key serves review(), upsertReview(), removeReview(),
                                                         // reviews() and the cascade from profiles
          // Serves dueReviews(): WHERE profile_id = ? AND due_at <= ? ORDER BY due_at.
          "CREATE INDEX review_items_due ON review_items(profile_id, due_at)",
          R"(CREATE TABLE calibration_runs (
               model_id TEXT NOT NULL,
               problem_id TEXT NOT NULL,
               topic TEXT NOT NULL,
               tokens INTEGER NOT NULL,
               done_at INTEGER NOT NULL,
               PRIMARY KEY (model_id, problem_id)))",  // primary key serves calibratedProblems() and calibrationTokens()
          R"(CREATE TABLE calibration_counts (
               model_id TEXT NOT NULL,
               topic TEXT NOT NULL,
               layer INTEGER NOT NULL,
               expert INTEGER NOT NULL,
               count INTEGER NOT NULL,
               PRIMARY KEY (model_id, topic, layer, expert)))",  // primary key serves the upsert in
                                                                  // addCalibrationSample() and calibrationCells()
      },
      // v5: the progress screen lists a student's generated solutions over all problems.
      {
          // Serves recentSolutions(): WHERE profile_id = ? ORDER BY created_at DESC LIMIT ?
          // (solutions_by_profile_problem has problem_id between the two).
          "CREATE INDEX solutions_by_profile_time ON solutions(profile_id, created_at)",
      },
      // v6: one tutoring conversation per (profile, problem); each turn names the
      // solutions row of its reply. Solutions say when a hint was cut.
      {
          R"(CREATE TABLE conversations (
               id INTEGER PRIMARY KEY,
               profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
               problem_id TEXT NOT NULL,
               created_at INTEGER NOT NULL,
               UNIQUE (profile_id, problem_id)))",  // UNIQUE index serves conversationId(), conversationTurns()'s
                                                     // join, the insert in saveConversationTurn(), and the
                                                     // cascade from profiles
          R"(CREATE TABLE conversation_turns (
               id INTEGER PRIMARY KEY,
               conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
               action TEXT NOT NULL CHECK (action IN ('hint', 'solution', 'explain', 'question', 'check-working')),
               student_text TEXT NOT NULL,
               step INTEGER NOT NULL CHECK (step >= 0),
               prompt TEXT NOT NULL,
               solution_id INTEGER REFERENCES solutions(id) ON DELETE SET NULL,
               created_at INTEGER NOT NULL))",
          // Serves conversationTurns(): WHERE conversation_id = ? ORDER BY id; and the cascade from conversations.
          "CREATE INDEX conversation_turns_by_conversation ON conversation_turns(conversation_id, id)",
          // Serves the ON DELETE SET NULL lookup when a solution is deleted (restoreProfile() replaces them).
          "CREATE INDEX conversation_turns_by_solution ON conversation_turns(solution_id)",
          "ALTER TABLE solutions ADD COLUMN answer_removed INTEGER NOT NULL DEFAULT 0 CHECK (answer_removed IN (0, 1))",
          "ALTER TABLE solutions ADD COLUMN note TEXT NOT NULL DEFAULT ''",
      },
      // v7: the help used before each attempt, and its active time.
      kAttemptHelpStep,
      // v8: classrooms a school can run on (docs/app-core.md, "Classroom").
      kClassroomStep,
  };
  return steps;
}

QAtomicInt g_connectionCounter;

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

// A null QString binds as SQL NULL; text columns are NOT NULL, so bind ''.
QVariant str(const QString& s) { return s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s); }

QVariant optionalInt(const std::optional<qint64>& v) { return v ? QVariant(*v) : QVariant(QMetaType(QMetaType::LongLong)); }
QVariant optionalBool(const std::optional<bool>& v) { return v ? QVariant(int(*v)) : QVariant(QMetaType(QMetaType::Int)); }
std::optional<qint64> toOptionalInt(const QVariant& v) {
  if (v.isNull()) return std::nullopt;
  return v.toLongLong();
}
std::optional<bool> toOptionalBool(const QVariant& v) {
  if (v.isNull()) return std::nullopt;
  return v.toInt() != 0;
}

const char* kProfileColumns =
    "id, uuid, name, role, class_id, password_hash IS NOT NULL, created_at, roster_id, results_key, record_mac, roster";
Profile readProfile(const QSqlQuery& q) {
  Profile p;
  p.id = q.value(0).toLongLong();
  p.uuid = q.value(1).toString();
  p.name = q.value(2).toString();
  p.role = q.value(3).toString() == QLatin1String("teacher") ? Role::Teacher : Role::Student;
  p.classId = toOptionalInt(q.value(4));
  p.hasPassword = q.value(5).toBool();
  p.createdAt = q.value(6).toLongLong();
  p.rosterId = q.value(7).toString();
  p.resultsKey = q.value(8).toByteArray();
  p.recordMac = q.value(9).toByteArray();
  p.isRoster = q.value(10).toBool();
  return p;
}

const char* kClassColumns = "id, uuid, name, hmac_key, created_at, record_mac";
ClassInfo readClass(const QSqlQuery& q) {
  ClassInfo c;
  c.id = q.value(0).toLongLong();
  c.uuid = q.value(1).toString();
  c.name = q.value(2).toString();
  c.hmacKey = q.value(3).toByteArray();
  c.createdAt = q.value(4).toLongLong();
  c.recordMac = q.value(5).toByteArray();
  return c;
}

const char* kAttemptColumns =
    "id, profile_id, problem_id, topic, difficulty, answer, correct, millis_taken, hints_used, set_id, created_at, "
    "grade_override, explanations_used, questions_asked, model_solution_viewed, reference_solution_viewed";
Attempt readAttempt(const QSqlQuery& q) {
  Attempt a;
  a.id = q.value(0).toLongLong();
  a.profileId = q.value(1).toLongLong();
  a.problemId = q.value(2).toString();
  a.topic = q.value(3).toString();
  a.difficulty = q.value(4).toInt();
  a.answer = q.value(5).toString();
  a.correct = q.value(6).toInt() != 0;
  a.millisTaken = q.value(7).toLongLong();
  a.hintsUsed = q.value(8).toInt();
  a.setId = toOptionalInt(q.value(9));
  a.createdAt = q.value(10).toLongLong();
  a.gradeOverride = toOptionalBool(q.value(11));
  a.explanationsUsed = q.value(12).toInt();
  a.questionsAsked = q.value(13).toInt();
  a.modelSolutionViewed = q.value(14).toInt() != 0;
  a.referenceSolutionViewed = q.value(15).toInt() != 0;
  return a;
}

const char* kSetColumns =
    "s.id, s.uuid, s.class_id, s.class_uuid, s.title, s.problem_ids, s.due_at, s.allow_hints, s.allow_solutions, "
    "s.created_at, s.file_json, s.allow_reference, s.record_mac";
ProblemSet readSet(const QSqlQuery& q) {
  ProblemSet s;
  s.id = q.value(0).toLongLong();
  s.uuid = q.value(1).toString();
  s.classId = toOptionalInt(q.value(2));
  s.classUuid = q.value(3).toString();
  s.title = q.value(4).toString();
  for (const auto& v : QJsonDocument::fromJson(q.value(5).toByteArray()).array()) s.problemIds << v.toString();
  s.dueAt = toOptionalInt(q.value(6));
  s.allowHints = q.value(7).toBool();
  s.allowSolutions = q.value(8).toBool();
  s.createdAt = q.value(9).toLongLong();
  s.fileJson = q.value(10).toByteArray();
  s.allowReference = q.value(11).toBool();
  s.recordMac = q.value(12).toByteArray();
  return s;
}

const char* kReviewColumns = "profile_id, problem_id, topic, box, due_at, lapses, last_reviewed_at";
ReviewItem readReview(const QSqlQuery& q) {
  ReviewItem r;
  r.profileId = q.value(0).toLongLong();
  r.problemId = q.value(1).toString();
  r.topic = q.value(2).toString();
  r.box = q.value(3).toInt();
  r.dueAt = q.value(4).toLongLong();
  r.lapses = q.value(5).toInt();
  r.lastReviewedAt = q.value(6).toLongLong();
  return r;
}

QByteArray stepsToJson(const QList<SolutionStep>& steps) {
  QJsonArray arr;
  for (const auto& s : steps)
    arr.append(QJsonObject{{"index", s.index}, {"text", s.text}, {"first", s.firstToken}, {"end", s.endToken}});
  return QJsonDocument(arr).toJson(QJsonDocument::Compact);
}

QList<SolutionStep> stepsFromJson(const QByteArray& json) {
  QList<SolutionStep> out;
  for (const auto& v : QJsonDocument::fromJson(json).array()) {
    const auto o = v.toObject();
    out.push_back({o.value("index").toInt(), o.value("text").toString(), o.value("first").toInt(), o.value("end").toInt()});
  }
  return out;
}

// The raw connection handle, for SQLite's extended error code and errno.
sqlite3* sqliteHandle(const QSqlDatabase& db) {
  const QVariant v = db.driver() ? db.driver()->handle() : QVariant();
  if (v.isValid() && qstrcmp(v.typeName(), "sqlite3*") == 0) return *static_cast<sqlite3* const*>(v.constData());
  return nullptr;
}

}  // namespace

QString Database::defaultPath() { return QDir(dataDirectory()).filePath(QStringLiteral("zaya-tutor.sqlite")); }

Database::Database(const QString& path) : path_(path) { open(kSchemaVersion); }

Database::Database(const QString& path, int version) : path_(path) { open(version); }

Database::Database(const QString& path, Access access) : path_(path), access_(access) {
  if (access == Access::ReadOnly)
    openReadOnly();
  else
    open(kSchemaVersion);
}

Database::~Database() {
  db_.close();
  db_ = QSqlDatabase();
  QSqlDatabase::removeDatabase(connectionName_);
}

void Database::fail(const QString& what, const QString& driverText) {
  sqlite3* h = sqliteHandle(db_);
  const int code = h ? sqlite3_extended_errcode(h) : 0;
  const int sysErr = h ? sqlite3_system_errno(h) : 0;
  const int primary = code & 0xff;
  const QString file = QDir::toNativeSeparators(path_);
  if (primary == SQLITE_FULL || sysErr == ENOSPC || sysErr == EFBIG || sysErr == EDQUOT)
    throw AppError(AppError::Kind::DiskFull,
                   QStringLiteral("Could not save (%1): the disk holding %2 is full or the file-size limit was "
                                  "reached. Nothing of this change was written; everything saved before is intact.")
                       .arg(what, file));
  if (primary == SQLITE_READONLY || primary == SQLITE_PERM || sysErr == EROFS || sysErr == EACCES ||
      sysErr == EPERM)
    throw AppError(AppError::Kind::ReadOnly,
                   QStringLiteral("Could not save (%1): %2 is read-only. Check the folder's permissions or choose "
                                  "another data folder (ZAYA_DATA_DIR).")
                       .arg(what, file));
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    throw AppError(AppError::Kind::Corrupt,
                   QStringLiteral("%1 is damaged or is not a ZAYA Tutor database (%2: %3).").arg(file, what, driverText));
  throw AppError(AppError::Kind::Storage, QStringLiteral("Database error in %1 (%2): %3").arg(file, what, driverText));
}

void Database::open(int targetVersion) {
  const QFileInfo info(path_);
  QDir dir = info.absoluteDir();
  if (!dir.exists() && !makeOwnerOnlyFolder(dir.absolutePath()))
    throw AppError(AppError::Kind::ReadOnly,
                   QStringLiteral("Cannot create the data folder %1.").arg(QDir::toNativeSeparators(dir.absolutePath())));
  {
    // A real write probe: access() says yes to root even on a read-only mount.
    QTemporaryFile probe(dir.filePath(QStringLiteral(".write-probe-XXXXXX")));
    if (!probe.open())
      throw AppError(AppError::Kind::ReadOnly,
                     QStringLiteral("The data folder %1 is read-only: the database needs to write its journal "
                                    "beside it. Check the folder's permissions or set ZAYA_DATA_DIR.")
                         .arg(QDir::toNativeSeparators(dir.absolutePath())));
  }
  if (info.exists() && !info.isWritable())
    throw AppError(AppError::Kind::ReadOnly,
                   QStringLiteral("The database file %1 is read-only.").arg(QDir::toNativeSeparators(path_)));

  // The file holds class keys and answers: owner-only from the first byte
  // (SQLite's -wal and -shm copy its mode).
  if (!info.exists()) createOwnerOnlyFile(path_);
  makeOwnerOnly(path_);

  connectionName_ = QStringLiteral("zaya-db-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1));
  db_ = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName_);
  db_.setDatabaseName(path_);
  db_.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
  if (!db_.open()) fail(QStringLiteral("opening"), db_.lastError().text());

  // Reading the header tells a non-database file apart before we write anything.
  {
    QSqlQuery check(db_);
    if (!check.exec(QStringLiteral("SELECT count(*) FROM sqlite_schema")) || !check.next())
      fail(QStringLiteral("reading the schema"), check.lastError().text());
  }
  QSqlQuery mode(db_);
  if (!mode.exec(QStringLiteral("PRAGMA journal_mode = WAL")) || !mode.next())
    fail(QStringLiteral("switching to WAL"), mode.lastError().text());
  if (mode.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
    throw AppError(AppError::Kind::Storage,
                   QStringLiteral("%1: the file system does not support SQLite's WAL mode (journal mode is %2).")
                       .arg(QDir::toNativeSeparators(path_), mode.value(0).toString()));
  mode.finish();
  execSql(QStringLiteral("PRAGMA foreign_keys = ON"), "enabling foreign keys");
  // FULL: a commit that returned survives a power cut too, not only a killed process.
  execSql(QStringLiteral("PRAGMA synchronous = FULL"), "setting synchronous");
  migrate(targetVersion);
}

void Database::migrate(int targetVersion) {
  const int current = schemaVersion();
  const auto& steps = migrations();
  if (current > steps.size())
    throw AppError(AppError::Kind::Corrupt,
                   QStringLiteral("%1 was written by a newer version of ZAYA Tutor (schema %2; this version knows up "
                                  "to %3). Update the app to open it.")
                       .arg(QDir::toNativeSeparators(path_))
                       .arg(current)
                       .arg(steps.size()));
  for (int v = current; v < targetVersion && v < steps.size(); ++v) {
    write([&] {
      for (const QString& sql : steps[v]) execSql(sql, "migrating the schema");
      execSql(QStringLiteral("PRAGMA user_version = %1").arg(v + 1), "recording the schema version");
    });
  }
}

int Database::schemaVersion() {
  QSqlQuery q(db_);
  if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
    fail(QStringLiteral("reading the schema version"), q.lastError().text());
  return q.value(0).toInt();
}

QString Database::journalMode() {
  QSqlQuery q(db_);
  if (!q.exec(QStringLiteral("PRAGMA journal_mode")) || !q.next()) fail(QStringLiteral("journal mode"), q.lastError().text());
  return q.value(0).toString();
}

bool Database::foreignKeysOn() {
  QSqlQuery q(db_);
  if (!q.exec(QStringLiteral("PRAGMA foreign_keys")) || !q.next()) fail(QStringLiteral("foreign keys"), q.lastError().text());
  return q.value(0).toInt() == 1;
}

QString Database::integrityCheck() {
  QSqlQuery q(db_);
  if (!q.exec(QStringLiteral("PRAGMA integrity_check"))) fail(QStringLiteral("integrity check"), q.lastError().text());
  QStringList lines;
  while (q.next()) lines << q.value(0).toString();
  return lines.join(QLatin1Char('\n'));
}

QString Database::quickCheck() {
  QSqlQuery q(db_);
  if (!q.exec(QStringLiteral("PRAGMA quick_check(20)"))) return q.lastError().databaseText();
  QStringList lines;
  while (q.next()) lines << q.value(0).toString();
  if (q.lastError().isValid()) lines << q.lastError().databaseText();
  return lines.isEmpty() ? QStringLiteral("the check returned nothing") : lines.join(QLatin1Char('\n'));
}

QStringList Database::schemaObjects() {
  QSqlQuery q(db_);
  if (!q.exec(QStringLiteral("SELECT type || ':' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY 1")))
    fail(QStringLiteral("listing the schema"), q.lastError().text());
  QStringList out;
  while (q.next()) out << q.value(0).toString();
  return out;
}

QSqlQuery Database::prepare(const QString& sql) {
  QSqlQuery q(db_);
  if (!q.prepare(sql)) fail(QStringLiteral("preparing a statement"), q.lastError().text() + QStringLiteral(" [") + sql + ']');
  return q;
}

void Database::exec(QSqlQuery& q, const char* what) {
  if (!q.exec()) fail(QString::fromUtf8(what), q.lastError().text());
}

void Database::execSql(const QString& sql, const char* what) {
  QSqlQuery q(db_);
  if (!q.exec(sql)) fail(QString::fromUtf8(what), q.lastError().text());
}

void Database::write(const std::function<void()>& fn) {
  if (depth_ > 0) {
    ++depth_;
    try {
      fn();
    } catch (...) {
      --depth_;
      throw;
    }
    --depth_;
    return;
  }
  if (access_ == Access::ReadOnly)
    throw AppError(AppError::Kind::ReadOnly,
                   QStringLiteral("%1 is open read-only, so nothing was written.")
                       .arg(QDir::toNativeSeparators(path_)));
  execSql(QStringLiteral("BEGIN IMMEDIATE"), "starting a transaction");
  depth_ = 1;
  try {
    fn();
    execSql(QStringLiteral("COMMIT"), "committing");
    depth_ = 0;
  } catch (...) {
    depth_ = 0;
    QSqlQuery rollback(db_);
    rollback.exec(QStringLiteral("ROLLBACK"));  // may fail when SQLite already rolled back; nothing to do then
    throw;
  }
}

// --- profiles -----------------------------------------------------------------

qint64 Database::insertProfile(const Profile& p) {
  qint64 id = 0;
  write([&] {
    auto q = prepare(QStringLiteral(
        "INSERT INTO profiles (uuid, name, role, class_id, created_at, roster_id, results_key, roster) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(p.uuid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : p.uuid);
    q.addBindValue(str(p.name));
    q.addBindValue(roleName(p.role));
    q.addBindValue(optionalInt(p.classId));
    q.addBindValue(p.createdAt ? p.createdAt : nowMs());
    q.addBindValue(p.rosterId.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(p.rosterId));
    q.addBindValue(p.resultsKey.isEmpty() ? QVariant(QMetaType(QMetaType::QByteArray)) : QVariant(p.resultsKey));
    q.addBindValue(int(p.isRoster));
    exec(q, "adding a profile");
    id = q.lastInsertId().toLongLong();
  });
  return id;
}

std::optional<Profile> Database::profile(qint64 id) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM profiles WHERE id = ?").arg(kProfileColumns));
  q.addBindValue(id);
  exec(q, "reading a profile");
  if (!q.next()) return std::nullopt;
  return readProfile(q);
}

std::optional<Profile> Database::profileByUuid(const QString& uuid) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM profiles WHERE uuid = ?").arg(kProfileColumns));
  q.addBindValue(str(uuid));
  exec(q, "reading a profile");
  if (!q.next()) return std::nullopt;
  return readProfile(q);
}

QList<Profile> Database::profiles() {
  auto q = prepare(QStringLiteral("SELECT %1 FROM profiles ORDER BY name, id").arg(kProfileColumns));
  exec(q, "listing profiles");
  QList<Profile> out;
  while (q.next()) out << readProfile(q);
  return out;
}

QList<Profile> Database::classMembers(qint64 classId) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM profiles WHERE class_id = ? ORDER BY name, id").arg(kProfileColumns));
  q.addBindValue(classId);
  exec(q, "listing a class");
  QList<Profile> out;
  while (q.next()) out << readProfile(q);
  return out;
}

void Database::setProfileClass(qint64 profileId, std::optional<qint64> classId) {
  write([&] {
    auto q = prepare(QStringLiteral("UPDATE profiles SET class_id = ? WHERE id = ?"));
    q.addBindValue(optionalInt(classId));
    q.addBindValue(profileId);
    exec(q, "moving a profile to a class");
  });
}

void Database::setPassword(qint64 profileId, const PasswordRecord& r) {
  write([&] {
    auto q = prepare(QStringLiteral(
        "UPDATE profiles SET password_salt = ?, password_hash = ?, password_iterations = ? WHERE id = ?"));
    q.addBindValue(r.salt);
    q.addBindValue(r.hash);
    q.addBindValue(r.iterations);
    q.addBindValue(profileId);
    exec(q, "storing a password");
  });
}

std::optional<PasswordRecord> Database::password(qint64 profileId) {
  auto q = prepare(QStringLiteral(
      "SELECT password_salt, password_hash, password_iterations FROM profiles WHERE id = ? AND password_hash IS NOT NULL"));
  q.addBindValue(profileId);
  exec(q, "reading a password");
  if (!q.next()) return std::nullopt;
  return PasswordRecord{q.value(0).toByteArray(), q.value(1).toByteArray(), q.value(2).toInt()};
}

// --- classes ------------------------------------------------------------------

qint64 Database::insertClass(const ClassInfo& c) {
  qint64 id = 0;
  write([&] {
    auto q = prepare(QStringLiteral("INSERT INTO classes (uuid, name, hmac_key, created_at) VALUES (?, ?, ?, ?)"));
    q.addBindValue(c.uuid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : c.uuid);
    q.addBindValue(str(c.name));
    q.addBindValue(c.hmacKey);
    q.addBindValue(c.createdAt ? c.createdAt : nowMs());
    exec(q, "adding a class");
    id = q.lastInsertId().toLongLong();
  });
  return id;
}

std::optional<ClassInfo> Database::classById(qint64 id) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM classes WHERE id = ?").arg(kClassColumns));
  q.addBindValue(id);
  exec(q, "reading a class");
  if (!q.next()) return std::nullopt;
  return readClass(q);
}

std::optional<ClassInfo> Database::classByUuid(const QString& uuid) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM classes WHERE uuid = ?").arg(kClassColumns));
  q.addBindValue(str(uuid));
  exec(q, "reading a class");
  if (!q.next()) return std::nullopt;
  return readClass(q);
}

QList<ClassInfo> Database::classes() {
  auto q = prepare(QStringLiteral("SELECT %1 FROM classes ORDER BY name, id").arg(kClassColumns));
  exec(q, "listing classes");
  QList<ClassInfo> out;
  while (q.next()) out << readClass(q);
  return out;
}

// --- attempts -------------------------------------------------------------------

qint64 Database::insertAttempt(const Attempt& a) {
  qint64 id = 0;
  write([&] {
    auto q = prepare(QStringLiteral(
        "INSERT INTO attempts (profile_id, problem_id, topic, difficulty, answer, correct, millis_taken, hints_used, "
        "set_id, created_at, grade_override, explanations_used, questions_asked, model_solution_viewed, "
        "reference_solution_viewed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(a.profileId);
    q.addBindValue(str(a.problemId));
    q.addBindValue(str(a.topic));
    q.addBindValue(a.difficulty);
    q.addBindValue(str(a.answer));
    q.addBindValue(int(a.correct));
    q.addBindValue(a.millisTaken);
    q.addBindValue(a.hintsUsed);
    q.addBindValue(optionalInt(a.setId));
    q.addBindValue(a.createdAt ? a.createdAt : nowMs());
    q.addBindValue(optionalBool(a.gradeOverride));
    q.addBindValue(std::max(0, a.explanationsUsed));
    q.addBindValue(std::max(0, a.questionsAsked));
    q.addBindValue(int(a.modelSolutionViewed));
    q.addBindValue(int(a.referenceSolutionViewed));
    exec(q, "recording an attempt");
    id = q.lastInsertId().toLongLong();
  });
  return id;
}

std::optional<Attempt> Database::attempt(qint64 id) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM attempts WHERE id = ?").arg(kAttemptColumns));
  q.addBindValue(id);
  exec(q, "reading an attempt");
  if (!q.next()) return std::nullopt;
  return readAttempt(q);
}

QList<Attempt> Database::attempts(qint64 profileId, qint64 since) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM attempts WHERE profile_id = ? AND created_at >= ? ORDER BY created_at, id")
                       .arg(kAttemptColumns));
  q.addBindValue(profileId);
  q.addBindValue(since);
  exec(q, "reading attempts");
  QList<Attempt> out;
  while (q.next()) out << readAttempt(q);
  return out;
}

int Database::attemptCount(qint64 profileId) {
  auto q = prepare(QStringLiteral("SELECT count(*) FROM attempts WHERE profile_id = ?"));
  q.addBindValue(profileId);
  exec(q, "counting attempts");
  q.next();
  return q.value(0).toInt();
}

void Database::setGradeOverride(qint64 attemptId, std::optional<bool> correct) {
  write([&] {
    auto q = prepare(QStringLiteral("UPDATE attempts SET grade_override = ? WHERE id = ?"));
    q.addBindValue(optionalBool(correct));
    q.addBindValue(attemptId);
    exec(q, "changing a grade");
    if (q.numRowsAffected() != 1)
      throw AppError(AppError::Kind::NotFound, QStringLiteral("No attempt with id %1.").arg(attemptId));
  });
}

// --- solutions ------------------------------------------------------------------

qint64 Database::insertSolution(const Solution& s) {
  qint64 id = 0;
  write([&] {
    auto q = prepare(QStringLiteral(
        "INSERT INTO solutions (profile_id, problem_id, mode, model, thinking, text, steps, thinking_end_token, "
        "final_answer, correct, token_count, tokens_per_second, cancelled, trace, trace_layers, trace_experts, "
        "token_ids, token_ends, created_at, answer_removed, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(s.profileId);
    q.addBindValue(str(s.problemId));
    q.addBindValue(str(s.mode));
    q.addBindValue(str(s.model));
    q.addBindValue(str(s.thinking));
    q.addBindValue(str(s.text));
    q.addBindValue(stepsToJson(s.steps));
    q.addBindValue(s.thinkingEndToken);
    q.addBindValue(str(s.finalAnswer));
    q.addBindValue(optionalBool(s.correct));
    q.addBindValue(s.tokenCount);
    q.addBindValue(s.tokensPerSecond);
    q.addBindValue(int(s.cancelled));
    q.addBindValue(s.trace);
    q.addBindValue(s.traceLayers);
    q.addBindValue(s.traceExperts);
    q.addBindValue(s.tokenIds);
    q.addBindValue(s.tokenEnds);
    q.addBindValue(s.createdAt ? s.createdAt : nowMs());
    q.addBindValue(int(s.answerRemoved));
    q.addBindValue(str(s.note));
    exec(q, "saving a solution");
    id = q.lastInsertId().toLongLong();
  });
  return id;
}

namespace {
const char* kSolutionColumns =
    "id, profile_id, problem_id, mode, model, thinking, text, steps, thinking_end_token, final_answer, correct, "
    "token_count, tokens_per_second, cancelled, trace_layers, trace_experts, created_at, answer_removed, note";
Solution readSolution(const QSqlQuery& q) {
  Solution s;
  s.id = q.value(0).toLongLong();
  s.profileId = q.value(1).toLongLong();
  s.problemId = q.value(2).toString();
  s.mode = q.value(3).toString();
  s.model = q.value(4).toString();
  s.thinking = q.value(5).toString();
  s.text = q.value(6).toString();
  s.steps = stepsFromJson(q.value(7).toByteArray());
  s.thinkingEndToken = q.value(8).toInt();
  s.finalAnswer = q.value(9).toString();
  s.correct = toOptionalBool(q.value(10));
  s.tokenCount = q.value(11).toInt();
  s.tokensPerSecond = q.value(12).toDouble();
  s.cancelled = q.value(13).toBool();
  s.traceLayers = q.value(14).toInt();
  s.traceExperts = q.value(15).toInt();
  s.createdAt = q.value(16).toLongLong();
  s.answerRemoved = q.value(17).toInt() != 0;
  s.note = q.value(18).toString();
  return s;
}
}  // namespace

std::optional<Solution> Database::solution(qint64 id) {
  auto q = prepare(QStringLiteral("SELECT %1, trace, token_ids, token_ends FROM solutions WHERE id = ?").arg(kSolutionColumns));
  q.addBindValue(id);
  exec(q, "reading a solution");
  if (!q.next()) return std::nullopt;
  Solution s = readSolution(q);
  s.trace = q.value(19).toByteArray();
  s.tokenIds = q.value(20).toByteArray();
  s.tokenEnds = q.value(21).toByteArray();
  return s;
}

QList<Solution> Database::solutionsFor(qint64 profileId, const QString& problemId) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM solutions WHERE profile_id = ? AND problem_id = ? ORDER BY created_at DESC, id DESC")
                       .arg(kSolutionColumns));
  q.addBindValue(profileId);
  q.addBindValue(str(problemId));
  exec(q, "listing solutions");
  QList<Solution> out;
  while (q.next()) out << readSolution(q);
  return out;
}

QList<Solution> Database::recentSolutions(qint64 profileId, int limit) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM solutions WHERE profile_id = ? ORDER BY created_at DESC, id DESC LIMIT ?")
                       .arg(kSolutionColumns));
  q.addBindValue(profileId);
  q.addBindValue(std::max(0, limit));
  exec(q, "listing recent solutions");
  QList<Solution> out;
  while (q.next()) out << readSolution(q);
  return out;
}

// --- problem sets ---------------------------------------------------------------

qint64 Database::insertSet(const ProblemSet& s) {
  qint64 id = 0;
  write([&] {
    auto q = prepare(QStringLiteral(
        "INSERT INTO problem_sets (uuid, class_id, class_uuid, title, problem_ids, due_at, allow_hints, "
        "allow_solutions, created_at, file_json, allow_reference) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(s.uuid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : s.uuid);
    q.addBindValue(optionalInt(s.classId));
    q.addBindValue(str(s.classUuid));
    q.addBindValue(str(s.title));
    q.addBindValue(QJsonDocument(QJsonArray::fromStringList(s.problemIds)).toJson(QJsonDocument::Compact));
    q.addBindValue(optionalInt(s.dueAt));
    q.addBindValue(int(s.allowHints));
    q.addBindValue(int(s.allowSolutions));
    q.addBindValue(s.createdAt ? s.createdAt : nowMs());
    q.addBindValue(str(QString::fromUtf8(s.fileJson)));
    q.addBindValue(int(s.allowReference));
    exec(q, "saving a problem set");
    id = q.lastInsertId().toLongLong();
  });
  return id;
}

std::optional<ProblemSet> Database::set(qint64 id) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM problem_sets s WHERE s.id = ?").arg(kSetColumns));
  q.addBindValue(id);
  exec(q, "reading a problem set");
  if (!q.next()) return std::nullopt;
  return readSet(q);
}

std::optional<ProblemSet> Database::setByUuid(const QString& uuid) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM problem_sets s WHERE s.uuid = ?").arg(kSetColumns));
  q.addBindValue(str(uuid));
  exec(q, "reading a problem set");
  if (!q.next()) return std::nullopt;
  return readSet(q);
}

QList<ProblemSet> Database::setsOfClass(qint64 classId) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM problem_sets s WHERE s.class_id = ? ORDER BY s.created_at, s.id").arg(kSetColumns));
  q.addBindValue(classId);
  exec(q, "listing problem sets");
  QList<ProblemSet> out;
  while (q.next()) out << readSet(q);
  return out;
}

void Database::assign(qint64 setId, qint64 profileId) {
  write([&] {
    auto q = prepare(QStringLiteral(
        "INSERT INTO assignments (set_id, profile_id, assigned_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
    q.addBindValue(setId);
    q.addBindValue(profileId);
    q.addBindValue(nowMs());
    exec(q, "assigning a problem set");
  });
}

QList<ProblemSet> Database::assignedSets(qint64 profileId) {
  auto q = prepare(QStringLiteral(
                       "SELECT %1 FROM problem_sets s JOIN assignments a ON a.set_id = s.id WHERE a.profile_id = ? "
                       "ORDER BY s.created_at, s.id")
                       .arg(kSetColumns));
  q.addBindValue(profileId);
  exec(q, "listing assigned sets");
  QList<ProblemSet> out;
  while (q.next()) out << readSet(q);
  return out;
}

// --- imported results -------------------------------------------------------------

void Database::replaceImportedResults(qint64 classId, const QString& setUuid, const QString& studentUuid,
                                      const QList<ImportedResult>& rows) {
  write([&] {
    auto del = prepare(QStringLiteral("DELETE FROM imported_results WHERE class_id = ? AND set_uuid = ? AND student_uuid = ?"));
    del.addBindValue(classId);
    del.addBindValue(str(setUuid));
    del.addBindValue(str(studentUuid));
    exec(del, "replacing imported results");
    const qint64 now = nowMs();
    for (const auto& r : rows) {
      auto q = prepare(QStringLiteral(
          "INSERT INTO imported_results (class_id, set_uuid, student_uuid, student_name, problem_id, answer, correct, "
          "millis_taken, hints_used, attempted_at, imported_at, first_answer, claimed_correct, attempts, "
          "explanations_used, questions_asked, model_solution_viewed, reference_solution_viewed, help_after_due) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
      q.addBindValue(classId);
      q.addBindValue(str(setUuid));
      q.addBindValue(str(studentUuid));
      q.addBindValue(str(r.studentName));
      q.addBindValue(str(r.problemId));
      q.addBindValue(str(r.answer));
      q.addBindValue(int(r.correct));
      q.addBindValue(r.millisTaken);
      q.addBindValue(r.hintsUsed);
      q.addBindValue(r.attemptedAt);
      q.addBindValue(now);
      q.addBindValue(str(r.firstAnswer));
      q.addBindValue(int(r.claimedCorrect));
      q.addBindValue(r.attempts);
      q.addBindValue(r.explanationsUsed);
      q.addBindValue(r.questionsAsked);
      q.addBindValue(int(r.modelSolutionViewed));
      q.addBindValue(int(r.referenceSolutionViewed));
      q.addBindValue(int(r.helpAfterDue));
      exec(q, "storing imported results");
    }
  });
}

namespace {
const char* kImportedResultColumns =
    "id, class_id, set_uuid, student_uuid, student_name, problem_id, answer, correct, millis_taken, hints_used, "
    "attempted_at, imported_at, first_answer, claimed_correct, attempts, explanations_used, questions_asked, "
    "model_solution_viewed, reference_solution_viewed, help_after_due, record_mac";
ImportedResult readImportedResult(const QSqlQuery& q) {
  ImportedResult r;
  r.id = q.value(0).toLongLong();
  r.classId = q.value(1).toLongLong();
  r.setUuid = q.value(2).toString();
  r.studentUuid = q.value(3).toString();
  r.studentName = q.value(4).toString();
  r.problemId = q.value(5).toString();
  r.answer = q.value(6).toString();
  r.correct = q.value(7).toBool();
  r.millisTaken = q.value(8).toLongLong();
  r.hintsUsed = q.value(9).toInt();
  r.attemptedAt = q.value(10).toLongLong();
  r.importedAt = q.value(11).toLongLong();
  r.firstAnswer = q.value(12).toString();
  r.claimedCorrect = q.value(13).toBool();
  r.attempts = q.value(14).toInt();
  r.explanationsUsed = q.value(15).toInt();
  r.questionsAsked = q.value(16).toInt();
  r.modelSolutionViewed = q.value(17).toBool();
  r.referenceSolutionViewed = q.value(18).toBool();
  r.helpAfterDue = q.value(19).toBool();
  r.recordMac = q.value(20).toByteArray();
  return r;
}
}  // namespace

QList<ImportedResult> Database::importedResults(qint64 classId, const QString& setUuid) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM imported_results WHERE class_id = ? AND set_uuid = ? "
                                  "ORDER BY student_name, student_uuid, attempted_at, id")
                       .arg(kImportedResultColumns));
  q.addBindValue(classId);
  q.addBindValue(str(setUuid));
  exec(q, "reading imported results");
  QList<ImportedResult> out;
  while (q.next()) out << readImportedResult(q);
  return out;
}

QList<ImportedResult> Database::allImportedResults() {
  auto q = prepare(QStringLiteral("SELECT %1 FROM imported_results ORDER BY id").arg(kImportedResultColumns));
  exec(q, "reading imported results");
  QList<ImportedResult> out;
  while (q.next()) out << readImportedResult(q);
  return out;
}

QList<ProblemSet> Database::allSets() {
  auto q = prepare(QStringLiteral("SELECT %1 FROM problem_sets s ORDER BY s.created_at, s.id").arg(kSetColumns));
  exec(q, "listing problem sets");
  QList<ProblemSet> out;
  while (q.next()) out << readSet(q);
  return out;
}

// --- review schedule -----------------------------------------------------------------

void Database::upsertReview(const ReviewItem& r) {
  write([&] {
    auto q = prepare(QStringLiteral(
        "INSERT INTO review_items (profile_id, problem_id, topic, box, due_at, lapses, last_reviewed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (profile_id, problem_id) DO UPDATE SET topic = excluded.topic, "
        "box = excluded.box, due_at = excluded.due_at, lapses = excluded.lapses, "
        "last_reviewed_at = excluded.last_reviewed_at"));
    q.addBindValue(r.profileId);
    q.addBindValue(str(r.problemId));
    q.addBindValue(str(r.topic));
    q.addBindValue(r.box);
    q.addBindValue(r.dueAt);
    q.addBindValue(r.lapses);
    q.addBindValue(r.lastReviewedAt);
    exec(q, "scheduling a review");
  });
}

void Database::removeReview(qint64 profileId, const QString& problemId) {
  write([&] {
    auto q = prepare(QStringLiteral("DELETE FROM review_items WHERE profile_id = ? AND problem_id = ?"));
    q.addBindValue(profileId);
    q.addBindValue(str(problemId));
    exec(q, "removing a review");
  });
}

std::optional<ReviewItem> Database::review(qint64 profileId, const QString& problemId) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM review_items WHERE profile_id = ? AND problem_id = ?").arg(kReviewColumns));
  q.addBindValue(profileId);
  q.addBindValue(str(problemId));
  exec(q, "reading a review");
  if (!q.next()) return std::nullopt;
  return readReview(q);
}

QList<ReviewItem> Database::dueReviews(qint64 profileId, qint64 now) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM review_items WHERE profile_id = ? AND due_at <= ? ORDER BY due_at, box, problem_id")
                       .arg(kReviewColumns));
  q.addBindValue(profileId);
  q.addBindValue(now);
  exec(q, "reading due reviews");
  QList<ReviewItem> out;
  while (q.next()) out << readReview(q);
  return out;
}

QList<ReviewItem> Database::reviews(qint64 profileId) {
  auto q = prepare(QStringLiteral("SELECT %1 FROM review_items WHERE profile_id = ? ORDER BY due_at, problem_id").arg(kReviewColumns));
  q.addBindValue(profileId);
  exec(q, "reading reviews");
  QList<ReviewItem> out;
  while (q.next()) out << readReview(q);
  return out;
}

// --- settings -------------------------------------------------------------------------

QString Database::setting(const QString& key, const QString& fallback) {
  auto q = prepare(QStringLiteral("SELECT value FROM settings WHERE key = ?"));
  q.addBindValue(str(key));
  exec(q, "reading a setting");
  return q.next() ? q.value(0).toString() : fallback;
}

void Database::setSetting(const QString& key, const QString& value) {
  write([&] {
    auto q = prepare(QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(str(key));
    q.addBindValue(str(value));
    exec(q, "saving a setting");
  });
}

// --- calibration -------------------------------------------------------------------------

void Database::addCalibrationSample(const QString& modelId, const QString& problemId, const QString& topic, int layers,
                                    int classes, const QList<qint64>& counts, qint64 tokens) {
  if (counts.size() != qsizetype(layers) * classes)
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("Calibration counts have the wrong shape."));
  write([&] {
    auto run = prepare(QStringLiteral(
        "INSERT INTO calibration_runs (model_id, problem_id, topic, tokens, done_at) VALUES (?, ?, ?, ?, ?)"));
    run.addBindValue(str(modelId));
    run.addBindValue(str(problemId));
    run.addBindValue(str(topic));
    run.addBindValue(tokens);
    run.addBindValue(nowMs());
    exec(run, "recording a calibration sample");
    auto q = prepare(QStringLiteral(
        "INSERT INTO calibration_counts (model_id, topic, layer, expert, count) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (model_id, topic, layer, expert) DO UPDATE SET count = count + excluded.count"));
    for (int l = 0; l < layers; ++l)
      for (int e = 0; e < classes; ++e) {
        const qint64 c = counts[l * classes + e];
        if (c == 0) continue;
        q.bindValue(0, modelId);
        q.bindValue(1, topic);
        q.bindValue(2, l);
        q.bindValue(3, e);
        q.bindValue(4, c);
        exec(q, "adding calibration counts");
      }
  });
}

QSet<QString> Database::calibratedProblems(const QString& modelId) {
  auto q = prepare(QStringLiteral("SELECT problem_id FROM calibration_runs WHERE model_id = ?"));
  q.addBindValue(str(modelId));
  exec(q, "reading calibration progress");
  QSet<QString> out;
  while (q.next()) out.insert(q.value(0).toString());
  return out;
}

QList<CalibrationCell> Database::calibrationCells(const QString& modelId) {
  auto q = prepare(QStringLiteral(
      "SELECT topic, layer, expert, count FROM calibration_counts WHERE model_id = ? ORDER BY topic, layer, expert"));
  q.addBindValue(str(modelId));
  exec(q, "reading calibration counts");
  QList<CalibrationCell> out;
  while (q.next()) out.push_back({q.value(0).toString(), q.value(1).toInt(), q.value(2).toInt(), q.value(3).toLongLong()});
  return out;
}

QHash<QString, qint64> Database::calibrationTokens(const QString& modelId) {
  auto q = prepare(QStringLiteral("SELECT topic, sum(tokens) FROM calibration_runs WHERE model_id = ? GROUP BY topic"));
  q.addBindValue(str(modelId));
  exec(q, "reading calibration totals");
  QHash<QString, qint64> out;
  while (q.next()) out.insert(q.value(0).toString(), q.value(1).toLongLong());
  return out;
}

void Database::clearCalibration(const QString& modelId) {
  write([&] {
    for (const char* table : {"calibration_runs", "calibration_counts"}) {
      auto q = prepare(QStringLiteral("DELETE FROM %1 WHERE model_id = ?").arg(QLatin1String(table)));
      q.addBindValue(str(modelId));
      exec(q, "clearing calibration");
    }
  });
}

// --- backup / restore ---------------------------------------------------------------------
//
// The backup is itself a ZAYA Tutor database (same schema, migrated forward
// when an older backup is restored) holding one profile. Rows are copied
// between the two files with ATTACH, remapping row ids through uuids.

void Database::backupProfile(qint64 profileId, const QString& file) {
  const auto p = profile(profileId);
  if (!p) throw AppError(AppError::Kind::NotFound, QStringLiteral("No profile with id %1.").arg(profileId));
  if (QFileInfo::exists(file))
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("%1 already exists; choose a new file for the backup.").arg(QDir::toNativeSeparators(file)));
  { Database target(file); }  // creates the schema
  auto attach = prepare(QStringLiteral("ATTACH DATABASE ? AS bk"));
  attach.addBindValue(file);
  exec(attach, "opening the backup file");
  try {
    write([&] {
      const QStringList statements = {
          "INSERT INTO bk.classes SELECT c.* FROM main.classes c JOIN main.profiles p ON p.class_id = c.id WHERE p.id = :p",
          "INSERT INTO bk.profiles SELECT * FROM main.profiles WHERE id = :p",
          "INSERT INTO bk.problem_sets SELECT * FROM main.problem_sets WHERE id IN "
          "(SELECT set_id FROM main.assignments WHERE profile_id = :p UNION "
          " SELECT set_id FROM main.attempts WHERE profile_id = :p AND set_id IS NOT NULL)",
          "UPDATE bk.problem_sets SET class_id = NULL WHERE class_id NOT IN (SELECT id FROM bk.classes)",
          "INSERT INTO bk.assignments SELECT * FROM main.assignments WHERE profile_id = :p",
          "INSERT INTO bk.attempts SELECT * FROM main.attempts WHERE profile_id = :p",
          "INSERT INTO bk.solutions SELECT * FROM main.solutions WHERE profile_id = :p",
          "INSERT INTO bk.review_items SELECT * FROM main.review_items WHERE profile_id = :p",
      };
      for (const QString& sql : statements) {
        auto q = prepare(sql);
        q.bindValue(QStringLiteral(":p"), profileId);
        exec(q, "writing the backup");
      }
    });
  } catch (...) {
    execSql(QStringLiteral("DETACH DATABASE bk"), "closing the backup file");
    QFile::remove(file);
    throw;
  }
  execSql(QStringLiteral("DETACH DATABASE bk"), "closing the backup file");
}

qint64 Database::restoreProfile(const QString& file) {
  const QString native = QDir::toNativeSeparators(file);
  if (!QFileInfo::exists(file)) throw AppError(AppError::Kind::NotFound, QStringLiteral("%1 does not exist.").arg(native));
  QString backupUuid;
  {
    // Validate first: a damaged or foreign file must not touch this database.
    std::unique_ptr<Database> backup;
    try {
      backup = std::make_unique<Database>(file);
    } catch (const AppError& e) {
      throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is not a usable profile backup: %2").arg(native, e.message()));
    }
    if (backup->integrityCheck() != QLatin1String("ok"))
      throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is damaged (integrity check failed).").arg(native));
    const auto ps = backup->profiles();
    if (ps.size() != 1)
      throw AppError(AppError::Kind::InvalidInput,
                     QStringLiteral("%1 holds %2 profiles; a profile backup holds exactly one.").arg(native).arg(ps.size()));
    backupUuid = ps.front().uuid;
  }
  auto attach = prepare(QStringLiteral("ATTACH DATABASE ? AS bk"));
  attach.addBindValue(file);
  exec(attach, "opening the backup file");
  qint64 localId = 0;
  try {
    write([&] {
      // Classes and sets are matched by uuid; new ones are added.
      execSql(QStringLiteral("INSERT INTO main.classes (uuid, name, hmac_key, created_at) SELECT uuid, name, hmac_key, "
                             "created_at FROM bk.classes WHERE uuid NOT IN (SELECT uuid FROM main.classes)"),
              "restoring the class");
      execSql(QStringLiteral(
                  "INSERT INTO main.problem_sets (uuid, class_id, class_uuid, title, problem_ids, due_at, allow_hints, "
                  "allow_solutions, created_at, file_json, allow_reference) SELECT b.uuid, (SELECT m.id FROM main.classes m "
                  "JOIN bk.classes c ON c.uuid = m.uuid WHERE c.id = b.class_id), b.class_uuid, b.title, b.problem_ids, "
                  "b.due_at, b.allow_hints, b.allow_solutions, b.created_at, b.file_json, b.allow_reference FROM bk.problem_sets b WHERE b.uuid NOT IN (SELECT "
                  "uuid FROM main.problem_sets)"),
              "restoring problem sets");
      const QString classOf = QStringLiteral(
          "(SELECT m.id FROM main.classes m JOIN bk.classes c ON c.uuid = m.uuid WHERE c.id = b.class_id)");
      if (auto existing = profileByUuid(backupUuid)) {
        localId = existing->id;
        // Conversations are not part of a backup yet: the restored profile starts them afresh.
        for (const char* table : {"conversations", "attempts", "solutions", "review_items", "assignments"}) {
          auto del = prepare(QStringLiteral("DELETE FROM main.%1 WHERE profile_id = ?").arg(QLatin1String(table)));
          del.addBindValue(localId);
          exec(del, "replacing the profile's data");
        }
        auto upd = prepare(QStringLiteral(
            "UPDATE main.profiles SET (name, role, class_id, password_salt, password_hash, password_iterations, "
            "roster_id, results_key) = (SELECT b.name, b.role, %1, b.password_salt, b.password_hash, "
            "b.password_iterations, b.roster_id, b.results_key FROM bk.profiles b) "
            "WHERE id = ?")
                               .arg(classOf));
        upd.addBindValue(localId);
        exec(upd, "restoring the profile");
      } else {
        execSql(QStringLiteral("INSERT INTO main.profiles (uuid, name, role, class_id, password_salt, password_hash, "
                               "password_iterations, created_at, roster_id, results_key) SELECT b.uuid, b.name, b.role, "
                               "%1, b.password_salt, b.password_hash, b.password_iterations, b.created_at, b.roster_id, "
                               "b.results_key FROM bk.profiles b")
                    .arg(classOf),
                "restoring the profile");
        localId = profileByUuid(backupUuid)->id;
      }
      const QString setOf = QStringLiteral(
          "(SELECT m.id FROM main.problem_sets m JOIN bk.problem_sets s ON s.uuid = m.uuid WHERE s.id = b.set_id)");
      const QStringList statements = {
          QStringLiteral("INSERT INTO main.assignments (set_id, profile_id, assigned_at) SELECT %1, :p, b.assigned_at "
                         "FROM bk.assignments b")
              .arg(setOf),
          QStringLiteral("INSERT INTO main.attempts (profile_id, problem_id, topic, difficulty, answer, correct, "
                         "millis_taken, hints_used, set_id, created_at, grade_override, explanations_used, "
                         "questions_asked, model_solution_viewed, reference_solution_viewed) SELECT :p, b.problem_id, "
                         "b.topic, b.difficulty, b.answer, b.correct, b.millis_taken, b.hints_used, %1, b.created_at, "
                         "b.grade_override, b.explanations_used, b.questions_asked, b.model_solution_viewed, "
                         "b.reference_solution_viewed FROM bk.attempts b ORDER BY b.id")
              .arg(setOf),
          QStringLiteral(
              "INSERT INTO main.solutions (profile_id, problem_id, mode, model, thinking, text, steps, "
              "thinking_end_token, final_answer, correct, token_count, tokens_per_second, cancelled, trace, "
              "trace_layers, trace_experts, token_ids, token_ends, created_at, answer_removed, note) SELECT :p, "
              "problem_id, mode, model, thinking, text, steps, thinking_end_token, final_answer, correct, token_count, "
              "tokens_per_second, cancelled, trace, trace_layers, trace_experts, token_ids, token_ends, created_at, "
              "answer_removed, note FROM bk.solutions "
              "ORDER BY id"),
          QStringLiteral("INSERT INTO main.review_items (profile_id, problem_id, topic, box, due_at, lapses, "
                         "last_reviewed_at) SELECT :p, problem_id, topic, box, due_at, lapses, last_reviewed_at FROM "
                         "bk.review_items"),
      };
      for (const QString& sql : statements) {
        auto q = prepare(sql);
        q.bindValue(QStringLiteral(":p"), localId);
        exec(q, "restoring the profile's data");
      }
    });
  } catch (...) {
    QSqlQuery(db_).exec(QStringLiteral("DETACH DATABASE bk"));
    throw;
  }
  execSql(QStringLiteral("DETACH DATABASE bk"), "closing the backup file");
  return localId;
}

}  // namespace zaya::app
