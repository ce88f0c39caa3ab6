-- v7: the help used before each attempt (attempt_tracker.h): counts of
-- explanations and questions, and whether a model or the reference solution
-- was seen. Older rows get zeros: nothing was recorded then.
-- Never edit a released step: add a new file (storage/migrations.h).

ALTER TABLE attempts ADD COLUMN explanations_used INTEGER NOT NULL DEFAULT 0 CHECK (explanations_used >= 0);
ALTER TABLE attempts ADD COLUMN questions_asked INTEGER NOT NULL DEFAULT 0 CHECK (questions_asked >= 0);
ALTER TABLE attempts ADD COLUMN model_solution_viewed INTEGER NOT NULL DEFAULT 0 CHECK (model_solution_viewed IN (0, 1));
ALTER TABLE attempts ADD COLUMN reference_solution_viewed INTEGER NOT NULL DEFAULT 0 CHECK (reference_solution_viewed IN (0, 1));
