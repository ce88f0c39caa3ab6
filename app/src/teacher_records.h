// MACs over the teacher's records: classes, roster entries, the teacher's
// problem sets and imported results. Each MAC is HMAC-SHA256 under the records
// key (AuthService::recordsKey, derived from the teacher's password and never
// stored) over the row's canonical bytes: a compact JSON array of every
// column that means something to the teacher, in a fixed order.
//
// What it proves: a row whose MAC verifies was last written by someone who
// knew the teacher's password. An edit made with SQLite, or a password hash
// replaced by a valid one of another password, leaves MACs that fail, and the
// screens show those rows as tampered. What it cannot stop: anyone with the
// same computer account can delete rows or replace the whole file with an
// older copy; those show as missing data, not as valid forged rows.
#pragma once

#include <QByteArray>

#include "database.h"

namespace zaya::app::teacher_records {

QByteArray canonical(const ClassInfo& c);
QByteArray canonical(const Profile& p);
QByteArray canonical(const ProblemSet& s);
QByteArray canonical(const ImportedResult& r);

template <class Row>
QByteArray mac(const QByteArray& key, const Row& row);

// True when the row's MAC verifies under `key`.
template <class Row>
bool verifies(const QByteArray& key, const Row& row) {
  return !row.recordMac.isEmpty() && row.recordMac == mac(key, row);
}

// Which of the teacher's rows are theirs to sign: every class, roster entry,
// set with a class and imported result.
struct Counts {
  int signedNow = 0;  // rows signed by this call
  int tampered = 0;   // rows whose MAC fails
};

// Signs rows without a MAC when this database has never been signed before
// (the first teacher sign-in after the upgrade), and counts the rows whose
// MAC fails. Marks the database as signed with a setting that carries its own
// MAC, so later unsigned rows count as tampered.
Counts signAndCount(Database& db, const QByteArray& key);

// Re-signs every row that verifies under oldKey with newKey (a password
// change); tampered rows stay tampered.
void resign(Database& db, const QByteArray& oldKey, const QByteArray& newKey);

// Signs one row just written by the teacher.
void sign(Database& db, const QByteArray& key, const ClassInfo& c);
void sign(Database& db, const QByteArray& key, const Profile& p);
void sign(Database& db, const QByteArray& key, const ProblemSet& s);
void sign(Database& db, const QByteArray& key, const ImportedResult& r);

// The time (ms since epoch) the records were first signed; 0 when never or
// when the marker does not verify.
qint64 signedSince(Database& db, const QByteArray& key);

}  // namespace zaya::app::teacher_records
