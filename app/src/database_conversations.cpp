// Tutoring conversations: one per (profile, problem), a list of turns, each
// naming the solutions row that holds its reply (text, steps, routing trace
// and token ids), so a reopened conversation shows its expert views without a
// model. Schema: migration v6 in database.cpp.
#include <QDateTime>
#include <QSqlQuery>
#include <QVariant>

#include "database.h"

namespace zaya::app {

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

namespace {
// Text columns are NOT NULL: a null QString binds as ''.
QVariant text(const QString& s) { return s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s); }
}  // namespace

qint64 Database::conversationId(qint64 profileId, const QString& problemId) {
  // Index: the UNIQUE (profile_id, problem_id) of conversations.
  auto q = prepare(QStringLiteral("SELECT id FROM conversations WHERE profile_id = ? AND problem_id = ?"));
  q.addBindValue(profileId);
  q.addBindValue(text(problemId));
  exec(q, "finding a conversation");
  return q.next() ? q.value(0).toLongLong() : 0;
}

qint64 Database::saveConversationTurn(qint64 profileId, const QString& problemId, ConversationTurn& turn, Solution& reply) {
  write([&] {
    reply.profileId = profileId;
    reply.problemId = problemId;
    reply.id = insertSolution(reply);
    // Index: the UNIQUE (profile_id, problem_id) makes this a no-op after the first turn.
    auto create = prepare(QStringLiteral(
        "INSERT INTO conversations (profile_id, problem_id, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (profile_id, problem_id) DO NOTHING"));
    create.addBindValue(profileId);
    create.addBindValue(text(problemId));
    create.addBindValue(QDateTime::currentMSecsSinceEpoch());
    exec(create, "starting a conversation");
    const qint64 conversation = conversationId(profileId, problemId);
    auto q = prepare(QStringLiteral(
        "INSERT INTO conversation_turns (conversation_id, action, student_text, step, prompt, solution_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    turn.solutionId = reply.id;
    if (turn.createdAt == 0) turn.createdAt = QDateTime::currentMSecsSinceEpoch();
    q.addBindValue(conversation);
    q.addBindValue(tutorActionName(turn.action));
    q.addBindValue(text(turn.studentText));
    q.addBindValue(std::max(0, turn.step));
    q.addBindValue(text(turn.prompt));
    q.addBindValue(turn.solutionId);
    q.addBindValue(turn.createdAt);
    exec(q, "saving a conversation turn");
    turn.id = q.lastInsertId().toLongLong();
  });
  return turn.id;
}

QList<ConversationTurn> Database::conversationTurns(qint64 profileId, const QString& problemId) {
  // Indexes: conversations' UNIQUE (profile_id, problem_id), then
  // conversation_turns_by_conversation (conversation_id, id) for the order.
  auto q = prepare(QStringLiteral(
      "SELECT t.id, t.action, t.student_text, t.step, t.solution_id, t.created_at, t.prompt FROM conversation_turns t "
      "JOIN conversations c ON c.id = t.conversation_id WHERE c.profile_id = ? AND c.problem_id = ? ORDER BY t.id"));
  q.addBindValue(profileId);
  q.addBindValue(text(problemId));
  exec(q, "reading a conversation");
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
