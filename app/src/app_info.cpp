#include "app_info.h"

#include <QDir>
#include <QStandardPaths>

namespace zaya::app {

QString applicationName() { return QStringLiteral("ZAYA Tutor"); }
QString applicationVersion() { return QStringLiteral(ZAYA_VERSION); }

QString dataDirectory() {
  const QString overridden = qEnvironmentVariable("ZAYA_DATA_DIR");
  QString dir = overridden.isEmpty() ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) : overridden;
  if (dir.isEmpty()) dir = QDir::homePath() + QStringLiteral("/.local/share/zaya-tutor");
  return dir;
}

}  // namespace zaya::app
