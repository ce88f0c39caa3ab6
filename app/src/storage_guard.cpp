#include "storage_guard.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLocale>

#include <cstdio>

#include "owner_only.h"

namespace zaya::app {

namespace {

const QString kDailyPrefix = QStringLiteral("daily-");
const QString kReplacedPrefix = QStringLiteral("replaced-");

QString native(const QString& path) { return QDir::toNativeSeparators(path); }

// "the backup of 2 December 2026, 09:14"
QString backupName(const QString& file) {
  const QDateTime when = QFileInfo(file).lastModified();
  return QStringLiteral("the backup of %1, %2")
      .arg(QLocale().toString(when.date(), QLocale::LongFormat), QLocale().toString(when.time(), QLocale::ShortFormat));
}

// The problems quick_check reports, without its "*** in database main ***" heading.
QString firstProblems(const QString& check) {
  QStringList lines;
  for (const QString& line : check.split(QLatin1Char('\n')))
    if (!line.startsWith(QLatin1String("***")) && lines.size() < 2) lines << line.trimmed();
  return lines.isEmpty() ? check : lines.join(QStringLiteral("; "));
}

// "…read-only." → "…read-only": the sentence around it adds the full stop.
QString clause(QString text) {
  while (text.endsWith(QLatin1Char('.'))) text.chop(1);
  return text;
}

// The part after the prefix sorts by time: daily-2026-12-02, replaced-2026-12-02T101500123.
QString stampOf(const QString& name) { return name.section(QLatin1Char('-'), 1); }

}  // namespace

void StorageGuard::set(State state, const QString& why) {
  state_ = state;
  why_ = why;
  emit changed();
}

std::unique_ptr<Database> StorageGuard::openReadOnlyAfter(const QString& path, State state, const QString& why) {
  if (!QFileInfo::exists(path)) {
    set(State::Unavailable, why);
    return nullptr;
  }
  try {
    auto db = std::make_unique<Database>(path, Database::Access::ReadOnly);
    set(state, why);
    return db;
  } catch (const AppError&) {
    set(State::Unavailable, why);  // the second failure says the same as the first
    return nullptr;
  }
}

std::unique_ptr<Database> StorageGuard::open(const QString& path) {
  const QFileInfo info(path);
  if (info.absoluteDir().exists()) restrictFolder(info.absolutePath());
  const QStringList saved = backups(path);

  // A 0-byte file is what a crash during a copy or a full disk leaves, not a
  // new install: bring back the newest backup (the empty file holds nothing
  // to keep) and say so.
  QString emptyNote;
  // (A 0-byte file beside a non-empty -wal is not empty: its pages are in the WAL.)
  const QFileInfo wal(path + QStringLiteral("-wal"));
  if (info.exists() && info.size() == 0 && !(wal.exists() && wal.size() > 0)) {
    QFile::remove(path + QStringLiteral("-shm"));
    if (!saved.isEmpty() && QFile::remove(path) && QFile::copy(saved.front(), path)) {
      makeOwnerOnly(path);
      emptyNote = QStringLiteral("Your progress file %1 was empty (0 bytes), so %2 was put back. Answers checked after "
                                 "that backup are not in it.")
                      .arg(native(path), backupName(saved.front()));
    } else {
      emptyNote = saved.isEmpty() ? QStringLiteral("Your progress file %1 was empty (0 bytes) and there is no backup: "
                                                   "ZAYA Tutor starts with new, empty progress.")
                                        .arg(native(path))
                                  : QStringLiteral("Your progress file %1 was empty (0 bytes) and %2 could not be "
                                                   "put back: ZAYA Tutor starts with new, empty progress; the backups "
                                                   "are still in %3.")
                                        .arg(native(path), backupName(saved.front()), native(backupFolder(path)));
    }
  }

  std::unique_ptr<Database> db;
  try {
    db = std::make_unique<Database>(path);
  } catch (const AppError& e) {
    switch (e.kind()) {
      case AppError::Kind::ReadOnly: return openReadOnlyAfter(path, State::ReadOnly, e.message());
      case AppError::Kind::DiskFull: return openReadOnlyAfter(path, State::Full, e.message());
      case AppError::Kind::Corrupt:
        offered_ = saved.value(0);
        return openReadOnlyAfter(path, State::Damaged, e.message());
      default: set(State::Unavailable, e.message()); return nullptr;
    }
  }
  makeOwnerOnly(path);

  QElapsedTimer timer;
  timer.start();
  const QString check = db->quickCheck();
  checkSeconds_ = timer.nsecsElapsed() / 1e9;
  if (check != QLatin1String("ok")) {
    offered_ = saved.value(0);
    const QString why = QStringLiteral("the start-up check found: %1").arg(firstProblems(check));
    try {
      db->reopen(Database::Access::ReadOnly);
      set(State::Damaged, why);
    } catch (const AppError& e) {
      set(State::Unavailable, why + QLatin1Char(' ') + e.message());
      return nullptr;
    }
    return db;
  }
  if (!emptyNote.isEmpty()) set(State::Ok, emptyNote);
  return db;
}

QString StorageGuard::notice() const {
  QString text;
  switch (state_) {
    case State::Ok: text = why_; break;
    case State::ReadOnly:
      text = QStringLiteral("Your progress is shown but cannot be saved: %1 Answers you check now are not recorded "
                            "until the folder can be written again.")
                 .arg(why_);
      break;
    case State::Full:
      text = QStringLiteral("The disk is full: your earlier progress is kept, but new answers are not saved until "
                            "space is freed. %1")
                 .arg(why_);
      break;
    case State::Damaged:
      text = QStringLiteral("Your progress file is damaged (%1). It is open read-only so nothing more is lost: what can "
                            "still be read is shown, but new answers are not saved. %2")
                 .arg(why_, offered_.isEmpty() ? QStringLiteral("There is no backup to restore.")
                                               : QStringLiteral("You can restore %1 (your current file is kept).")
                                                     .arg(backupName(offered_)));
      break;
    case State::Unavailable:
      text = QStringLiteral("Your progress cannot be opened: %1 Nothing is shown or saved in this session.").arg(why_);
      if (!offered_.isEmpty())
        text += QStringLiteral(" Your newest backup is %1 (%2): copy it in place of the damaged file to get it back.")
                    .arg(native(offered_), backupName(offered_));
      break;
  }
  if (unsaved_ > 0) {
    QString lost = QStringLiteral("%1.").arg(lastUnsaved_);
    if (unsaved_ > 1) lost += QStringLiteral(" %1 things were not saved in this session.").arg(unsaved_);
    text += (text.isEmpty() ? QString() : QStringLiteral(" ")) + lost;
  }
  return text;
}

void StorageGuard::reportNotSaved(const QString& what, const AppError& error) {
  ++unsaved_;
  if (state_ == State::Ok) {
    // The first failure of its kind sets what the banner says about storage.
    const auto kind = error.kind();
    const State next = kind == AppError::Kind::DiskFull   ? State::Full
                       : kind == AppError::Kind::ReadOnly ? State::ReadOnly
                       : kind == AppError::Kind::Corrupt  ? State::Damaged
                                                          : State::Ok;
    if (next != State::Ok) {
      state_ = next;
      why_ = clause(error.message()) + QLatin1Char('.');
    }
  }
  // When the banner already says why nothing is saved, the reason is not repeated.
  lastUnsaved_ = state_ == State::Ok ? QStringLiteral("%1 was not saved: %2").arg(what, clause(error.message()))
                                     : QStringLiteral("%1 was not saved").arg(what);
  emit changed();
}

void StorageGuard::reportNotSaved(const QString& what) {
  ++unsaved_;
  lastUnsaved_ = state_ == State::Ok ? QStringLiteral("%1 was not saved: there is no progress file to save it in").arg(what)
                                     : QStringLiteral("%1 was not saved").arg(what);
  emit changed();
}

QString StorageGuard::backupFolder(const QString& databasePath) {
  return QFileInfo(databasePath).absoluteDir().filePath(QStringLiteral("backups"));
}

QStringList StorageGuard::backups(const QString& databasePath) {
  const QDir dir(backupFolder(databasePath));
  QStringList names = dir.entryList({kDailyPrefix + QStringLiteral("*.sqlite"), kReplacedPrefix + QStringLiteral("*.sqlite")},
                                    QDir::Files);
  std::sort(names.begin(), names.end(), [](const QString& a, const QString& b) { return stampOf(a) > stampOf(b); });
  QStringList out;
  for (const QString& n : names) out << dir.filePath(n);
  return out;
}

QString StorageGuard::makeDailyBackup(Database& db, const QDate& today) {
  const QDir dir(backupFolder(db.path()));
  const QString file = dir.filePath(kDailyPrefix + today.toString(Qt::ISODate) + QStringLiteral(".sqlite"));
  if (QFileInfo::exists(file)) return {};
  // Written beside and renamed: a crash mid-copy never leaves a half backup
  // that rotation would keep in place of a whole one.
  const QString part = file + QStringLiteral(".part");
  QFile::remove(part);
  db.snapshotTo(part);
  if (std::rename(QFile::encodeName(part).constData(), QFile::encodeName(file).constData()) != 0) {
    QFile::remove(part);
    throw AppError(AppError::Kind::Storage, QStringLiteral("The backup %1 could not be put in place.").arg(native(file)));
  }
  QStringList daily = dir.entryList({kDailyPrefix + QStringLiteral("*.sqlite")}, QDir::Files, QDir::Name | QDir::Reversed);
  for (int i = kKeptDailyBackups; i < daily.size(); ++i) QFile::remove(dir.filePath(daily[i]));
  return file;
}

QString StorageGuard::restore(Database& db, const QString& backup) {
  Database::validateSnapshot(backup);
  const QString path = db.path();
  const QString kept = QDir(backupFolder(path))
                           .filePath(kReplacedPrefix + QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-ddTHHmmsszzz")) +
                                     QStringLiteral(".sqlite"));
  // Keep what is there now first: a restore never loses data unseen.
  if (!db.isReadOnly()) {
    db.snapshotTo(kept);
  } else {
    makeOwnerOnlyFolder(QFileInfo(kept).absolutePath());
    if (!QFile::copy(path, kept))
      throw AppError(AppError::Kind::ReadOnly,
                     QStringLiteral("Your current file could not be kept as %1, so nothing was restored.").arg(native(kept)));
    makeOwnerOnly(kept);
    if (QFileInfo::exists(path + QStringLiteral("-wal"))) QFile::copy(path + QStringLiteral("-wal"), kept + QStringLiteral("-wal"));
  }
  const QString incoming = path + QStringLiteral(".restoring");
  QFile::remove(incoming);
  if (!QFile::copy(backup, incoming))
    throw AppError(AppError::Kind::Storage, QStringLiteral("%1 could not be copied; nothing was restored.").arg(native(backup)));
  makeOwnerOnly(incoming);
  bool moved = false;
  try {
    db.reopen(Database::Access::ReadWrite, [&] {
      // The old file's journal belongs to it, never to the restored one.
      QFile::remove(path + QStringLiteral("-wal"));
      QFile::remove(path + QStringLiteral("-shm"));
      moved = std::rename(QFile::encodeName(incoming).constData(), QFile::encodeName(path).constData()) == 0;
    });
  } catch (const AppError& e) {
    set(State::Unavailable, QStringLiteral("restoring %1 failed: %2 What was there before is kept as %3.")
                                .arg(native(backup), e.message(), native(kept)));
    throw;
  }
  if (!moved) {
    QFile::remove(incoming);
    throw AppError(AppError::Kind::Storage, QStringLiteral("%1 could not be put in place; nothing was restored.").arg(native(backup)));
  }
  offered_.clear();
  set(State::Ok, QStringLiteral("Restored %1. What was there before is kept as %2.").arg(backupName(backup), native(kept)));
  return kept;
}

}  // namespace zaya::app
