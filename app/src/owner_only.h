// Owner-only modes for the data folder (0700) and the database files (0600):
// the database holds answers and class keys, and other accounts on a shared
// computer must not read them.
#pragma once

#include <QString>

namespace zaya::app {

// Creates the folder (and missing parents) with mode 0700; true when it exists afterwards.
bool makeOwnerOnlyFolder(const QString& dir);
// Takes the group and other bits off an existing folder (best effort: a read-only mount keeps its mode).
void restrictFolder(const QString& dir);
// Creates an empty file with mode 0600 (no-op when it exists; failures are left to the opener).
void createOwnerOnlyFile(const QString& path);
// Sets the file and its SQLite companions (-wal, -shm, -journal) that exist to 0600 (best effort).
void makeOwnerOnly(const QString& path);

}  // namespace zaya::app
