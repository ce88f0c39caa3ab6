// The people who practise on this computer: student profiles, created,
// renamed, switched and deleted, and the one who worked last remembered.
//
// Profiles on one computer are not private from each other: a student
// profile has no password, and anyone using the computer account can open
// any of them (the profile screen says so). What keeps them apart is that
// every service reads and writes the signed-in profile's rows only.
// A teacher's roster entries (Profile::isRoster) are not listed here.
#pragma once

#include <QObject>

#include "auth_service.h"

namespace zaya::app {

class ProfileService : public QObject {
  Q_OBJECT
 public:
  explicit ProfileService(AuthService& auth, QObject* parent = nullptr);

  // Student profiles that practise here, by name.
  QList<Profile> students();
  Profile create(const QString& name);
  void rename(qint64 profileId, const QString& name);
  // Deletes the profile with all its work; the last profile cannot be
  // deleted (someone must be signed in), and the signed-in one only after
  // switching to another.
  void remove(qint64 profileId);
  // Signs the profile in and remembers it for the next start.
  void switchTo(qint64 profileId);
  // The profile that worked last (0: none remembered or it is gone).
  qint64 remembered();
  // More than one student practises here: the app asks who is working.
  bool needsChoice();

 signals:
  // The signed-in student changed: every screen reloads its data.
  void switched(qint64 profileId);

 private:
  Profile requireStudent(qint64 profileId);
  AuthService& auth_;
  Database& db_;
};

}  // namespace zaya::app
