// The model manager: gets a model onto this machine and ready to run.
//
//   None ──download()──▶ Downloading ─┐
//   None ──importSnapshot()─▶ Importing ─┼─▶ Verifying ─▶ Ready
//   Ready ──convert()──▶ Converting ─────┘        │
//   any stage ──error / cancel──▶ Failed(reason) ◀┘
//
// Downloading reuses ModelDownloader (resumable, checksummed, free-disk
// check). Importing copies or links a local snapshot into
// <models root>/<name> after a free-space check. Verifying loads the model
// with the engine's loader (zaya::Model::load) on a worker thread; for a pack
// it also recomputes every tensor's CRC-32C and fails naming the first
// damaged tensor (LoadOptions::verify). Converting
// runs the engine's quantiser (zaya::quantize_to_pack) in-process on
// a worker thread into <models root>/<name>-<preset>.zpack, then verifies the
// pack. Every worker stage reports progress and can be cancelled; a cancelled
// conversion leaves no partial pack (the pack writer removes its .part file).
// The chosen model is remembered in the database setting "model.active".
#pragma once

#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "model_downloader.h"
#include "zaya/config.h"

namespace zaya {
class Model;
}

namespace zaya::app {

class Database;

struct DeviceRecommendation {
  bool gpuFits = false;
  QString device;         // "gpu" or "cpu"
  QString gpuText;        // "Fits your 8 GB GPU (needs about 5.1 GB)" or why not
  QString cpuText;        // "CPU: about 6 tokens/s (needs about 5.1 GB of RAM)"
  double cpuTokensPerSecond = 0;
  std::uint64_t gpuBytes = 0, cpuBytes = 0;  // zaya::estimate_memory totals
  zaya::ModelConfig config;                  // of the model estimated for
};

class ModelManager : public QObject {
  Q_OBJECT
 public:
  enum class State { None, Downloading, Importing, Verifying, Converting, Ready, Failed };
  Q_ENUM(State)
  enum class Stage { Download, Import, Verify, Convert };
  Q_ENUM(Stage)

  static constexpr const char* kActiveModelSetting = "model.active";
  // Effective CPU memory bandwidth assumed for the tokens/s estimate: about
  // what a dual-channel DDR4-3200 desktop sustains in STREAM (~20 GB/s).
  static constexpr double kDefaultCpuBandwidth = 20e9;

  // `modelsRoot` empty = <dataDirectory()>/models. `db` may be null (no persistence).
  explicit ModelManager(Database* db, QString modelsRoot = {}, QObject* parent = nullptr);
  ~ModelManager() override;  // cancels and waits for a running worker

  ModelDownloader& downloader() { return downloader_; }
  // The Hugging Face access token for gated or private repositories. Kept in
  // its own owner-only file (hubTokenFile(), never in the database), loaded
  // at construction and sent by the downloader to the hub's own origin only.
  // "" forgets it (the file is removed). Throws AppError(ReadOnly) when the
  // file cannot be written or removed; the token in use is then unchanged.
  void setHubToken(const QString& token);
  QString hubToken() const { return hubToken_; }
  // Why the stored token could not be read at construction ("" when it could).
  QString hubTokenError() const { return hubTokenError_; }
  // <dataDirectory()>/hub-token
  static QString hubTokenFile();
  void setFreeSpaceQuery(std::function<qint64(const QString&)> query);

  void download(const QString& repo, const QString& revision, const QString& name);
  // `link` = symbolic links to the source files instead of copies.
  void importSnapshot(const QString& sourceDir, const QString& name, bool link = false);
  // Validates an installed folder or pack (e.g. the one remembered as active).
  void open(const QString& path);
  // Converts the ready checkpoint folder to a pack of `preset`
  // (zaya::quantize_presets(): "default", "q4" or "q8").
  void convert(const QString& preset);
  void cancel();

  State state() const { return state_; }
  QString failureReason() const { return reason_; }
  // After a download: the files the hub gave no checksum for (checked by
  // size only), in words; "" when every file was checked.
  QString downloadNote() const { return downloadNote_; }
  QString modelsRoot() const { return root_; }
  QString modelPath() const { return path_; }  // the ready (or last tried) model
  std::shared_ptr<const zaya::Model> model() const { return model_; }  // after Ready

  // Remembered active model (a path under the models root), or empty.
  QString activeModel() const;

  // GPU/CPU memory plan and device advice for a model folder or pack.
  static DeviceRecommendation recommend(const QString& path, std::int64_t contextTokens = 4096,
                                        double cpuBandwidth = kDefaultCpuBandwidth);
  // Measured streaming read bandwidth of this machine in bytes/s (the
  // engine's STREAM-like probe over a 256 MiB buffer; takes about a second,
  // call it off the GUI thread) — a better `cpuBandwidth` than the default.
  static double measureCpuBandwidth();
  // Bytes one decoded token reads from memory: every non-expert weight plus one
  // expert per layer (ZAYA1 routes each token to one expert or none).
  static double activeBytesPerToken(const QString& path);

 signals:
  void stateChanged(zaya::app::ModelManager::State state);
  void progress(zaya::app::ModelManager::Stage stage, double fraction, const QString& text);
  void finished(const QString& path);
  void failed(const QString& reason);

 private:
  void setState(State s);
  void fail(const QString& reason);
  bool busy() const;
  // Runs `job` on a worker thread; `done` runs on this object's thread after it.
  void runWorker(std::function<void()> job);
  void verify(const QString& path);

  Database* db_;
  QString root_;
  ModelDownloader downloader_;
  std::function<qint64(const QString&)> freeSpace_;
  State state_ = State::None;
  QString downloadNote_;
  QString hubToken_;
  QString hubTokenError_;
  QString reason_, path_, checkpointPath_;
  std::shared_ptr<const zaya::Model> model_;
  std::atomic<bool> cancel_{false};
  QThread* thread_ = nullptr;
};

}  // namespace zaya::app
