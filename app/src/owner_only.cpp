#include "owner_only.h"

#include <QDir>
#include <QFile>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace zaya::app {

bool makeOwnerOnlyFolder(const QString& dir) {
  if (!QDir().mkpath(dir)) return false;
  restrictFolder(dir);
  return true;
}

void restrictFolder(const QString& dir) {
  // Only the group and other bits go: a folder its owner made read-only stays read-only.
  const QByteArray name = QFile::encodeName(dir);
  struct stat st {};
  if (::stat(name.constData(), &st) == 0 && (st.st_mode & 077)) ::chmod(name.constData(), st.st_mode & 0700);
}

void createOwnerOnlyFile(const QString& path) {
  const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
}

void makeOwnerOnly(const QString& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    const QByteArray name = QFile::encodeName(path + QLatin1String(suffix));
    struct stat st {};
    if (::stat(name.constData(), &st) == 0 && (st.st_mode & 077)) ::chmod(name.constData(), st.st_mode & 0700);
  }
}

}  // namespace zaya::app
