// What the app can promise about the student's data, in plain words.
//
// StorageGuard opens the database with every check the app relies on and
// never throws: owner-only modes on the folder and file, a 0-byte file that is
// not taken for a new install, PRAGMA quick_check (a damaged file is opened
// read-only so nothing more is lost), a read-only folder still shown
// read-only, a full disk. It keeps the rolling daily backups (the newest 7, in
// <data folder>/backups) and restores one, keeping the replaced file.
//
// notice() is the sentence the window shows in its banner for as long as it
// is not empty: what is kept and what is not. Every answer that could not be
// saved is reported here (reportNotSaved), so none is lost unseen.
#pragma once

#include <QDate>
#include <QObject>
#include <QStringList>

#include <memory>

#include "database.h"

namespace zaya::app {

class StorageGuard : public QObject {
  Q_OBJECT
 public:
  enum class State {
    Ok,           // reading and writing
    ReadOnly,     // the folder or file cannot be written: shown, not saved
    Full,         // the disk (or a file-size limit) is full: shown, not saved
    Damaged,      // the file failed its check: opened read-only, a backup offered
    Unavailable,  // nothing could be opened: nothing is shown or saved
  };
  static constexpr int kKeptDailyBackups = 7;

  explicit StorageGuard(QObject* parent = nullptr) : QObject(parent) {}

  // Opens (creating when new) the database at `path`; null when nothing could
  // be opened. Sets state() and notice().
  std::unique_ptr<Database> open(const QString& path);

  State state() const { return state_; }
  bool canSave() const { return state_ == State::Ok; }
  // The banner's text; empty when there is nothing to say.
  QString notice() const;
  // The newest backup, offered while the file is damaged or was found empty.
  const QString& offeredBackup() const { return offered_; }
  // Seconds PRAGMA quick_check took at open().
  double checkSeconds() const { return checkSeconds_; }

  // A write failed (`what`: "Your answer “204” to aime-2024-I-01"): the
  // banner says it was not saved and why. The state follows the error's kind.
  void reportNotSaved(const QString& what, const AppError& error);
  // The same when there is no database at all.
  void reportNotSaved(const QString& what);
  int unsavedCount() const { return unsaved_; }

  // --- backups ------------------------------------------------------------
  static QString backupFolder(const QString& databasePath);  // <folder>/backups
  // Daily and replaced-on-restore backups, newest first.
  static QStringList backups(const QString& databasePath);
  // Writes today's backup unless there is one and keeps the newest 7 daily
  // ones; returns the new file (empty when today's existed). Throws AppError.
  static QString makeDailyBackup(Database& db, const QDate& today);
  // Replaces the database by `backup` (validated first). The current file is
  // kept as a backup (replaced-<time>.sqlite), never deleted; returns its path.
  // Throws AppError; on failure the old data stays in place.
  QString restore(Database& db, const QString& backup);

 signals:
  void changed();

 private:
  void set(State state, const QString& why);
  std::unique_ptr<Database> openReadOnlyAfter(const QString& path, State state, const QString& why);

  State state_ = State::Ok;
  QString why_;        // what happened, for the banner
  QString lastUnsaved_;
  QString offered_;
  int unsaved_ = 0;
  double checkSeconds_ = 0;
};

}  // namespace zaya::app
