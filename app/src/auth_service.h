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
// The stored iteration count must be the documented one (kPbkdf2Iterations):
// a hash with any other count was not written by this app and is refused, so
// overwriting it with a cheap hash of a new password does not sign in. The
// key is still derived on a worker thread (beginSignIn), which can be
// abandoned at any time.
//
// PBKDF2 derives 64 bytes: the first 32 are the stored hash, the last 32 the
// records key, kept in memory only while the teacher is signed in. It signs
// the teacher's records (teacher_records.h), so rows edited without the
// password — or a hash replaced by a valid one of another password — show as
// tampered.
#pragma once

#include <QObject>
#include <QPointer>

#include <atomic>
#include <functional>
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
  // nullopt: cancelled; else the derived 64 bytes (empty: nothing to derive).
  void complete(std::optional<QByteArray> derived, const PasswordRecord& record);
  void completeStudent();

  struct Shared {
    std::atomic<bool> cancelled{false};
  };
  QPointer<AuthService> auth_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
  std::optional<Profile> profile_;
  bool running_ = true;
  QByteArray recordsKey_;
};

class AuthService : public QObject {
  Q_OBJECT
 public:
  static constexpr int kPbkdf2Iterations = 600000;
  static constexpr int kMinPasswordLength = 8;
  static constexpr int kRecordsKeyBytes = 32;

  explicit AuthService(Database& db, QObject* parent = nullptr);

  // Salted PBKDF2-HMAC-SHA256 of `password` (about a second on a laptop).
  // recordsKey, when given, receives the records key of that password.
  static PasswordRecord hashPassword(const QString& password, int iterations = kPbkdf2Iterations,
                                     QByteArray* recordsKey = nullptr);
  // The records key when `password` matches `record`, else nullopt. Refuses
  // (nullopt) any record whose iteration count is not kPbkdf2Iterations.
  static std::optional<QByteArray> checkPassword(const QString& password, const PasswordRecord& record);
  // "" when `record` follows the documented rule, else why it is refused.
  static QString recordProblem(const PasswordRecord& record);

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
  // The old password is required. `resign(oldKey, newKey)` runs in the same
  // transaction as the new hash is stored (ClassroomService re-signs the
  // teacher's records there).
  void changePassword(const QString& oldPassword, const QString& newPassword,
                      const std::function<void(const QByteArray&, const QByteArray&)>& resign = {});
  // The signed-in teacher's records key; empty when no teacher is signed in.
  const QByteArray& recordsKey() const { return recordsKey_; }

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
  void setCurrent(const std::optional<Profile>& p, const QByteArray& recordsKey);
  Database& db_;
  std::optional<Profile> current_;
  QByteArray recordsKey_;
};

}  // namespace zaya::app
