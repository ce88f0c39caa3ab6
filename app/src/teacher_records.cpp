#include "teacher_records.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>

namespace zaya::app::teacher_records {

namespace {

// Where the first signing is recorded: "<ms since epoch>:<hex MAC of that text>".
constexpr const char* kSignedSinceKey = "teacher.records_signed_since";

QByteArray bytes(const QJsonArray& fields) { return QJsonDocument(fields).toJson(QJsonDocument::Compact); }
QString hex(const QByteArray& b) { return QString::fromLatin1(b.toHex()); }
QByteArray hmac(const QByteArray& key, const QByteArray& message) {
  return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256);
}
QJsonValue optional(const std::optional<qint64>& v) { return v ? QJsonValue(double(*v)) : QJsonValue(); }

}  // namespace

QByteArray canonical(const ClassInfo& c) {
  return bytes({QStringLiteral("class"), double(c.id), c.uuid, c.name, hex(c.hmacKey), double(c.createdAt)});
}

QByteArray canonical(const Profile& p) {
  return bytes({QStringLiteral("roster"), double(p.id), p.uuid, p.name, roleName(p.role), optional(p.classId),
                hex(p.resultsKey), p.isRoster, double(p.createdAt)});
}

QByteArray canonical(const ProblemSet& s) {
  return bytes({QStringLiteral("set"), double(s.id), s.uuid, optional(s.classId), s.classUuid, s.title,
                QJsonArray::fromStringList(s.problemIds), optional(s.dueAt), s.allowHints, s.allowSolutions,
                s.allowReference, hex(QCryptographicHash::hash(s.fileJson, QCryptographicHash::Sha256)),
                double(s.createdAt)});
}

QByteArray canonical(const ImportedResult& r) {
  return bytes({QStringLiteral("result"), double(r.id), double(r.classId), r.setUuid, r.studentUuid, r.studentName,
                r.problemId, r.firstAnswer, r.answer, r.correct, r.claimedCorrect, double(r.millisTaken), r.hintsUsed,
                r.explanationsUsed, r.questionsAsked, r.modelSolutionViewed, r.referenceSolutionViewed, r.helpAfterDue,
                r.attempts, double(r.attemptedAt), double(r.importedAt)});
}

template <class Row>
QByteArray mac(const QByteArray& key, const Row& row) {
  return hmac(key, canonical(row));
}
template QByteArray mac(const QByteArray&, const ClassInfo&);
template QByteArray mac(const QByteArray&, const Profile&);
template QByteArray mac(const QByteArray&, const ProblemSet&);
template QByteArray mac(const QByteArray&, const ImportedResult&);

void sign(Database& db, const QByteArray& key, const ClassInfo& c) {
  db.setRecordMac(Database::RecordTable::Classes, c.id, mac(key, c));
}
void sign(Database& db, const QByteArray& key, const Profile& p) {
  db.setRecordMac(Database::RecordTable::Profiles, p.id, mac(key, p));
}
void sign(Database& db, const QByteArray& key, const ProblemSet& s) {
  db.setRecordMac(Database::RecordTable::ProblemSets, s.id, mac(key, s));
}
void sign(Database& db, const QByteArray& key, const ImportedResult& r) {
  db.setRecordMac(Database::RecordTable::ImportedResults, r.id, mac(key, r));
}

namespace {

// Calls fn(row) for every teacher record.
template <class Fn>
void forEachRecord(Database& db, Fn&& fn) {
  for (const auto& c : db.classes()) fn(c);
  for (const auto& p : db.profiles())
    if (p.isRoster) fn(p);
  for (const auto& s : db.allSets())
    if (s.classId) fn(s);
  for (const auto& r : db.allImportedResults()) fn(r);
}

}  // namespace

qint64 signedSince(Database& db, const QByteArray& key) {
  const QString marker = db.setting(QString::fromLatin1(kSignedSinceKey));
  const qsizetype colon = marker.indexOf(QLatin1Char(':'));
  if (colon <= 0) return 0;
  const QByteArray when = marker.left(colon).toLatin1();
  if (marker.mid(colon + 1).toLatin1() != hmac(key, "signed-since:" + when).toHex()) return 0;
  return when.toLongLong();
}

Counts signAndCount(Database& db, const QByteArray& key) {
  Counts counts;
  db.write([&] {
    // Unsigned rows are signed once, at the first sign-in after the upgrade:
    // never again once any row verifies (a removed marker must not let rows
    // whose MAC was stripped be signed afresh).
    bool anyVerifies = false;
    forEachRecord(db, [&](const auto& row) { anyVerifies = anyVerifies || verifies(key, row); });
    const bool firstSigning = db.setting(QString::fromLatin1(kSignedSinceKey)).isEmpty() && !anyVerifies;
    forEachRecord(db, [&](const auto& row) {
      if (row.recordMac.isEmpty() && firstSigning) {
        sign(db, key, row);
        ++counts.signedNow;
      } else if (!verifies(key, row)) {
        ++counts.tampered;
      }
    });
    if (firstSigning) {
      const QByteArray when = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
      db.setSetting(QString::fromLatin1(kSignedSinceKey),
                    QString::fromLatin1(when + ':' + hmac(key, "signed-since:" + when).toHex()));
    }
  });
  return counts;
}

void resign(Database& db, const QByteArray& oldKey, const QByteArray& newKey) {
  db.write([&] {
    forEachRecord(db, [&](const auto& row) {
      if (verifies(oldKey, row)) sign(db, newKey, row);
    });
    if (const qint64 since = signedSince(db, oldKey); since > 0) {
      const QByteArray when = QByteArray::number(since);
      db.setSetting(QString::fromLatin1(kSignedSinceKey),
                    QString::fromLatin1(when + ':' + hmac(newKey, "signed-since:" + when).toHex()));
    }
  });
}

}  // namespace zaya::app::teacher_records
