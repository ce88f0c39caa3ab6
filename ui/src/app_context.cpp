#include "app_context.h"

#include "zaya/problems/answer_checker.h"

namespace zaya::ui {

namespace {
const QString kStudentKey = QStringLiteral("ui.student_profile");
}

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
    chooseStudent();
  } catch (const std::exception& e) {
    error_ = QString::fromUtf8(e.what());
    const auto* known = dynamic_cast<const app::AppError*>(&e);
    storage_->reportNotSaved(tr("Your profile"), known ? *known : app::AppError(app::AppError::Kind::Storage, error_));
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
  // The remembered student, else the first student profile, else a new one
  // (not on a read-only file: it then practises unsaved, as the banner says).
  studentId_ = 0;
  const qint64 remembered = db_->setting(kStudentKey).toLongLong();
  // A teacher's roster entries are not people who practise here.
  if (const auto p = db_->profile(remembered); p && p->role == app::Role::Student && !p->isRoster) studentId_ = p->id;
  for (const auto& p : db_->profiles())
    if (!studentId_ && p.role == app::Role::Student && !p.isRoster) studentId_ = p.id;
  if (db_->isReadOnly()) {
    if (studentId_) signInStudent();
    return;
  }
  if (!studentId_) studentId_ = auth_->createStudent(tr("Student")).id;
  db_->setSetting(kStudentKey, QString::number(studentId_));
  signInStudent();
}

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
  emit bankChanged();
}

}  // namespace zaya::ui
