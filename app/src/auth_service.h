// Profiles, sign-in and roles. Every other service asks this one who is
// signed in and refuses what that role may not do, so a hidden button is
// never the only guard.
//
// Teachers have a password, stored as a salted PBKDF2-HMAC-SHA256 hash
// (600,000 iterations, 16-byte random salt, 32-byte key) and compared in
// constant time. Student profiles have no password: on a shared family or
// school computer they are picked from a list; what protects their data is
// that a student profile can only reach its own rows.
//
// The iteration count is read back from the database, so a check can take
// arbitrarily long: screens sign a teacher in with beginSignIn, which derives
// the key on a worker thread and can be abandoned at any time.
#pragma once

#include <QObject>
#include <QPointer>

#include <atomic>
#include <memory>
#include <optional>

#include "database.h"

namespace zaya::app {

// Byte-for-byte equality whose running time does not depend on where the
// inputs first differ.
bool constantTimeEquals(const QByteArray& a, const QByteArray& b);

// PBKDF2-HMAC-SHA256 (RFC 8018), the same key QPasswordDigestor derives, but
// it looks at `cancelled` every few thousand iterations and gives up (nullopt)
// once it is set, so a worker running it can always be stopped.
std::optional<QByteArray> deriveKeyPbkdf2Sha256(const QByteArray& password, const QByteArray& salt, int iterations,
                                                int keyLength, const std::atomic<bool>* cancelled = nullptr);

class AuthService;

// A teacher sign-in whose password is being checked on a worker thread.
// Whoever started it owns it: cancel() or deleting it stops the derivation at
// its next checkpoint and drops the result, so nobody is signed in by a check
// the user walked away from.
class PendingSignIn : public QObject {
  Q_OBJECT
 public:
  ~PendingSignIn() override;
  void cancel();
  bool isRunning() const { return running_; }

 signals:
  // Emitted once, always from the event loop (never inside beginSignIn). On
  // success the profile is already signed in; otherwise `error` says why.
  void finished(bool signedIn, const QString& error);

 private:
  friend class AuthService;
  explicit PendingSignIn(AuthService* auth, QObject* parent);
  void finishLater(bool signedIn, const QString& error);
  void complete(std::optional<bool> passwordMatches);

  struct Shared {
    std::atomic<bool> cancelled{false};
  };
  QPointer<AuthService> auth_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::optional<Profile> profile_;
  bool running_ = true;
};

class AuthService : public QObject {
  Q_OBJECT
 public:
  static constexpr int kPbkdf2Iterations = 600000;
  static constexpr int kMinPasswordLength = 8;

  explicit AuthService(Database& db, QObject* parent = nullptr);

  // Salted PBKDF2-HMAC-SHA256 of `password` (about a second on a laptop).
  static PasswordRecord hashPassword(const QString& password, int iterations = kPbkdf2Iterations);
  static bool verifyPassword(const QString& password, const PasswordRecord& record);
  // As above; nullopt when `cancelled` was set before the check ended.
  static std::optional<bool> verifyPassword(const QString& password, const PasswordRecord& record,
                                            const std::atomic<bool>& cancelled);

  // The first teacher can be created by anyone (first start); further
  // teachers only by a signed-in teacher. Throws AppError.
  Profile createTeacher(const QString& name, const QString& password);
  // Anyone may add a student profile for themselves (home use); putting a
  // student into a class is the teacher's (ClassroomService::addStudent).
  Profile createStudent(const QString& name);
  bool hasTeacher();
  QList<Profile> profiles();  // names and roles, for the sign-in list

  // Students sign in by choosing their profile; teachers need the password.
  // Throws PermissionDenied on a wrong password, NotFound for no such profile.
  void signIn(qint64 profileId, const QString& password = {});
  // The same, with the password checked on a worker thread: returns at once,
  // the outcome comes from the returned object's finished() (owned by
  // `parent`). The GUI stays responsive however many iterations are stored.
  PendingSignIn* beginSignIn(qint64 profileId, const QString& password, QObject* parent);
  void signOut();
  void changePassword(const QString& oldPassword, const QString& newPassword);

  std::optional<Profile> current() const { return current_; }
  bool isTeacher() const { return current_ && current_->role == Role::Teacher; }

  // Guards for the services; each throws AppError(PermissionDenied).
  const Profile& requireSignedIn() const;
  const Profile& requireTeacher() const;
  // The signed-in profile is `profileId` itself, or a teacher.
  void requireSelfOrTeacher(qint64 profileId) const;

  Database& database() { return db_; }

 signals:
  void currentChanged();

 private:
  friend class PendingSignIn;
  Database& db_;
  std::optional<Profile> current_;
};

}  // namespace zaya::app
