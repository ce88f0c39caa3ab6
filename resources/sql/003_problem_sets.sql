-- v3: problem sets, assignments, imported results, per-set attempts, grade overrides.
-- Never edit a released step: add a new file (storage/migrations.h).

CREATE TABLE problem_sets (
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
               created_at INTEGER NOT NULL);

-- Serves setsOfClass(): WHERE class_id = ? ORDER BY created_at; and the cascade from classes.
CREATE INDEX problem_sets_by_class ON problem_sets(class_id, created_at);

-- The primary key serves assign()'s upsert.
CREATE TABLE assignments (
               set_id INTEGER NOT NULL REFERENCES problem_sets(id) ON DELETE CASCADE,
               profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
               assigned_at INTEGER NOT NULL,
               PRIMARY KEY (set_id, profile_id));

-- Serves assignedSets(): … JOIN assignments a … WHERE a.profile_id = ?; and the cascade from profiles.
CREATE INDEX assignments_by_profile ON assignments(profile_id);

CREATE TABLE imported_results (
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
               imported_at INTEGER NOT NULL);

-- Serves importedResults(): WHERE class_id = ? AND set_uuid = ?; replaceImportedResults()'s
-- DELETE … WHERE class_id = ? AND set_uuid = ? AND student_uuid = ?; the cascade from classes.
CREATE INDEX imported_results_by_set ON imported_results(class_id, set_uuid, student_uuid);

-- The set an attempt was made for, and the teacher's override of its grade.
ALTER TABLE attempts ADD COLUMN set_id INTEGER REFERENCES problem_sets(id) ON DELETE SET NULL;
ALTER TABLE attempts ADD COLUMN grade_override INTEGER CHECK (grade_override IN (0, 1));

-- Serves the ON DELETE SET NULL lookup when a problem set is deleted.
CREATE INDEX attempts_by_set ON attempts(set_id);
