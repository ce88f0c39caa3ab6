// The schema as forward steps: resources/sql/NNN_name.sql takes a database
// from user_version NNN-1 to NNN. Each step runs in its own transaction
// together with the new user_version, so an interrupted upgrade leaves the
// file at the last whole step. Never edit a released step: add a new file.
// SQLite stores each CREATE as written, so a step's text is part of the
// schema: the files keep the layout the statements always had.
//
// Every step so far is plain SQL. A step that must rewrite data in C++ would
// run right after its file, from the runner, keyed by the same version.
#pragma once

#include "storage/connection.h"

namespace zaya::app::storage {

// PRAGMA user_version.
int schemaVersion(Connection& db);

// The number of steps the app carries (the newest version it knows).
int knownSchemaVersion();

// Runs the missing steps up to `targetVersion` (capped at the newest known).
// A file from a newer app is refused as Corrupt ("update the app").
void migrate(Connection& db, int targetVersion);

}  // namespace zaya::app::storage
