#include "teacher_lock_page.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "app_context.h"
#include "message_line.h"
#include "screen_page.h"

namespace zaya::ui {

TeacherLockPage::TeacherLockPage(AppContext* context, QWidget* parent) : QWidget(parent), ctx_(context) {
  auto* lockLayout = new QVBoxLayout(this);
  lockLayout->addStretch();
  auto* lockBox = new QWidget(this);
  lockBox->setFixedWidth(460);
  auto* form = new QFormLayout(lockBox);
  title_ = new QLabel(lockBox);
  keepRelativeFont(title_, 1.3, true);
  form->addRow(title_);
  hint_ = new QLabel(lockBox);
  hint_->setWordWrap(true);
  hint_->setTextFormat(Qt::PlainText);  // it can quote the database's path
  form->addRow(hint_);
  teacherName_ = new QLineEdit(tr("Teacher"), lockBox);
  teacherName_->setAccessibleName(tr("Teacher name"));
  form->addRow(tr("Name"), teacherName_);
  password_ = new QLineEdit(lockBox);
  password_->setEchoMode(QLineEdit::Password);
  password_->setAccessibleName(tr("Teacher password"));
  form->addRow(tr("Password"), password_);
  confirm_ = new QLineEdit(lockBox);
  confirm_->setEchoMode(QLineEdit::Password);
  confirm_->setAccessibleName(tr("Repeat the password"));
  form->addRow(tr("Repeat"), confirm_);
  auto* buttons = new QHBoxLayout;
  unlockButton_ = new QPushButton(tr("Open teacher mode"), lockBox);
  unlockButton_->setDefault(true);
  buttons->addWidget(unlockButton_);
  cancelButton_ = new QPushButton(tr("Cancel"), lockBox);
  cancelButton_->setAccessibleName(tr("Cancel the password check"));
  cancelButton_->hide();
  buttons->addWidget(cancelButton_);
  buttons->addStretch();
  form->addRow(buttons);
  message_ = new QLabel(lockBox);
  message_->setWordWrap(true);
  message_->setTextFormat(Qt::PlainText);  // errors can quote the teacher's name or a path
  form->addRow(message_);
  lockLayout->addWidget(lockBox, 0, Qt::AlignHCenter);
  lockLayout->addStretch();
  connect(unlockButton_, &QPushButton::clicked, this, [this] { startUnlock(password_->text()); });
  connect(password_, &QLineEdit::returnPressed, this, [this] { startUnlock(password_->text()); });
  connect(confirm_, &QLineEdit::returnPressed, this, [this] { startUnlock(password_->text()); });
  connect(cancelButton_, &QPushButton::clicked, this, [this] { cancel(tr("The password check was cancelled.")); });
  refresh();
}

QString TeacherLockPage::message() const { return message_->text(); }

void TeacherLockPage::refresh() {
  if (!ctx_ || !ctx_->ok()) {
    title_->setText(tr("Teacher mode is not available"));
    hint_->setText(ctx_ ? ctx_->error() : QString());
    for (QWidget* w : {static_cast<QWidget*>(teacherName_), static_cast<QWidget*>(password_), static_cast<QWidget*>(confirm_),
                       static_cast<QWidget*>(unlockButton_)})
      w->setEnabled(false);
    return;
  }
  const bool first = !ctx_->auth().hasTeacher();
  title_->setText(first ? tr("Set up teacher mode") : tr("Teacher mode"));
  // Honest about a shared computer account: the password guards teacher mode
  // and signs the records, it does not hide the files.
  const QString limits =
      tr(" Anyone using this computer account can still copy, delete or replace the app's data files; records changed "
         "without the password show as changed.");
  hint_->setText(first ? tr("Choose the teacher password (at least %1 characters). Teacher mode opens only with it, "
                            "and it cannot be recovered, so keep it safe.")
                                 .arg(app::AuthService::kMinPasswordLength) +
                             limits
                       : tr("Enter the teacher password to manage classes, build problem sets and see results.") + limits);
  hint_->setMinimumHeight(hint_->heightForWidth(430));  // the box is 460 wide
  if (auto* form = qobject_cast<QFormLayout*>(teacherName_->parentWidget()->layout())) {
    form->setRowVisible(teacherName_, first);
    form->setRowVisible(confirm_, first);
  }
  (first ? teacherName_ : password_)->setFocus();
}

bool TeacherLockPage::startUnlock(const QString& password) {
  if (!ctx_ || !ctx_->ok() || pending_) return false;
  auto& auth = ctx_->auth();
  const QString repeated = confirm_->text();
  password_->clear();
  confirm_->clear();
  qint64 teacherId = 0;
  const bool haveTeacher = reportErrors(
      [&] {
        if (!auth.hasTeacher()) {
          if (password != repeated) {
            message_->setText(tr("The two passwords differ."));
            return false;
          }
          const QString name = teacherName_->text().trimmed();
          teacherId = auth.createTeacher(name.isEmpty() ? tr("Teacher") : name, password).id;
          refresh();
        } else {
          for (const auto& p : auth.profiles())
            if (!teacherId && p.role == app::Role::Teacher) teacherId = p.id;
        }
        return true;
      },
      [this](const QString& error) { message_->setText(error); });
  if (!haveTeacher) return false;
  pending_ = auth.beginSignIn(teacherId, password, this);
  connect(pending_, &app::PendingSignIn::finished, this, [this](bool signedIn, const QString& error) {
    pending_->deleteLater();
    pending_ = nullptr;
    setChecking(false);
    message_->setText(signedIn ? QString() : error);
    emit finished(signedIn);
  });
  setChecking(true);
  message_->setText(tr("Checking the password…"));
  return true;
}

void TeacherLockPage::cancel(const QString& why) {
  if (!pending_) return;
  pending_->cancel();  // the worker stops at its next checkpoint; its answer is dropped
  pending_->deleteLater();
  pending_ = nullptr;
  setChecking(false);
  message_->setText(why);
  emit finished(false);
}

void TeacherLockPage::setChecking(bool checking) {
  for (QWidget* w : {static_cast<QWidget*>(teacherName_), static_cast<QWidget*>(password_), static_cast<QWidget*>(confirm_),
                     static_cast<QWidget*>(unlockButton_)})
    w->setEnabled(!checking);
  cancelButton_->setVisible(checking);
  if (checking) cancelButton_->setFocus();
  else password_->setFocus();
}

}  // namespace zaya::ui
