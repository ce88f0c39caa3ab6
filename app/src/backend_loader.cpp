#include "backend_loader.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

#include "app_error.h"
#include "calibration_source.h"
#include "database.h"
#include "engine_backend.h"
#include "model_manager.h"
#include "model_store.h"
#include "remote_backend.h"
#include "tutor_settings.h"

namespace zaya::app {

namespace {

// TutorSettings::device as the engine takes it; anything unknown is "auto".
zaya::DeviceKind deviceKind(const QString& setting) {
  if (setting == QLatin1String("cpu")) return zaya::DeviceKind::Cpu;
  if (setting == QLatin1String("gpu")) return zaya::DeviceKind::Cuda;
  return zaya::DeviceKind::Auto;
}

}  // namespace

BackendLoader::BackendLoader(QString modelsRoot, QObject* parent) : QObject(parent), modelsRoot_(std::move(modelsRoot)) {}

BackendLoader::~BackendLoader() = default;

void BackendLoader::load(Database* db) {
  ++generation_;
  engine_.reset();  // nobody asks the model being replaced any more
  loading_ = false;
  const TutorSettings settings = db ? TutorSettings::load(*db) : TutorSettings{};
  emit started(settings.remote);
  if (settings.remote) {
    loadRemote(settings);
    return;
  }
  // The model the model manager last made ready, while it is still there; else the first installed.
  const QString active = db ? db->setting(QString::fromLatin1(ModelManager::kActiveModelSetting)) : QString();
  InstalledModel model;
  if (!active.isEmpty() && QFileInfo::exists(active)) {
    model.path = active;
    model.name = QFileInfo(active).completeBaseName();
  } else if (const auto installed = ModelStore(modelsRoot_).installed(); !installed.isEmpty()) {
    model = installed.front();
  } else {
    emit calibrationChanged(nullptr, {},
                            tr("No model installed yet — expert profiles are measured on ZAYA1-8B. The model manager "
                               "downloads or imports it."));
    emit loaded(nullptr, tr("No model installed yet — hints and solutions need ZAYA1-8B."));
    return;
  }
  loading_ = true;
  emit loading(model.name);
  zaya::LoadOptions options;
  options.device = deviceKind(settings.device);
  using Result = std::pair<std::shared_ptr<EngineBackend>, QString>;
  auto* watcher = new QFutureWatcher<Result>(this);
  const int generation = generation_;
  connect(watcher, &QFutureWatcher<Result>::finished, this, [this, watcher, model, generation] {
    auto [backend, error] = watcher->result();
    watcher->deleteLater();
    finishLocal(generation, model.name, QFileInfo(model.path).fileName(), std::move(backend), error);
  });
  watcher->setFuture(QtConcurrent::run([path = model.path, options]() -> Result {
    try {
      return {EngineBackend::load(path, {}, options), {}};
    } catch (const std::exception& e) {
      return {nullptr, QString::fromStdString(e.what())};
    }
  }));
}

void BackendLoader::loadRemote(const TutorSettings& settings) {
  // The server is asked nothing until the first hint: "Test connection" in Settings checks it on demand.
  const QUrl url = QUrl::fromUserInput(settings.remoteUrl);
  if (settings.remoteUrl.isEmpty() || !url.isValid() || url.host().isEmpty()) {
    emit loaded(nullptr, tr("A remote server is chosen in Settings, but its address is missing."));
    return;
  }
  QString key;
  try {
    key = api_key::load(TutorSettings::apiKeyFile());
  } catch (const AppError& e) {
    emit notice(e.message());  // asked without a key, the server says what it thinks of that
  }
  emit loaded(std::make_shared<RemoteBackend>(url, settings.remoteModel, key), {});
}

void BackendLoader::finishLocal(int generation, const QString& name, const QString& fileName,
                                std::shared_ptr<EngineBackend> backend, const QString& error) {
  if (generation != generation_) return;  // a newer load (other model, device or server) replaced this one
  loading_ = false;
  if (!backend) {
    const QString why = tr("The model %1 could not be loaded: %2").arg(name, error);
    emit calibrationChanged(nullptr, {}, why);
    emit loaded(nullptr, why);
    return;
  }
  engine_ = backend;
  // The stored profile is named by the model's file, as the expert screen has always kept it.
  emit calibrationChanged(CalibrationSource::fromEngine(backend), fileName, {});
  emit loaded(backend, {});
}

}  // namespace zaya::app
