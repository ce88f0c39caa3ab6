// Which backend writes the tutor's replies, per the stored settings: the
// remote server, the local engine on the chosen device (the model the model
// manager last made active while it is there, else the first installed), or
// none, and why. The local model is read off the GUI thread; a newer load()
// supersedes an older one, whose result is dropped.
//
// The screens see only app types: a GenerationBackend for the tutor, the
// loaded EngineBackend for the status line, a CalibrationSource for the
// expert profiles.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

#include "generation_backend.h"

namespace zaya::app {

class CalibrationSource;
class Database;
class EngineBackend;
struct TutorSettings;

class BackendLoader : public QObject {
  Q_OBJECT
 public:
  // `modelsRoot`: the installed models' folder (ModelStore).
  explicit BackendLoader(QString modelsRoot, QObject* parent = nullptr);
  ~BackendLoader() override;

  // Starts choosing and loading per `db`'s settings and active model (null:
  // the default settings, no active model). The outcome comes as signals:
  // started, then for a local model loading, then calibrationChanged (not for
  // a remote server) and loaded, in that order.
  void load(Database* db);
  // The local model of the last finished load; null while loading, for a
  // remote server, or when none could be loaded.
  std::shared_ptr<EngineBackend> engine() const { return engine_; }
  bool isLoading() const { return loading_; }

 signals:
  // A load began: whether the remote server was chosen.
  void started(bool remote);
  // A local model is being read; `modelName` as the student knows it.
  void loading(const QString& modelName);
  // What the expert calibration can read with, and the stored profile's id;
  // null and why not when there is no local model.
  void calibrationChanged(std::shared_ptr<const zaya::app::CalibrationSource> source, const QString& modelId,
                          const QString& whyNot);
  // The tutor's backend, or null and why there is none.
  void loaded(std::shared_ptr<zaya::app::GenerationBackend> backend, const QString& whyUnavailable);
  // Something to say in passing that does not stop the load (the API key file could not be read).
  void notice(const QString& message);

 private:
  void loadRemote(const TutorSettings& settings);
  void finishLocal(int generation, const QString& name, const QString& fileName,
                   std::shared_ptr<EngineBackend> backend, const QString& error);

  QString modelsRoot_;
  int generation_ = 0;  // of load(): results of older loads are dropped
  bool loading_ = false;
  std::shared_ptr<EngineBackend> engine_;
};

}  // namespace zaya::app
