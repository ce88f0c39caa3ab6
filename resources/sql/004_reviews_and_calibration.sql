-- v4: review schedule and expert calibration.
-- Never edit a released step: add a new file (storage/migrations.h).

-- The primary key serves review(), upsertReview(), removeReview(), reviews() and the cascade
-- from profiles.
CREATE TABLE review_items (
               profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
               problem_id TEXT NOT NULL,
               topic TEXT NOT NULL,
               box INTEGER NOT NULL CHECK (box BETWEEN 1 AND 5),
               due_at INTEGER NOT NULL,
               lapses INTEGER NOT NULL,
               last_reviewed_at INTEGER NOT NULL,
               PRIMARY KEY (profile_id, problem_id));

-- Serves dueReviews(): WHERE profile_id = ? AND due_at <= ? ORDER BY due_at.
CREATE INDEX review_items_due ON review_items(profile_id, due_at);

-- The primary key serves calibratedProblems() and calibrationTokens().
CREATE TABLE calibration_runs (
               model_id TEXT NOT NULL,
               problem_id TEXT NOT NULL,
               topic TEXT NOT NULL,
               tokens INTEGER NOT NULL,
               done_at INTEGER NOT NULL,
               PRIMARY KEY (model_id, problem_id));

-- The primary key serves the upsert in addCalibrationSample() and calibrationCells().
CREATE TABLE calibration_counts (
               model_id TEXT NOT NULL,
               topic TEXT NOT NULL,
               layer INTEGER NOT NULL,
               expert INTEGER NOT NULL,
               count INTEGER NOT NULL,
               PRIMARY KEY (model_id, topic, layer, expert));
