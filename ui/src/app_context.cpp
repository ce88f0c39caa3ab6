#include "app_context.h"

#include "zaya/problems/answer_checker.h"

namespace zaya::ui {

AppContext::AppContext(const QString& path, QObject* parent)
    : QObject(parent), storage_(new app::StorageGuard(this)) {
  db_ = storage_->open(path.isEmpty() ? app::Database::defaultPath() : path);
  if (!db_) {
    error_ = storage_->notice();
    return;
  }
  try {
    auth_ = std::make_unique<app::AuthService>(*db_);
    progress_ = std::make_unique<app::ProgressService>(*auth_);
    // The teacher re-grades imported answers with the bank's own checker.
    classroom_ = std::make_unique<app::ClassroomService>(
        *auth_, [this](std::string_view id) { return bank_ && bank_->contains(id); },
        [this](const QString& problemId, const QString& answer) -> std::optional<bool> {
          const problems::Problem* p = bank_ ? bank_->find(problemId.toStdString()) : nullptr;
          if (!p) return std::nullopt;
          return problems::check_problem_answer(*p, answer.toStdString()).equivalent;
        });
    profiles_ = std::make_unique<app::ProfileService>(*auth_);
    contests_ = std::make_unique<app::ContestService>(*auth_, *progress_);
    chooseStudent();
  } catch (const std::exception& e) {
    error_ = QString::fromUtf8(e.what());
    const auto* known = dynamic_cast<const app::AppError*>(&e);
    storage_->reportNotSaved(tr("Your profile"), known ? *known : app::AppError(app::AppError::Kind::Storage, error_));
    contests_.reset();
    profiles_.reset();
    classroom_.reset();
    progress_.reset();
    auth_.reset();
    db_.reset();
    return;
  }
  if (storage_->canSave()) {
    try {
      app::StorageGuard::makeDailyBackup(*db_, QDate::currentDate());
    } catch (const app::AppError& e) {
      storage_->reportNotSaved(tr("Today's backup"), e);
    }
  }
}

void AppContext::chooseStudent() {
  // The student who worked last, else the first student profile, else a new
  // one (not on a read-only file: it then practises unsaved, as the banner says).
  studentId_ = profiles_->remembered();
  if (!studentId_)
    if (const auto students = profiles_->students(); !students.isEmpty()) studentId_ = students.front().id;
  if (db_->isReadOnly()) {
    if (studentId_) signInStudent();
    return;
  }
  if (!studentId_) studentId_ = profiles_->create(tr("Student")).id;
  profiles_->switchTo(studentId_);
}

void AppContext::switchStudent(qint64 profileId) {
  profiles_->switchTo(profileId);
  studentId_ = profileId;
  chosenThisRun_ = true;
  emit dataReplaced();
}

bool AppContext::needsStudentChoice() { return ok() && !chosenThisRun_ && profiles_->needsChoice(); }

void AppContext::restoreBackup(const QString& file) {
  if (!ok()) throw app::AppError(app::AppError::Kind::Storage, tr("There is no open database to restore into."));
  storage_->restore(*db_, file);
  chooseStudent();
  emit dataReplaced();
}

AppContext::~AppContext() = default;

void AppContext::signInStudent() {
  if (ok() && studentId_) auth_->signIn(studentId_);
}

void AppContext::setBank(const problems::ProblemBank* bank) {
  bank_ = bank;
  if (classroom_) classroom_->setBank(bank);
  if (contests_) contests_->setBank(bank);
  emit bankChanged();
}

}  // namespace zaya::ui
