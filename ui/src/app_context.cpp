#include "app_context.h"

namespace zaya::ui {

namespace {
const QString kStudentKey = QStringLiteral("ui.student_profile");
}

AppContext::AppContext(const QString& path, QObject* parent) : QObject(parent) {
  try {
    db_ = std::make_unique<app::Database>(path.isEmpty() ? app::Database::defaultPath() : path);
    auth_ = std::make_unique<app::AuthService>(*db_);
    progress_ = std::make_unique<app::ProgressService>(*auth_);
    classroom_ = std::make_unique<app::ClassroomService>(
        *auth_, [this](std::string_view id) { return bank_ && bank_->contains(id); });
    // The remembered student, else the first student profile, else a new one.
    const qint64 remembered = db_->setting(kStudentKey).toLongLong();
    if (const auto p = db_->profile(remembered); p && p->role == app::Role::Student) studentId_ = p->id;
    for (const auto& p : db_->profiles())
      if (!studentId_ && p.role == app::Role::Student) studentId_ = p.id;
    if (!studentId_) studentId_ = auth_->createStudent(tr("Student")).id;
    db_->setSetting(kStudentKey, QString::number(studentId_));
    signInStudent();
  } catch (const std::exception& e) {
    error_ = QString::fromUtf8(e.what());
    classroom_.reset();
    progress_.reset();
    auth_.reset();
    db_.reset();
  }
}

AppContext::~AppContext() = default;

void AppContext::signInStudent() {
  if (ok()) auth_->signIn(studentId_);
}

void AppContext::setBank(const problems::ProblemBank* bank) {
  bank_ = bank;
  emit bankChanged();
}

}  // namespace zaya::ui
