// Tutoring conversations: one per (profile, problem), a list of turns, each
// naming the solutions row that holds its reply (text, steps, routing trace
// and token ids), so a reopened conversation shows its expert views without a
// model. Schema: v6 (resources/sql/006_conversations.sql).
#include <QDateTime>

#include <algorithm>

#include "database.h"
#include "storage/statement.h"

namespace zaya::app {

using storage::query;

QString tutorActionName(TutorAction action) {
  switch (action) {
    case TutorAction::Hint: return QStringLiteral("hint");
    case TutorAction::Solution: return QStringLiteral("solution");
    case TutorAction::Explain: return QStringLiteral("explain");
    case TutorAction::Question: return QStringLiteral("question");
    case TutorAction::CheckWorking: return QStringLiteral("check-working");
  }
  return {};
}

std::optional<TutorAction> tutorActionFromName(const QString& name) {
  for (TutorAction a : {TutorAction::Hint, TutorAction::Solution, TutorAction::Explain, TutorAction::Question,
                        TutorAction::CheckWorking})
    if (tutorActionName(a) == name) return a;
  return std::nullopt;
}

qint64 Database::conversationId(qint64 profileId, const QString& problemId) {
  // Index: the UNIQUE (profile_id, problem_id) of conversations.
  auto q = query(db_, QStringLiteral("SELECT id FROM conversations WHERE profile_id = ? AND problem_id = ?"),
                 {profileId, problemId}, "finding a conversation");
  return q.next() ? q.value(0).toLongLong() : 0;
}

qint64 Database::saveConversationTurn(qint64 profileId, const QString& problemId, ConversationTurn& turn, Solution& reply) {
  write([&] {
    reply.profileId = profileId;
    reply.problemId = problemId;
    reply.id = insertSolution(reply);
    // Index: the UNIQUE (profile_id, problem_id) makes this a no-op after the first turn.
    query(db_,
          QStringLiteral("INSERT INTO conversations (profile_id, problem_id, created_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (profile_id, problem_id) DO NOTHING"),
          {profileId, problemId, QDateTime::currentMSecsSinceEpoch()}, "starting a conversation");
    const qint64 conversation = conversationId(profileId, problemId);
    turn.solutionId = reply.id;
    if (turn.createdAt == 0) turn.createdAt = QDateTime::currentMSecsSinceEpoch();
    turn.id = query(db_,
                    QStringLiteral("INSERT INTO conversation_turns (conversation_id, action, student_text, step, prompt, "
                                   "solution_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                    {conversation, tutorActionName(turn.action), turn.studentText, std::max(0, turn.step), turn.prompt,
                     turn.solutionId, turn.createdAt},
                    "saving a conversation turn")
                  .insertedId();
  });
  return turn.id;
}

QList<ConversationTurn> Database::conversationTurns(qint64 profileId, const QString& problemId) {
  // Indexes: conversations' UNIQUE (profile_id, problem_id), then
  // conversation_turns_by_conversation (conversation_id, id) for the order.
  auto q = query(db_,
                 QStringLiteral("SELECT t.id, t.action, t.student_text, t.step, t.solution_id, t.created_at, t.prompt "
                                "FROM conversation_turns t JOIN conversations c ON c.id = t.conversation_id "
                                "WHERE c.profile_id = ? AND c.problem_id = ? ORDER BY t.id"),
                 {profileId, problemId}, "reading a conversation");
  QList<ConversationTurn> out;
  while (q.next()) {
    const auto action = tutorActionFromName(q.value(1).toString());
    if (!action) continue;  // the CHECK constraint admits only known names
    ConversationTurn t;
    t.id = q.value(0).toLongLong();
    t.action = *action;
    t.studentText = q.value(2).toString();
    t.step = q.value(3).toInt();
    t.solutionId = q.value(4).isNull() ? 0 : q.value(4).toLongLong();
    t.createdAt = q.value(5).toLongLong();
    t.prompt = q.value(6).toString();
    out << t;
  }
  return out;
}

}  // namespace zaya::app
