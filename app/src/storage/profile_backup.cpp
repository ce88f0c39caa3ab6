// Backup and restore of one profile.
//
// The backup is itself a ZAYA Tutor database (same schema, migrated forward
// when an older backup is restored) holding one profile. Rows are copied
// between the two files with ATTACH, remapping row ids through uuids.
#include <QDir>
#include <QFileInfo>
#include <QSqlQuery>

#include <memory>

#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

namespace {

// Runs each statement with :p bound to the profile's id.
void runForProfile(storage::Connection& db, const QStringList& statements, qint64 profileId, const char* what) {
  for (const QString& sql : statements) storage::Statement(db, sql, what).bind(QStringLiteral(":p"), profileId).run();
}

}  // namespace

void Database::backupProfile(qint64 profileId, const QString& file) {
  const auto p = profile(profileId);
  if (!p) throw AppError(AppError::Kind::NotFound, QStringLiteral("No profile with id %1.").arg(profileId));
  if (QFileInfo::exists(file))
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("%1 already exists; choose a new file for the backup.").arg(QDir::toNativeSeparators(file)));
  { Database target(file); }  // creates the schema
  query(db_, QStringLiteral("ATTACH DATABASE ? AS bk"), {file}, "opening the backup file");
  try {
    write([&] {
      runForProfile(
          db_,
          {
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
          },
          profileId, "writing the backup");
    });
  } catch (...) {
    query(db_, QStringLiteral("DETACH DATABASE bk"), {}, "closing the backup file");
    QFile::remove(file);
    throw;
  }
  query(db_, QStringLiteral("DETACH DATABASE bk"), {}, "closing the backup file");
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
  query(db_, QStringLiteral("ATTACH DATABASE ? AS bk"), {file}, "opening the backup file");
  qint64 localId = 0;
  try {
    write([&] {
      // Classes and sets are matched by uuid; new ones are added.
      query(db_,
            QStringLiteral("INSERT INTO main.classes (uuid, name, hmac_key, created_at) SELECT uuid, name, hmac_key, "
                           "created_at FROM bk.classes WHERE uuid NOT IN (SELECT uuid FROM main.classes)"),
            {}, "restoring the class");
      query(db_,
            QStringLiteral(
                "INSERT INTO main.problem_sets (uuid, class_id, class_uuid, title, problem_ids, due_at, allow_hints, "
                "allow_solutions, created_at, file_json, allow_reference) SELECT b.uuid, (SELECT m.id FROM main.classes m "
                "JOIN bk.classes c ON c.uuid = m.uuid WHERE c.id = b.class_id), b.class_uuid, b.title, b.problem_ids, "
                "b.due_at, b.allow_hints, b.allow_solutions, b.created_at, b.file_json, b.allow_reference "
                "FROM bk.problem_sets b WHERE b.uuid NOT IN (SELECT uuid FROM main.problem_sets)"),
            {}, "restoring problem sets");
      const QString classOf = QStringLiteral(
          "(SELECT m.id FROM main.classes m JOIN bk.classes c ON c.uuid = m.uuid WHERE c.id = b.class_id)");
      if (auto existing = profileByUuid(backupUuid)) {
        localId = existing->id;
        // Conversations are not part of a backup yet: the restored profile starts them afresh.
        for (const char* table : {"conversations", "attempts", "solutions", "review_items", "assignments"})
          query(db_, QStringLiteral("DELETE FROM main.%1 WHERE profile_id = ?").arg(QLatin1String(table)), {localId},
                "replacing the profile's data");
        query(db_,
              QStringLiteral("UPDATE main.profiles SET (name, role, class_id, password_salt, password_hash, "
                             "password_iterations, roster_id, results_key) = (SELECT b.name, b.role, %1, "
                             "b.password_salt, b.password_hash, b.password_iterations, b.roster_id, b.results_key "
                             "FROM bk.profiles b) WHERE id = ?")
                  .arg(classOf),
              {localId}, "restoring the profile");
      } else {
        query(db_,
              QStringLiteral("INSERT INTO main.profiles (uuid, name, role, class_id, password_salt, password_hash, "
                             "password_iterations, created_at, roster_id, results_key) SELECT b.uuid, b.name, b.role, "
                             "%1, b.password_salt, b.password_hash, b.password_iterations, b.created_at, b.roster_id, "
                             "b.results_key FROM bk.profiles b")
                  .arg(classOf),
              {}, "restoring the profile");
        localId = profileByUuid(backupUuid)->id;
      }
      const QString setOf = QStringLiteral(
          "(SELECT m.id FROM main.problem_sets m JOIN bk.problem_sets s ON s.uuid = m.uuid WHERE s.id = b.set_id)");
      runForProfile(
          db_,
          {
              QStringLiteral("INSERT INTO main.assignments (set_id, profile_id, assigned_at) SELECT %1, :p, "
                             "b.assigned_at FROM bk.assignments b")
                  .arg(setOf),
              QStringLiteral("INSERT INTO main.attempts (profile_id, problem_id, topic, difficulty, answer, correct, "
                             "millis_taken, hints_used, set_id, created_at, grade_override, explanations_used, "
                             "questions_asked, model_solution_viewed, reference_solution_viewed) SELECT :p, "
                             "b.problem_id, b.topic, b.difficulty, b.answer, b.correct, b.millis_taken, b.hints_used, "
                             "%1, b.created_at, b.grade_override, b.explanations_used, b.questions_asked, "
                             "b.model_solution_viewed, b.reference_solution_viewed FROM bk.attempts b ORDER BY b.id")
                  .arg(setOf),
              QStringLiteral("INSERT INTO main.solutions (profile_id, problem_id, mode, model, thinking, text, steps, "
                             "thinking_end_token, final_answer, correct, token_count, tokens_per_second, cancelled, "
                             "trace, trace_layers, trace_experts, token_ids, token_ends, created_at, answer_removed, "
                             "note) SELECT :p, problem_id, mode, model, thinking, text, steps, thinking_end_token, "
                             "final_answer, correct, token_count, tokens_per_second, cancelled, trace, trace_layers, "
                             "trace_experts, token_ids, token_ends, created_at, answer_removed, note FROM bk.solutions "
                             "ORDER BY id"),
              QStringLiteral("INSERT INTO main.review_items (profile_id, problem_id, topic, box, due_at, lapses, "
                             "last_reviewed_at) SELECT :p, problem_id, topic, box, due_at, lapses, last_reviewed_at "
                             "FROM bk.review_items"),
          },
          localId, "restoring the profile's data");
    });
  } catch (...) {
    // Best effort: the error that got here is the one to report.
    QSqlQuery(db_.handle()).exec(QStringLiteral("DETACH DATABASE bk"));
    throw;
  }
  query(db_, QStringLiteral("DETACH DATABASE bk"), {}, "closing the backup file");
  return localId;
}

}  // namespace zaya::app
