// Profiles, sign-in and roles. Every other service asks this one who is
// signed in and refuses what that role may not do, so a hidden button is
// never the only guard.
//
// Teachers have a password, stored as a salted PBKDF2-HMAC-SHA256 hash
// (600,000 iterations, 16-byte random salt, 32-byte key) and compared in
// constant time. Student profiles have no password: on a shared family or
// school computer they are picked from a list; what protects their data is
// that a student profile can only reach its own rows.
#pragma once

#include <QObject>

#include <optional>

#include "database.h"

namespace zaya::app {

// Byte-for-byte equality whose running time does not depend on where the
// inputs first differ.
bool constantTimeEquals(const QByteArray& a, const QByteArray& b);

class AuthService : public QObject {
  Q_OBJECT
 public:
  static constexpr int kPbkdf2Iterations = 600000;
  static constexpr int kMinPasswordLength = 8;

  explicit AuthService(Database& db, QObject* parent = nullptr);

  // Salted PBKDF2-HMAC-SHA256 of `password` (about a second on a laptop).
  static PasswordRecord hashPassword(const QString& password, int iterations = kPbkdf2Iterations);
  static bool verifyPassword(const QString& password, const PasswordRecord& record);

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
  Database& db_;
  std::optional<Profile> current_;
};

}  // namespace zaya::app
