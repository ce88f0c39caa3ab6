// The app's data for the screens: the database at Database::defaultPath()
// (ZAYA_DATA_DIR honoured), the services on top of it, and the student
// profile the app signs in on start (created on first start).
//
// Opening goes through app::StorageGuard: a damaged file or a read-only folder
// is opened read-only (ok() is true, every write throws ReadOnly); when nothing
// can be opened ok() is false and error() says why. storage() says, for the
// window's banner, what is kept and what is not, in every case. On start a
// writable database gets its daily backup (the newest 7 are kept).
#pragma once

#include <QObject>

#include <memory>

#include "auth_service.h"
#include "classroom_service.h"
#include "contest_service.h"
#include "database.h"
#include "profile_service.h"
#include "progress_service.h"
#include "storage_guard.h"
#include "zaya/problems/bank.h"

namespace zaya::ui {

class AppContext : public QObject {
  Q_OBJECT
 public:
  // path empty: Database::defaultPath().
  explicit AppContext(const QString& path = {}, QObject* parent = nullptr);
  ~AppContext() override;

  bool ok() const { return db_ != nullptr; }
  const QString& error() const { return error_; }
  app::Database& database() { return *db_; }
  app::AuthService& auth() { return *auth_; }
  app::ProgressService& progress() { return *progress_; }
  app::ClassroomService& classroom() { return *classroom_; }
  app::ProfileService& profiles() { return *profiles_; }
  app::ContestService& contests() { return *contests_; }
  app::StorageGuard& storage() { return *storage_; }

  // Replaces the data by a backup (StorageGuard::restore: the current file is
  // kept as a backup too), signs the student in again and emits dataReplaced.
  // Throws app::AppError.
  void restoreBackup(const QString& file);

  // The student profile that practises now (the one chosen last).
  qint64 studentId() const { return studentId_; }
  // Signs the student in again (after teacher mode is locked).
  void signInStudent();
  // Another student takes over: signed in, remembered for the next start,
  // and every screen reloads (dataReplaced). Throws app::AppError.
  void switchStudent(qint64 profileId);
  // More than one student practises here and none was chosen in this run:
  // the window asks "Who is working?" at start.
  bool needsStudentChoice();

  // The bank decides which problem ids sets may name; null until loaded.
  void setBank(const problems::ProblemBank* bank);
  const problems::ProblemBank* bank() const { return bank_; }

 signals:
  void bankChanged();
  // The database now holds other data (a restored backup): screens reload.
  void dataReplaced();

 private:
  void chooseStudent();

  app::StorageGuard* storage_;
  QString error_;
  std::unique_ptr<app::Database> db_;
  std::unique_ptr<app::AuthService> auth_;
  std::unique_ptr<app::ProgressService> progress_;
  std::unique_ptr<app::ClassroomService> classroom_;
  std::unique_ptr<app::ProfileService> profiles_;
  std::unique_ptr<app::ContestService> contests_;
  bool chosenThisRun_ = false;
  const problems::ProblemBank* bank_ = nullptr;
  qint64 studentId_ = 0;
};

}  // namespace zaya::ui
