// Downloads a model snapshot from a Hugging Face hub by repo id and revision.
//
//   1. GET {endpoint}/api/models/{repo}/revision/{rev}?blobs=true → siblings
//      (path, size, lfs.sha256); a HEAD of the file URL fills a missing size
//      (X-Linked-Size / Content-Length) and sha256 (X-Linked-Etag / ETag).
//   2. Free-disk check (QStorageInfo, injectable) before any byte is fetched.
//   3. Each file from {endpoint}/{repo}/resolve/{rev}/{path} into
//      <target>/<path>.part, resumed with an HTTP Range request after a cut;
//      then size and sha256 checks (git blob id for small files the hub
//      lists one for; uncheckedFiles() names the rest), and a rename.
// Redirects are followed by hand (at most 10): the token goes only to the
// endpoint's own origin, never to the host a redirect points at (the hub
// sends large files to a CDN). A file transfer that receives less than
// minimum bytes per stall window fails as stalled; more bytes than the
// listing gives stop it at once, before they reach the disk.
// Progress and cancel at any time; a cancelled or failed download keeps its
// .part files so the next start resumes. Runs on the caller's thread
// (asynchronous, signals).
#pragma once

#include <QCryptographicHash>
#include <QFile>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <memory>

#include "app_error.h"

class QNetworkReply;
class QTimer;

namespace zaya::app {

struct HubFile {
  QString path;
  qint64 size = -1;
  QByteArray sha256;  // lower-case hex; empty when the hub gives none (small non-LFS files)
  QByteArray gitBlobId;  // sha1 of "blob <size>\0" + content, lower-case hex; listed for small files
};

class ModelDownloader : public QObject {
  Q_OBJECT
 public:
  enum class State { Idle, Listing, Downloading, Verifying, Done, Failed, Cancelled };
  Q_ENUM(State)

  explicit ModelDownloader(QObject* parent = nullptr);

  void setEndpoint(const QUrl& endpoint) { endpoint_ = endpoint; }  // default https://huggingface.co
  void setToken(const QString& token) { token_ = token; }
  // Bytes free at a folder; the default asks QStorageInfo.
  void setFreeSpaceQuery(std::function<qint64(const QString&)> query) { freeSpace_ = std::move(query); }
  void setTimeoutMs(int ms) { timeoutMs_ = ms; }
  // A file transfer that gets fewer than `minBytes` in any `windowMs` fails as stalled.
  void setStallRule(int windowMs, qint64 minBytes) {
    stallWindowMs_ = windowMs;
    stallMinBytes_ = minBytes;
  }

  void start(const QString& repo, const QString& revision, const QString& targetDir);
  void cancel();

  State state() const { return state_; }
  QString errorMessage() const { return error_; }
  AppError::Kind errorKind() const { return errorKind_; }
  const QList<HubFile>& files() const { return files_; }
  // Files of the finished download the hub gave no checksum for (checked by size only).
  QStringList uncheckedFiles() const;

 signals:
  void stateChanged(zaya::app::ModelDownloader::State state);
  void progress(qint64 bytesDone, qint64 bytesTotal, const QString& file);
  void finished(const QString& targetDir);
  void failed(const QString& message);

 private:
  QNetworkRequest request(const QUrl& url) const;
  // For a 3xx reply: the next URL (an error message instead when there is none
  // or too many hops); invalid when `r` is no redirect.
  QUrl redirectTarget(QNetworkReply* r, int hops, QString* error) const;
  void startStallWatch();
  void onStallCheck();
  QUrl fileUrl(const HubFile& f) const;
  void setState(State s);
  void fail(AppError::Kind kind, const QString& message);
  void onListing();
  void headNext(int index, const QUrl& url = {}, int hops = 0);
  void checkSpaceAndDownload();
  void downloadFile(int index, const QUrl& url = {}, int hops = 0);
  void finishFile(int index);

  QNetworkAccessManager nam_;
  QUrl endpoint_{QStringLiteral("https://huggingface.co")};
  QString token_;
  std::function<qint64(const QString&)> freeSpace_;
  int timeoutMs_ = 60000;
  QString repo_, revision_, target_;
  State state_ = State::Idle;
  QString error_;
  AppError::Kind errorKind_ = AppError::Kind::Network;
  QList<HubFile> files_;
  QPointer<QNetworkReply> reply_;
  std::unique_ptr<QFile> part_;
  std::unique_ptr<QCryptographicHash> hash_;
  std::unique_ptr<QCryptographicHash> blobHash_;  // git blob id of the file being written
  QTimer* stallTimer_ = nullptr;
  int stallWindowMs_ = 30000;
  qint64 stallMinBytes_ = 16 * 1024;
  qint64 windowBytes_ = 0;  // received in the current stall window
  qint64 bytesTotal_ = 0, bytesDone_ = 0;
};

}  // namespace zaya::app
