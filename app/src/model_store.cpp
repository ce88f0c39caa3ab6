#include "model_store.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

namespace zaya::app {

ModelStore::ModelStore(QString root) : root_(std::move(root)) {}

QList<InstalledModel> ModelStore::installed() const {
  QList<InstalledModel> out;
  QDir dir(root_);
  if (!dir.exists()) return out;
  for (const QFileInfo& entry : dir.entryInfoList(QDir::Dirs | QDir::Files | QDir::NoDotAndDotDot, QDir::Name)) {
    InstalledModel m;
    m.name = entry.completeBaseName();
    m.path = entry.absoluteFilePath();
    if (entry.isFile()) {
      if (entry.suffix() != QLatin1String("zpack")) continue;
      m.bytes = entry.size();
    } else {
      // A snapshot folder counts once it has a config and at least one weights file.
      QDir model(entry.absoluteFilePath());
      if (!model.exists(QStringLiteral("config.json"))) continue;
      if (model.entryList({QStringLiteral("*.safetensors"), QStringLiteral("*.zpack")}, QDir::Files).isEmpty()) continue;
      QDirIterator it(entry.absoluteFilePath(), QDir::Files, QDirIterator::Subdirectories);
      while (it.hasNext()) m.bytes += QFileInfo(it.next()).size();
    }
    out.push_back(m);
  }
  return out;
}

}  // namespace zaya::app
