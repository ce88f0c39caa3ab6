-- v8: classrooms a school can run on (docs/app-core.md, "Classroom").
-- Roster ids and per-student keys, the teacher's re-graded verdict beside the
-- one a results file claims, every kind of help a results file carries, the
-- reference-solution rule of a set, and a MAC on each teacher record (made
-- with a key derived from the teacher's password, never stored).
-- Never edit a released step: add a new file (storage/migrations.h).

ALTER TABLE profiles ADD COLUMN roster_id TEXT;
ALTER TABLE profiles ADD COLUMN results_key BLOB CHECK (results_key IS NULL OR length(results_key) = 32);
ALTER TABLE profiles ADD COLUMN record_mac BLOB;

-- A teacher's roster entry (a student of the teacher's class, not someone
-- who practises on this computer). Before v8 those were the students of a
-- class on a computer that has a teacher.
ALTER TABLE profiles ADD COLUMN roster INTEGER NOT NULL DEFAULT 0 CHECK (roster IN (0, 1));
UPDATE profiles SET roster = 1
  WHERE role = 'student' AND class_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM profiles t WHERE t.role = 'teacher');

ALTER TABLE classes ADD COLUMN record_mac BLOB;
ALTER TABLE problem_sets ADD COLUMN allow_reference INTEGER NOT NULL DEFAULT 1 CHECK (allow_reference IN (0, 1));
ALTER TABLE problem_sets ADD COLUMN record_mac BLOB;
ALTER TABLE imported_results ADD COLUMN first_answer TEXT NOT NULL DEFAULT '';
ALTER TABLE imported_results ADD COLUMN claimed_correct INTEGER NOT NULL DEFAULT 0 CHECK (claimed_correct IN (0, 1));
ALTER TABLE imported_results ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 0);
ALTER TABLE imported_results ADD COLUMN explanations_used INTEGER NOT NULL DEFAULT 0 CHECK (explanations_used >= 0);
ALTER TABLE imported_results ADD COLUMN questions_asked INTEGER NOT NULL DEFAULT 0 CHECK (questions_asked >= 0);
ALTER TABLE imported_results ADD COLUMN model_solution_viewed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imported_results ADD COLUMN reference_solution_viewed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imported_results ADD COLUMN help_after_due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imported_results ADD COLUMN record_mac BLOB;

-- Old imported rows claimed what they show.
UPDATE imported_results SET claimed_correct = correct, first_answer = answer;
