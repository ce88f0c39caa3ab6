#include "auth_service.h"

#include <QCryptographicHash>
#include <QPasswordDigestor>
#include <QRandomGenerator>

namespace zaya::app {

bool constantTimeEquals(const QByteArray& a, const QByteArray& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (qsizetype i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

AuthService::AuthService(Database& db, QObject* parent) : QObject(parent), db_(db) {}

PasswordRecord AuthService::hashPassword(const QString& password, int iterations) {
  PasswordRecord r;
  r.salt.resize(16);
  QRandomGenerator::system()->generate(reinterpret_cast<quint32*>(r.salt.data()),
                                       reinterpret_cast<quint32*>(r.salt.data() + r.salt.size()));
  r.iterations = iterations;
  r.hash = QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password.toUtf8(), r.salt, iterations, 32);
  return r;
}

bool AuthService::verifyPassword(const QString& password, const PasswordRecord& record) {
  if (record.iterations <= 0 || record.hash.isEmpty()) return false;
  const QByteArray derived = QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password.toUtf8(), record.salt,
                                                                record.iterations, quint64(record.hash.size()));
  return constantTimeEquals(derived, record.hash);
}

bool AuthService::hasTeacher() {
  for (const auto& p : db_.profiles())
    if (p.role == Role::Teacher) return true;
  return false;
}

QList<Profile> AuthService::profiles() { return db_.profiles(); }

Profile AuthService::createTeacher(const QString& name, const QString& password) {
  if (hasTeacher() && !isTeacher())
    throw AppError(AppError::Kind::PermissionDenied, QStringLiteral("Only a signed-in teacher can add another teacher."));
  if (name.trimmed().isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The name is empty."));
  if (password.size() < kMinPasswordLength)
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("The password needs at least %1 characters.").arg(kMinPasswordLength));
  const PasswordRecord record = hashPassword(password);  // slow: outside the transaction
  qint64 id = 0;
  db_.write([&] {
    Profile p;
    p.name = name.trimmed();
    p.role = Role::Teacher;
    id = db_.insertProfile(p);
    db_.setPassword(id, record);
  });
  return *db_.profile(id);
}

Profile AuthService::createStudent(const QString& name) {
  if (name.trimmed().isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The name is empty."));
  Profile p;
  p.name = name.trimmed();
  p.role = Role::Student;
  return *db_.profile(db_.insertProfile(p));
}

void AuthService::signIn(qint64 profileId, const QString& password) {
  const auto p = db_.profile(profileId);
  if (!p) throw AppError(AppError::Kind::NotFound, QStringLiteral("No profile with id %1.").arg(profileId));
  if (p->role == Role::Teacher) {
    const auto record = db_.password(profileId);
    if (!record || !verifyPassword(password, *record))
      throw AppError(AppError::Kind::PermissionDenied, QStringLiteral("Wrong password for %1.").arg(p->name));
  }
  current_ = p;
  emit currentChanged();
}

void AuthService::signOut() {
  current_.reset();
  emit currentChanged();
}

void AuthService::changePassword(const QString& oldPassword, const QString& newPassword) {
  const Profile& me = requireTeacher();
  const auto record = db_.password(me.id);
  if (!record || !verifyPassword(oldPassword, *record))
    throw AppError(AppError::Kind::PermissionDenied, QStringLiteral("The current password is wrong."));
  if (newPassword.size() < kMinPasswordLength)
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("The password needs at least %1 characters.").arg(kMinPasswordLength));
  db_.setPassword(me.id, hashPassword(newPassword));
}

const Profile& AuthService::requireSignedIn() const {
  if (!current_) throw AppError(AppError::Kind::PermissionDenied, QStringLiteral("Sign in first."));
  return *current_;
}

const Profile& AuthService::requireTeacher() const {
  const Profile& p = requireSignedIn();
  if (p.role != Role::Teacher)
    throw AppError(AppError::Kind::PermissionDenied, QStringLiteral("Only a teacher can do this; %1 is signed in as a student.").arg(p.name));
  return p;
}

void AuthService::requireSelfOrTeacher(qint64 profileId) const {
  const Profile& p = requireSignedIn();
  if (p.role == Role::Teacher || p.id == profileId) return;
  throw AppError(AppError::Kind::PermissionDenied, QStringLiteral("A student profile can only see its own work."));
}

}  // namespace zaya::app
