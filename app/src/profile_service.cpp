#include "profile_service.h"

namespace zaya::app {

namespace {
// The same key the app used for its single student: old installs keep theirs.
const QString kRememberedKey = QStringLiteral("ui.student_profile");
}  // namespace

ProfileService::ProfileService(AuthService& auth, QObject* parent) : QObject(parent), auth_(auth), db_(auth.database()) {}

QList<Profile> ProfileService::students() {
  QList<Profile> out;
  for (const auto& p : db_.profiles())
    if (p.role == Role::Student && !p.isRoster) out << p;
  return out;
}

Profile ProfileService::requireStudent(qint64 profileId) {
  const auto p = db_.profile(profileId);
  if (!p || p->role != Role::Student || p->isRoster)
    throw AppError(AppError::Kind::NotFound, QStringLiteral("No student profile with id %1 on this computer.").arg(profileId));
  return *p;
}

Profile ProfileService::create(const QString& name) {
  const QString trimmed = name.trimmed();
  if (trimmed.isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("Type a name for the new profile."));
  if (trimmed.size() > 100) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("A name has at most 100 characters."));
  for (const auto& p : students())
    if (p.name.compare(trimmed, Qt::CaseInsensitive) == 0)
      throw AppError(AppError::Kind::InvalidInput, QStringLiteral("There is already a profile named %1.").arg(p.name));
  return auth_.createStudent(trimmed);
}

void ProfileService::rename(qint64 profileId, const QString& name) {
  requireStudent(profileId);
  const QString trimmed = name.trimmed();
  if (trimmed.isEmpty()) throw AppError(AppError::Kind::InvalidInput, QStringLiteral("The name is empty."));
  for (const auto& p : students())
    if (p.id != profileId && p.name.compare(trimmed, Qt::CaseInsensitive) == 0)
      throw AppError(AppError::Kind::InvalidInput, QStringLiteral("There is already a profile named %1.").arg(p.name));
  db_.renameProfile(profileId, trimmed);
  if (auth_.current() && auth_.current()->id == profileId) switchTo(profileId);  // the signed-in copy carries the name
}

void ProfileService::remove(qint64 profileId) {
  const Profile p = requireStudent(profileId);
  if (students().size() <= 1)
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("%1 is the only profile; add another before deleting it.").arg(p.name));
  if (auth_.current() && auth_.current()->id == profileId)
    throw AppError(AppError::Kind::InvalidInput, QStringLiteral("Switch to another profile before deleting %1.").arg(p.name));
  db_.deleteProfile(profileId);
}

void ProfileService::switchTo(qint64 profileId) {
  requireStudent(profileId);
  auth_.signIn(profileId);
  if (!db_.isReadOnly()) db_.setSetting(kRememberedKey, QString::number(profileId));
  emit switched(profileId);
}

qint64 ProfileService::remembered() {
  const qint64 id = db_.setting(kRememberedKey).toLongLong();
  const auto p = db_.profile(id);
  return p && p->role == Role::Student && !p->isRoster ? id : 0;
}

bool ProfileService::needsChoice() { return students().size() > 1; }

}  // namespace zaya::app
