// Where installed models live and which one is active. A model is a folder
// under <data>/models/ holding either a Hugging Face snapshot (config.json +
// safetensors) or an engine pack (*.zpack). Nothing is loaded here.
#pragma once

#include <QString>
#include <QStringList>

namespace zaya::app {

struct InstalledModel {
  QString name;  // folder name, e.g. "ZAYA1-8B-q4"
  QString path;  // absolute path to the folder or pack file
  qint64 bytes = 0;
};

class ModelStore {
 public:
  explicit ModelStore(QString root);  // root = <data>/models
  QString root() const { return root_; }
  QList<InstalledModel> installed() const;
  bool hasModel() const { return !installed().isEmpty(); }

 private:
  QString root_;
};

}  // namespace zaya::app
