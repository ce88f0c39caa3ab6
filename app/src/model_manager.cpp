#include "model_manager.h"

#include "pack_presets.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStorageInfo>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "app_error.h"
#include "app_info.h"
#include "database.h"
#include "model_import.h"
#include "remote_backend.h"
#include "zaya/device.h"
#include "zaya/errors.h"
#include "zaya/memory_bandwidth.h"
#include "zaya/model.h"
#include "zaya/quantize.h"

namespace zaya::app {

namespace {

// Thrown from the quantiser's progress callback to stop a conversion; the
// pack writer's destructor then removes the unfinished file.
struct ConversionCancelled : std::runtime_error {
  ConversionCancelled() : std::runtime_error("cancelled") {}
};

QString gigabytes(std::uint64_t bytes) { return QString::number(double(bytes) / 1e9, 'f', 1); }

}  // namespace

ModelManager::ModelManager(Database* db, QString modelsRoot, QObject* parent)
    : QObject(parent), db_(db), root_(modelsRoot.isEmpty() ? QDir(dataDirectory()).filePath(QStringLiteral("models")) : modelsRoot) {
  freeSpace_ = [](const QString& dir) { return QStorageInfo(dir).bytesAvailable(); };
  connect(&downloader_, &ModelDownloader::progress, this, [this](qint64 done, qint64 total, const QString& file) {
    emit progress(Stage::Download, total > 0 ? double(done) / double(total) : 0.0, file);
  });
  connect(&downloader_, &ModelDownloader::finished, this, [this](const QString& dir) {
    const QStringList unchecked = downloader_.uncheckedFiles();
    downloadNote_ = unchecked.isEmpty() ? QString()
                                        : QStringLiteral("The hub gave no checksum for %1; checked by size only.")
                                              .arg(unchecked.join(QStringLiteral(", ")));
    verify(dir);
  });
  try {
    hubToken_ = api_key::load(hubTokenFile());
  } catch (const AppError& e) {
    hubTokenError_ = e.message();
  }
  downloader_.setToken(hubToken_);
  // A cancelled download also ends here, with the downloader's words.
  connect(&downloader_, &ModelDownloader::failed, this, [this](const QString& why) {
    if (state_ == State::Downloading) fail(why);
  });
}

ModelManager::~ModelManager() {
  cancel_.store(true);
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
}

QString ModelManager::hubTokenFile() { return QDir(dataDirectory()).filePath(QStringLiteral("hub-token")); }

void ModelManager::setHubToken(const QString& token) {
  const QString file = hubTokenFile();
  const QString trimmed = token.trimmed();
  if (trimmed.isEmpty()) {
    if (QFile::exists(file) && !QFile::remove(file))
      throw AppError(AppError::Kind::ReadOnly, QStringLiteral("Cannot remove the hub token file %1.").arg(file));
  } else {
    QDir().mkpath(QFileInfo(file).absolutePath());
    api_key::save(file, trimmed);
  }
  hubToken_ = trimmed;
  hubTokenError_.clear();
  downloader_.setToken(hubToken_);
}

void ModelManager::setFreeSpaceQuery(std::function<qint64(const QString&)> query) {
  freeSpace_ = query;
  downloader_.setFreeSpaceQuery(std::move(query));
}

void ModelManager::setState(State s) {
  if (s == state_) return;
  state_ = s;
  emit stateChanged(s);
}

void ModelManager::fail(const QString& reason) {
  reason_ = reason;
  setState(State::Failed);
  emit failed(reason);
}

bool ModelManager::busy() const {
  return state_ == State::Downloading || state_ == State::Importing || state_ == State::Verifying || state_ == State::Converting;
}

void ModelManager::runWorker(std::function<void()> job) {
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
  cancel_.store(false);
  thread_ = QThread::create(std::move(job));
  thread_->start();
}

void ModelManager::cancel() {
  cancel_.store(true);
  if (state_ == State::Downloading) downloader_.cancel();
}

QString ModelManager::activeModel() const {
  return db_ ? db_->setting(QString::fromLatin1(kActiveModelSetting)) : QString();
}

void ModelManager::download(const QString& repo, const QString& revision, const QString& name) {
  if (busy()) return;
  reason_.clear();
  model_.reset();
  QDir().mkpath(root_);
  setState(State::Downloading);
  downloadNote_.clear();
  downloader_.start(repo, revision, QDir(root_).filePath(name));
}

void ModelManager::importSnapshot(const QString& sourceDir, const QString& name, bool link) {
  if (busy()) return;
  reason_.clear();
  model_.reset();
  QDir().mkpath(root_);
  const QString target = QDir(root_).filePath(name);
  const qint64 free = freeSpace_ ? freeSpace_(root_) : -1;
  setState(State::Importing);
  runWorker([this, sourceDir, target, link, free] {
    QString error, path = target;
    try {
      const SnapshotInfo info = inspectSnapshot(sourceDir);
      copySnapshot(
          sourceDir, info, target, link, free,
          [this](double f) {
            QMetaObject::invokeMethod(this, [this, f] { emit progress(Stage::Import, f, tr("Copying the model")); }, Qt::QueuedConnection);
          },
          cancel_);
      if (info.variant == QStringLiteral("pack")) path = QDir(target).filePath(info.files.first());
    } catch (const AppError& e) {
      error = e.message();
    }
    QMetaObject::invokeMethod(this, [this, error, path] { error.isEmpty() ? verify(path) : fail(error); }, Qt::QueuedConnection);
  });
}

void ModelManager::open(const QString& path) {
  if (busy()) return;
  reason_.clear();
  verify(path);
}

void ModelManager::verify(const QString& path) {
  path_ = path;
  model_.reset();
  setState(State::Verifying);
  runWorker([this, path] {
    QString error;
    std::shared_ptr<const zaya::Model> model;
    try {
      zaya::LoadOptions o;
      o.device = zaya::DeviceKind::Cpu;  // validation only; the tutor picks its device when it runs
      o.cpu_fast_layout = false;         // nothing will run on this copy: skip the CPU's layout copy
      o.verify = true;                   // a pack: every tensor's checksum, so damage is named here, not as odd output later
      o.cancel = &cancel_;
      o.progress = [this](double f, const std::string& stage) {
        const QString text = QString::fromStdString(stage);
        QMetaObject::invokeMethod(this, [this, f, text] { emit progress(Stage::Verify, f, text); }, Qt::QueuedConnection);
      };
      model = zaya::Model::load(path.toStdString(), o);
    } catch (const zaya::Cancelled&) {
      error = tr("Checking the model was cancelled.");
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what());
    }
    QMetaObject::invokeMethod(
        this,
        [this, error, model, path] {
          if (!error.isEmpty()) return fail(error);
          model_ = model;
          if (!QFileInfo(path).isFile()) checkpointPath_ = path;
          if (db_) db_->setSetting(QString::fromLatin1(kActiveModelSetting), path);
          setState(State::Ready);
          emit finished(path);
        },
        Qt::QueuedConnection);
  });
}

void ModelManager::convert(const QString& preset) {
  if (busy()) return;
  if (state_ != State::Ready || checkpointPath_.isEmpty() || checkpointPath_ != path_) {
    fail(tr("Convert needs a checked checkpoint folder; import or download one first."));
    return;
  }
  reason_.clear();
  const QString source = checkpointPath_;
  const QString out = QDir(root_).filePath(QFileInfo(source).fileName() + QLatin1Char('-') + preset + QStringLiteral(".zpack"));
  model_.reset();  // the conversion maps the checkpoint itself
  setState(State::Converting);
  runWorker([this, source, out, preset] {
    QString error;
    try {
      if (QFileInfo::exists(out)) throw std::runtime_error(out.toStdString() + " already exists");
      zaya::QuantizeToPackOptions o;
      o.preset = preset.toStdString();
      o.progress = [this](double f, const std::string& tensor) {
        if (cancel_.load()) throw ConversionCancelled();
        const QString text = QString::fromStdString(tensor);
        QMetaObject::invokeMethod(this, [this, f, text] { emit progress(Stage::Convert, f, text); }, Qt::QueuedConnection);
      };
      zaya::quantize_to_pack(source.toStdString(), out.toStdString(), o);
    } catch (const ConversionCancelled&) {
      error = tr("Conversion cancelled.");
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what());
    }
    QMetaObject::invokeMethod(this, [this, error, out] { error.isEmpty() ? verify(out) : fail(error); }, Qt::QueuedConnection);
  });
}

double ModelManager::measureCpuBandwidth() {
  const int threads = std::max(1, QThread::idealThreadCount());
  return zaya::measure_memory_read_gbs(threads, std::size_t{256} << 20, 3) * 1e9;
}

namespace {

// The model mapped only to read its config and sizes: no page read ahead and
// no copy into the CPU's faster layout (seconds and gigabytes for the 8B
// model, for a look at two numbers).
std::shared_ptr<zaya::Model> inspect(const QString& path) {
  zaya::LoadOptions o;
  o.device = zaya::DeviceKind::Cpu;
  o.prefault = false;
  o.cpu_fast_layout = false;
  return zaya::Model::load(path.toStdString(), o);
}

}  // namespace

double ModelManager::activeBytesPerToken(const QString& path) { return double(inspect(path)->decode_bytes_per_token()); }

DeviceRecommendation ModelManager::recommend(const QString& path, std::int64_t contextTokens, double cpuBandwidth) {
  DeviceRecommendation r;
  const auto model = inspect(path);
  r.config = model->config();
  const zaya::MemoryEstimate e =
      zaya::estimate_memory(model->config(), model->weight_bytes(), contextTokens, 512, model->kv_cache_type());
  r.gpuBytes = r.cpuBytes = e.total_bytes;
  // CPU decode is memory-bound: tokens/s ≈ the bandwidth the engine reaches
  // / the bytes a token reads.
  const double perToken = double(model->decode_bytes_per_token());
  r.cpuTokensPerSecond = perToken > 0 ? cpuBandwidth * kCpuDecodeEfficiency / perToken : 0.0;
  r.cpuText = tr("CPU: about %1 tokens/s (needs about %2 GB of RAM)")
                  .arg(r.cpuTokensPerSecond >= 10 ? QString::number(std::lround(r.cpuTokensPerSecond))
                                                  : QString::number(r.cpuTokensPerSecond, 'f', 1),
                       gigabytes(e.total_bytes));
  const zaya::CudaProbeResult& cuda = zaya::probe_cuda();
  if (cuda.status == zaya::CudaStatus::Available && !cuda.devices.empty()) {
    const auto& d = cuda.devices.front();
    const QString size = QString::number(std::lround(double(d.total_memory_bytes) / double(1ull << 30)));
    r.gpuFits = d.total_memory_bytes >= e.total_bytes;
    r.gpuText = r.gpuFits ? tr("Fits your %1 GB GPU (needs about %2 GB)").arg(size, gigabytes(e.total_bytes))
                          : tr("Does not fit your %1 GB GPU (needs about %2 GB)").arg(size, gigabytes(e.total_bytes));
  } else {
    r.gpuText = QString::fromStdString(cuda.message);
  }
  r.device = r.gpuFits ? QStringLiteral("gpu") : QStringLiteral("cpu");
  return r;
}

}  // namespace zaya::app
