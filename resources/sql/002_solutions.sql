-- v2: generated solutions with their routing traces.
-- Never edit a released step: add a new file (storage/migrations.h).

CREATE TABLE solutions (
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
               created_at INTEGER NOT NULL);

-- Serves solutionsFor(): WHERE profile_id = ? AND problem_id = ? ORDER BY created_at DESC;
-- and the ON DELETE CASCADE from profiles.
CREATE INDEX solutions_by_profile_problem ON solutions(profile_id, problem_id, created_at);
