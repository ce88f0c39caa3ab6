// Generated solutions: the model's text, its steps, and the routing trace and
// token ids the expert views are drawn from. Schema: v2, v5 and v6
// (resources/sql/); solutionsFor() uses solutions_by_profile_problem,
// recentSolutions() solutions_by_profile_time.
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

namespace {

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

// Everything but the blobs, which only solution() loads (columns 19–21).
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
  s.correct = storage::optionalBool(q.value(10));
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

Solution readSolutionWithBlobs(const QSqlQuery& q) {
  Solution s = readSolution(q);
  s.trace = q.value(19).toByteArray();
  s.tokenIds = q.value(20).toByteArray();
  s.tokenEnds = q.value(21).toByteArray();
  return s;
}

}  // namespace

qint64 Database::insertSolution(const Solution& s) {
  qint64 id = 0;
  write([&] {
    id = query(db_,
               QStringLiteral("INSERT INTO solutions (profile_id, problem_id, mode, model, thinking, text, steps, "
                              "thinking_end_token, final_answer, correct, token_count, tokens_per_second, cancelled, "
                              "trace, trace_layers, trace_experts, token_ids, token_ends, created_at, answer_removed, "
                              "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
               {s.profileId, s.problemId, s.mode, s.model, s.thinking, s.text, stepsToJson(s.steps),
                s.thinkingEndToken, s.finalAnswer, s.correct, s.tokenCount, s.tokensPerSecond, s.cancelled, s.trace,
                s.traceLayers, s.traceExperts, s.tokenIds, s.tokenEnds,
                s.createdAt ? s.createdAt : QDateTime::currentMSecsSinceEpoch(), s.answerRemoved, s.note},
               "saving a solution")
             .insertedId();
  });
  return id;
}

std::optional<Solution> Database::solution(qint64 id) {
  return query(db_,
               QStringLiteral("SELECT %1, trace, token_ids, token_ends FROM solutions WHERE id = ?")
                   .arg(QLatin1String(kSolutionColumns)),
               {id}, "reading a solution")
      .row(readSolutionWithBlobs);
}

QList<Solution> Database::solutionsFor(qint64 profileId, const QString& problemId) {
  return query(db_,
               QStringLiteral("SELECT %1 FROM solutions WHERE profile_id = ? AND problem_id = ? "
                              "ORDER BY created_at DESC, id DESC")
                   .arg(QLatin1String(kSolutionColumns)),
               {profileId, problemId}, "listing solutions")
      .rows(readSolution);
}

QList<Solution> Database::recentSolutions(qint64 profileId, int limit) {
  return query(db_,
               QStringLiteral("SELECT %1 FROM solutions WHERE profile_id = ? ORDER BY created_at DESC, id DESC LIMIT ?")
                   .arg(QLatin1String(kSolutionColumns)),
               {profileId, std::max(0, limit)}, "listing recent solutions")
      .rows(readSolution);
}

QList<double> Database::recentSpeeds(const QString& modelPrefix, int minTokens, int limit) {
  // A scan, not an index: it runs once when the model manager shows a model,
  // over one row per answer this computer has generated (thousands at most).
  // substr, not LIKE: an exact, case-sensitive prefix with nothing to escape.
  return query(db_,
               QStringLiteral("SELECT tokens_per_second FROM solutions WHERE substr(model, 1, length(?)) = ? AND cancelled = 0 "
                              "AND token_count >= ? AND tokens_per_second > 0 ORDER BY created_at DESC, id DESC LIMIT ?"),
               {modelPrefix, modelPrefix, minTokens, std::max(0, limit)}, "reading answer speeds")
      .rows([](const QSqlQuery& q) { return q.value(0).toDouble(); });
}

}  // namespace zaya::app
