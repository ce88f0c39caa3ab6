-- v5: the progress screen lists a student's generated solutions over all problems.
-- Never edit a released step: add a new file (storage/migrations.h).

-- Serves recentSolutions(): WHERE profile_id = ? ORDER BY created_at DESC LIMIT ?
-- (solutions_by_profile_problem has problem_id between the two).
CREATE INDEX solutions_by_profile_time ON solutions(profile_id, created_at);
