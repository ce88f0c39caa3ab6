// The gate in front of teacher mode: on first use it creates the teacher
// password (entered twice), afterwards it asks for it. The password is
// checked on a worker thread (its iteration count comes from the database,
// so a check can take long): the screen says "Checking the password…",
// stays usable, offers Cancel, and a check the user walked away from never
// opens anything.
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

namespace zaya::app {
class PendingSignIn;
}

namespace zaya::ui {

class AppContext;

class TeacherLockPage : public QWidget {
  Q_OBJECT
 public:
  explicit TeacherLockPage(AppContext* context, QWidget* parent = nullptr);

  // Shows the first-use form or the password form, as the database says.
  void refresh();
  // Creates the teacher (first use) and starts checking the password; the
  // outcome comes from finished(). False, with message() saying why, when
  // no check was started.
  bool startUnlock(const QString& password);
  bool isChecking() const { return pending_ != nullptr; }
  // Stops a running check (finished(false) follows); `why` is shown.
  void cancel(const QString& why);
  QString message() const;
  QLineEdit* passwordField() const { return password_; }

 signals:
  void finished(bool unlocked);

 private:
  void setChecking(bool checking);

  AppContext* ctx_;
  QLabel* title_;
  QLabel* hint_;
  QLineEdit* teacherName_;
  QLineEdit* password_;
  QLineEdit* confirm_;
  QPushButton* unlockButton_;
  QPushButton* cancelButton_;
  QLabel* message_;
  app::PendingSignIn* pending_ = nullptr;
};

}  // namespace zaya::ui
