-- v6: one tutoring conversation per (profile, problem); each turn names the
-- solutions row of its reply. Solutions say when a hint was cut.
-- Never edit a released step: add a new file (storage/migrations.h).

-- The UNIQUE index serves conversationId(), conversationTurns()'s join, the insert in
-- saveConversationTurn(), and the cascade from profiles.
CREATE TABLE conversations (
               id INTEGER PRIMARY KEY,
               profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
               problem_id TEXT NOT NULL,
               created_at INTEGER NOT NULL,
               UNIQUE (profile_id, problem_id));

CREATE TABLE conversation_turns (
               id INTEGER PRIMARY KEY,
               conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
               action TEXT NOT NULL CHECK (action IN ('hint', 'solution', 'explain', 'question', 'check-working')),
               student_text TEXT NOT NULL,
               step INTEGER NOT NULL CHECK (step >= 0),
               prompt TEXT NOT NULL,
               solution_id INTEGER REFERENCES solutions(id) ON DELETE SET NULL,
               created_at INTEGER NOT NULL);

-- Serves conversationTurns(): WHERE conversation_id = ? ORDER BY id; and the cascade from conversations.
CREATE INDEX conversation_turns_by_conversation ON conversation_turns(conversation_id, id);

-- Serves the ON DELETE SET NULL lookup when a solution is deleted (restoreProfile() replaces them).
CREATE INDEX conversation_turns_by_solution ON conversation_turns(solution_id);

-- A hint whose answer was cut out, and why.
ALTER TABLE solutions ADD COLUMN answer_removed INTEGER NOT NULL DEFAULT 0 CHECK (answer_removed IN (0, 1));
ALTER TABLE solutions ADD COLUMN note TEXT NOT NULL DEFAULT '';
