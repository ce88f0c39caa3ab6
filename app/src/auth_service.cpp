#include "auth_service.h"

#include <QCryptographicHash>
#include <QFutureWatcher>
#include <QMessageAuthenticationCode>
#include <QPasswordDigestor>
#include <QRandomGenerator>
#include <QtConcurrent/QtConcurrentRun>
#include <QtEndian>

namespace zaya::app {

bool constantTimeEquals(const QByteArray& a, const QByteArray& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (qsizetype i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::optional<QByteArray> deriveKeyPbkdf2Sha256(const QByteArray& password, const QByteArray& salt, int iterations,
                                                int keyLength, const std::atomic<bool>* cancelled) {
  // A few milliseconds of work between looks at the flag.
  constexpr int kIterationsBetweenChecks = 4096;
  if (iterations <= 0 || keyLength <= 0) return QByteArray();
  QMessageAuthenticationCode hmac(QCryptographicHash::Sha256, password);
  QByteArray key;
  for (quint32 block = 1; key.size() < keyLength; ++block) {
    char index[4];
    qToBigEndian(block, index);
    hmac.reset();
    hmac.addData(salt);
    hmac.addData(index, 4);
    QByteArray u = hmac.result();
    QByteArray t = u;
    for (int i = 1; i < iterations; ++i) {
      if (cancelled && i % kIterationsBetweenChecks == 0 && cancelled->load(std::memory_order_relaxed)) return std::nullopt;
      hmac.reset();
      hmac.addData(u);
      u = hmac.result();
      char* out = t.data();
      const char* in = u.constData();
      for (qsizetype k = 0; k < t.size(); ++k) out[k] ^= in[k];
    }
    key += t;
  }
  key.truncate(keyLength);
  return key;
}

PendingSignIn::PendingSignIn(AuthService* auth, QObject* parent) : QObject(parent), auth_(auth) {}

PendingSignIn::~PendingSignIn() { cancel(); }

void PendingSignIn::cancel() {
  shared_->cancelled = true;
  running_ = false;
}

void PendingSignIn::finishLater(bool signedIn, const QString& error) {
  QMetaObject::invokeMethod(
      this,
      [this, signedIn, error] {
        if (!running_) return;
        running_ = false;
        emit finished(signedIn, error);
      },
      Qt::QueuedConnection);
}

void PendingSignIn::completeStudent() {
  if (!running_ || shared_->cancelled) return;
  running_ = false;
  if (!auth_ || !profile_) {
    emit finished(false, tr("The sign-in was interrupted; try again."));
    return;
  }
  auth_->setCurrent(profile_, {});
  emit finished(true, {});
}

void PendingSignIn::complete(std::optional<QByteArray> derived, const PasswordRecord& record) {
  if (!running_ || shared_->cancelled || !derived) return;  // abandoned: nobody is waiting
  running_ = false;
  if (!auth_ || !profile_) {
    emit finished(false, tr("The sign-in was interrupted; try again."));
  } else if (derived->size() == 2 * AuthService::kRecordsKeyBytes &&
             constantTimeEquals(derived->left(record.hash.size()), record.hash)) {
    auth_->setCurrent(profile_, derived->right(AuthService::kRecordsKeyBytes));
    emit finished(true, {});
  } else {
    emit finished(false, tr("Wrong password for %1.").arg(profile_->name));
  }
}

AuthService::AuthService(Database& db, QObject* parent) : QObject(parent), db_(db) {}

PasswordRecord AuthService::hashPassword(const QString& password, int iterations, QByteArray* recordsKey) {
  PasswordRecord r;
  r.salt.resize(16);
  QRandomGenerator::system()->generate(reinterpret_cast<quint32*>(r.salt.data()),
                                       reinterpret_cast<quint32*>(r.salt.data() + r.salt.size()));
  r.iterations = iterations;
  // 64 bytes = two PBKDF2 blocks; the first alone is what a 32-byte
  // derivation gives, so hashes stored before the records key existed stay valid.
  const QByteArray derived = QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password.toUtf8(), r.salt,
                                                                iterations, 2 * kRecordsKeyBytes);
  r.hash = derived.left(32);
  if (recordsKey) *recordsKey = derived.right(kRecordsKeyBytes);
  return r;
}

QString AuthService::recordProblem(const PasswordRecord& record) {
  if (record.iterations != kPbkdf2Iterations)
    return QStringLiteral("The stored teacher password uses %1 PBKDF2 iterations, not the %2 this app always uses: it "
                          "was not set by ZAYA Tutor, so teacher mode stays locked. Restore the database from a backup "
                          "made before the change.")
        .arg(record.iterations)
        .arg(kPbkdf2Iterations);
  if (record.hash.size() != 32 || record.salt.size() != 16)
    return QStringLiteral("The stored teacher password is damaged (wrong hash or salt length), so teacher mode stays "
                          "locked. Restore the database from a backup.");
  return {};
}

std::optional<QByteArray> AuthService::checkPassword(const QString& password, const PasswordRecord& record) {
  if (!recordProblem(record).isEmpty()) return std::nullopt;
  const QByteArray derived = QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password.toUtf8(), record.salt,
                                                                record.iterations, 2 * kRecordsKeyBytes);
  if (!constantTimeEquals(derived.left(32), record.hash)) return std::nullopt;
  return derived.right(kRecordsKeyBytes);
}

void AuthService::setCurrent(const std::optional<Profile>& p, const QByteArray& recordsKey) {
  current_ = p;
  recordsKey_ = recordsKey;
  emit currentChanged();
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
  // First use only on a computer without classes: with the teacher's profile
  // removed from the database, setting up a new teacher would open the old
  // classes' records to whoever did it.
  if (!hasTeacher() && db_.hasClasses())
    throw AppError(AppError::Kind::PermissionDenied,
                   QStringLiteral("This computer already holds classes, but no teacher: teacher mode cannot be set up "
                                  "again over them. Restore the database from a backup that has the teacher."));
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
  QByteArray key;
  if (p->role == Role::Teacher) {
    const auto record = db_.password(profileId);
    if (record && !recordProblem(*record).isEmpty()) throw AppError(AppError::Kind::PermissionDenied, recordProblem(*record));
    const auto checked = record ? checkPassword(password, *record) : std::nullopt;
    if (!checked) throw AppError(AppError::Kind::PermissionDenied, QStringLiteral("Wrong password for %1.").arg(p->name));
    key = *checked;
  }
  setCurrent(p, key);
}

PendingSignIn* AuthService::beginSignIn(qint64 profileId, const QString& password, QObject* parent) {
  auto* pending = new PendingSignIn(this, parent);
  const auto p = db_.profile(profileId);
  if (!p) {
    pending->finishLater(false, tr("No profile with id %1.").arg(profileId));
    return pending;
  }
  pending->profile_ = p;
  if (p->role != Role::Teacher) {  // no password to check
    QMetaObject::invokeMethod(pending, [pending] { pending->completeStudent(); }, Qt::QueuedConnection);
    return pending;
  }
  const auto record = db_.password(profileId);
  if (!record) {
    pending->finishLater(false, tr("Wrong password for %1.").arg(p->name));
    return pending;
  }
  if (const QString problem = recordProblem(*record); !problem.isEmpty()) {
    pending->finishLater(false, problem);
    return pending;
  }
  // The worker only sees copies and the shared flag, never the objects here,
  // so it may outlive them; a finished check nobody waits for is dropped.
  auto* watcher = new QFutureWatcher<std::optional<QByteArray>>(pending);
  connect(watcher, &QFutureWatcherBase::finished, pending,
          [pending, watcher, record = *record] { pending->complete(watcher->result(), record); });
  watcher->setFuture(QtConcurrent::run([shared = pending->shared_, password, record = *record]() {
    return deriveKeyPbkdf2Sha256(password.toUtf8(), record.salt, record.iterations, 2 * kRecordsKeyBytes,
                                 &shared->cancelled);
  }));
  return pending;
}

void AuthService::signOut() { setCurrent(std::nullopt, {}); }

void AuthService::changePassword(const QString& oldPassword, const QString& newPassword,
                                 const std::function<void(const QByteArray&, const QByteArray&)>& resign) {
  const Profile& me = requireTeacher();
  const auto record = db_.password(me.id);
  const auto oldKey = record ? checkPassword(oldPassword, *record) : std::nullopt;
  if (!oldKey) throw AppError(AppError::Kind::PermissionDenied, QStringLiteral("The current password is wrong."));
  if (newPassword.size() < kMinPasswordLength)
    throw AppError(AppError::Kind::InvalidInput,
                   QStringLiteral("The password needs at least %1 characters.").arg(kMinPasswordLength));
  QByteArray newKey;
  const PasswordRecord fresh = hashPassword(newPassword, kPbkdf2Iterations, &newKey);  // slow: outside the transaction
  db_.write([&] {
    db_.setPassword(me.id, fresh);
    if (resign) resign(*oldKey, newKey);
  });
  recordsKey_ = newKey;
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
