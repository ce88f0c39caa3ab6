-- v9: timed sittings (docs/app-core.md, "Mock contests"): a past AIME paper,
-- a SAT-style module or a timed set, sat under contest rules, and each of its
-- answers as the student left it.
-- Never edit a released step: add a new file (storage/migrations.h).

CREATE TABLE sittings (
               id INTEGER PRIMARY KEY,
               profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
               kind TEXT NOT NULL CHECK (kind IN ('aime', 'sat', 'set')),
               paper TEXT NOT NULL,          -- AIME paper key, 'sat', or the set's uuid
               title TEXT NOT NULL,
               set_id INTEGER REFERENCES problem_sets(id) ON DELETE SET NULL,
               seed INTEGER,                 -- SAT modules: the seed they were drawn with
               standard_ms INTEGER NOT NULL CHECK (standard_ms > 0),  -- the time before extended time
               multiplier REAL NOT NULL DEFAULT 1 CHECK (multiplier >= 1 AND multiplier <= 4),
               time_limit_ms INTEGER NOT NULL CHECK (time_limit_ms > 0),
               elapsed_ms INTEGER NOT NULL DEFAULT 0 CHECK (elapsed_ms >= 0),
               started_at INTEGER NOT NULL,
               ended_at INTEGER,             -- NULL while the sitting runs
               end_reason TEXT CHECK (end_reason IS NULL OR end_reason IN ('submitted', 'time')),
               score INTEGER,
               note TEXT NOT NULL DEFAULT '');

-- Serves sittings() (a profile's sittings, newest first), openSitting()
-- (WHERE profile_id = ? AND ended_at IS NULL), and the cascade from profiles.
CREATE INDEX sittings_by_profile ON sittings(profile_id, started_at);

-- Serves the ON DELETE SET NULL lookup when a set is deleted.
CREATE INDEX sittings_by_set ON sittings(set_id);

-- One row per problem of a sitting, in paper order. The primary key serves
-- every read and write (all by sitting, or by sitting and position) and the
-- cascade from sittings.
CREATE TABLE sitting_answers (
               sitting_id INTEGER NOT NULL REFERENCES sittings(id) ON DELETE CASCADE,
               position INTEGER NOT NULL CHECK (position >= 0),
               problem_id TEXT NOT NULL,
               answer TEXT NOT NULL DEFAULT '',
               flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
               millis_spent INTEGER NOT NULL DEFAULT 0 CHECK (millis_spent >= 0),
               correct INTEGER CHECK (correct IS NULL OR correct IN (0, 1)),  -- NULL until scored
               updated_at INTEGER NOT NULL DEFAULT 0,
               PRIMARY KEY (sitting_id, position)) WITHOUT ROWID;
