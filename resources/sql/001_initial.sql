-- v1: profiles, classes, attempts, settings.
-- Never edit a released step: add a new file (storage/migrations.h).

CREATE TABLE classes (
               id INTEGER PRIMARY KEY,
               uuid TEXT NOT NULL UNIQUE,            -- UNIQUE index serves classByUuid()
               name TEXT NOT NULL,
               hmac_key BLOB NOT NULL CHECK (length(hmac_key) >= 32),
               created_at INTEGER NOT NULL);

CREATE TABLE profiles (
               id INTEGER PRIMARY KEY,
               uuid TEXT NOT NULL UNIQUE,            -- UNIQUE index serves profileByUuid()
               name TEXT NOT NULL,
               role TEXT NOT NULL CHECK (role IN ('student', 'teacher')),
               class_id INTEGER REFERENCES classes(id) ON DELETE SET NULL,
               password_salt BLOB,
               password_hash BLOB,
               password_iterations INTEGER,
               created_at INTEGER NOT NULL);

-- Serves classMembers(): SELECT … FROM profiles WHERE class_id = ? ORDER BY name;
-- also the ON DELETE SET NULL lookup when a class is deleted.
CREATE INDEX profiles_by_class ON profiles(class_id);

CREATE TABLE attempts (
               id INTEGER PRIMARY KEY,
               profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
               problem_id TEXT NOT NULL,
               topic TEXT NOT NULL,
               difficulty INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
               answer TEXT NOT NULL,
               correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
               millis_taken INTEGER NOT NULL CHECK (millis_taken >= 0),
               hints_used INTEGER NOT NULL CHECK (hints_used >= 0),
               created_at INTEGER NOT NULL);

-- Serves attempts(): WHERE profile_id = ? AND created_at >= ? ORDER BY created_at, id;
-- attemptCount(): WHERE profile_id = ?; and the ON DELETE CASCADE from profiles.
CREATE INDEX attempts_by_profile_time ON attempts(profile_id, created_at);

CREATE TABLE settings (
               key TEXT PRIMARY KEY,                 -- primary key serves setting()
               value TEXT NOT NULL);
