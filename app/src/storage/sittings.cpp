// Timed sittings and their answers. Schema: v9 (resources/sql/009_sittings.sql).
// sittings() and openSitting() use sittings_by_profile; every answer read and
// write uses sitting_answers' primary key (sitting_id, position).
#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

QString sittingKindName(SittingKind kind) {
  switch (kind) {
    case SittingKind::Aime: return QStringLiteral("aime");
    case SittingKind::Sat: return QStringLiteral("sat");
    case SittingKind::Set: return QStringLiteral("set");
  }
  return QStringLiteral("aime");
}

std::optional<SittingKind> sittingKindFromName(const QString& name) {
  for (SittingKind k : {SittingKind::Aime, SittingKind::Sat, SittingKind::Set})
    if (sittingKindName(k) == name) return k;
  return std::nullopt;
}

namespace {

const char* kSittingColumns =
    "id, profile_id, kind, paper, title, set_id, seed, standard_ms, multiplier, time_limit_ms, elapsed_ms, "
    "started_at, ended_at, end_reason, score, note";

Sitting readSitting(const QSqlQuery& q) {
  Sitting s;
  s.id = q.value(0).toLongLong();
  s.profileId = q.value(1).toLongLong();
  s.kind = sittingKindFromName(q.value(2).toString()).value_or(SittingKind::Aime);  // CHECKed by the schema
  s.paper = q.value(3).toString();
  s.title = q.value(4).toString();
  s.setId = storage::optionalInt(q.value(5));
  s.seed = storage::optionalInt(q.value(6));
  s.standardMs = q.value(7).toLongLong();
  s.multiplier = q.value(8).toDouble();
  s.timeLimitMs = q.value(9).toLongLong();
  s.elapsedMs = q.value(10).toLongLong();
  s.startedAt = q.value(11).toLongLong();
  s.endedAt = storage::optionalInt(q.value(12));
  s.endReason = q.value(13).toString();
  if (const auto score = storage::optionalInt(q.value(14))) s.score = int(*score);
  s.note = q.value(15).toString();
  return s;
}

SittingAnswer readAnswer(const QSqlQuery& q) {
  SittingAnswer a;
  a.position = q.value(0).toInt();
  a.problemId = q.value(1).toString();
  a.answer = q.value(2).toString();
  a.flagged = q.value(3).toBool();
  a.millisSpent = q.value(4).toLongLong();
  a.correct = storage::optionalBool(q.value(5));
  a.updatedAt = q.value(6).toLongLong();
  return a;
}

QString sittingsWhere(const char* rest) {
  return QStringLiteral("SELECT %1 FROM sittings %2").arg(QLatin1String(kSittingColumns), QLatin1String(rest));
}

}  // namespace

qint64 Database::insertSitting(const Sitting& s) {
  qint64 id = 0;
  write([&] {
    id = query(db_,
               QStringLiteral("INSERT INTO sittings (profile_id, kind, paper, title, set_id, seed, standard_ms, "
                              "multiplier, time_limit_ms, elapsed_ms, started_at, note) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
               {s.profileId, sittingKindName(s.kind), s.paper, s.title, s.setId, s.seed, s.standardMs, s.multiplier,
                s.timeLimitMs, s.elapsedMs, s.startedAt, s.note},
               "starting a timed sitting")
             .insertedId();
    storage::Statement insert(db_,
                              QStringLiteral("INSERT INTO sitting_answers (sitting_id, position, problem_id) "
                                             "VALUES (?, ?, ?)"),
                              "starting a timed sitting");
    for (const auto& a : s.answers) insert.bind({id, a.position, a.problemId}).run();
  });
  return id;
}

std::optional<Sitting> Database::sitting(qint64 id) {
  auto s = query(db_, sittingsWhere("WHERE id = ?"), {id}, "reading a timed sitting").row(readSitting);
  if (s)
    s->answers = query(db_,
                       QStringLiteral("SELECT position, problem_id, answer, flagged, millis_spent, correct, updated_at "
                                      "FROM sitting_answers WHERE sitting_id = ? ORDER BY position"),
                       {id}, "reading a timed sitting's answers")
                     .rows(readAnswer);
  return s;
}

std::optional<Sitting> Database::openSitting(qint64 profileId) {
  const auto open = query(db_, sittingsWhere("WHERE profile_id = ? AND ended_at IS NULL ORDER BY started_at DESC"),
                          {profileId}, "reading the running sitting")
                        .row(readSitting);
  return open ? sitting(open->id) : std::nullopt;
}

QList<Sitting> Database::sittings(qint64 profileId) {
  QList<Sitting> out;
  const auto ids = query(db_, QStringLiteral("SELECT id FROM sittings WHERE profile_id = ? ORDER BY started_at DESC, id DESC"),
                         {profileId}, "listing timed sittings")
                       .rows([](const QSqlQuery& q) { return q.value(0).toLongLong(); });
  for (qint64 id : ids)
    if (auto s = sitting(id)) out << *s;
  return out;
}

void Database::saveSittingAnswer(qint64 sittingId, int position, const QString& answer, bool flagged, qint64 now) {
  write([&] {
    query(db_,
          QStringLiteral("UPDATE sitting_answers SET answer = ?, flagged = ?, updated_at = ? "
                         "WHERE sitting_id = ? AND position = ?"),
          {answer, flagged, now, sittingId, position}, "saving an answer of a timed sitting");
  });
}

void Database::saveSittingClock(qint64 sittingId, qint64 elapsedMs, int position, qint64 millisSpent) {
  write([&] {
    query(db_, QStringLiteral("UPDATE sittings SET elapsed_ms = ? WHERE id = ?"), {elapsedMs, sittingId},
          "saving the clock of a timed sitting");
    query(db_, QStringLiteral("UPDATE sitting_answers SET millis_spent = ? WHERE sitting_id = ? AND position = ?"),
          {millisSpent, sittingId, position}, "saving the clock of a timed sitting");
  });
}

void Database::finishSitting(qint64 sittingId, qint64 endedAt, const QString& reason, qint64 elapsedMs, int score,
                             const QList<std::pair<int, bool>>& verdicts) {
  write([&] {
    query(db_,
          QStringLiteral("UPDATE sittings SET ended_at = ?, end_reason = ?, elapsed_ms = ?, score = ? WHERE id = ?"),
          {endedAt, reason, elapsedMs, score, sittingId}, "scoring a timed sitting");
    storage::Statement mark(db_,
                            QStringLiteral("UPDATE sitting_answers SET correct = ? WHERE sitting_id = ? AND position = ?"),
                            "scoring a timed sitting");
    for (const auto& [position, correct] : verdicts) mark.bind({correct, sittingId, position}).run();
  });
}

}  // namespace zaya::app
