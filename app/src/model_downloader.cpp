#include "model_downloader.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QStorageInfo>
#include <QTimer>

namespace zaya::app {

namespace {
bool isSha256Hex(const QByteArray& s) {
  static const QRegularExpression re(QStringLiteral("^[0-9a-f]{64}$"));
  return re.match(QString::fromLatin1(s)).hasMatch();
}
QString mb(qint64 bytes) { return QString::number(bytes / 1e6, 'f', 1) + QStringLiteral(" MB"); }
bool sameOrigin(const QUrl& a, const QUrl& b) {
  return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0 &&
         a.port(a.scheme() == QLatin1String("https") ? 443 : 80) == b.port(b.scheme() == QLatin1String("https") ? 443 : 80);
}
constexpr int kMaxRedirects = 10;
}  // namespace

ModelDownloader::ModelDownloader(QObject* parent) : QObject(parent) {
  freeSpace_ = [](const QString& dir) { return QStorageInfo(dir).bytesAvailable(); };
  stallTimer_ = new QTimer(this);
  connect(stallTimer_, &QTimer::timeout, this, &ModelDownloader::onStallCheck);
}

QStringList ModelDownloader::uncheckedFiles() const {
  QStringList out;
  for (const HubFile& f : files_)
    if (f.sha256.isEmpty() && f.gitBlobId.isEmpty()) out << f.path;
  return out;
}

QUrl ModelDownloader::redirectTarget(QNetworkReply* r, int hops, QString* error) const {
  const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (status < 300 || status >= 400 || status == 304) return {};
  const QUrl location = r->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl();
  if (!location.isValid() || location.isEmpty()) {
    *error = QStringLiteral("the hub answered HTTP %1 without a location").arg(status);
    return {};
  }
  if (hops >= kMaxRedirects) {
    *error = QStringLiteral("more than %1 redirects").arg(kMaxRedirects);
    return {};
  }
  const QUrl next = r->url().resolved(location);
  if (next.scheme() != QLatin1String("https") && next.scheme() != QLatin1String("http")) {
    *error = QStringLiteral("a redirect to %1").arg(next.toString());
    return {};
  }
  return next;
}

void ModelDownloader::startStallWatch() {
  windowBytes_ = 0;
  stallTimer_->start(stallWindowMs_);
}

void ModelDownloader::onStallCheck() {
  if (state_ != State::Downloading || !reply_) return stallTimer_->stop();
  if (windowBytes_ >= stallMinBytes_) {
    windowBytes_ = 0;
    return;
  }
  const qint64 got = windowBytes_;
  QNetworkReply* r = reply_;
  reply_ = nullptr;
  r->disconnect(this);
  r->abort();
  r->deleteLater();
  stallTimer_->stop();
  fail(AppError::Kind::Network, QStringLiteral("The download stalled: %1 bytes in %2 s from %3; start again to resume.")
                                    .arg(got)
                                    .arg(stallWindowMs_ / 1000.0, 0, 'f', 1)
                                    .arg(r->url().host()));
}

QNetworkRequest ModelDownloader::request(const QUrl& url) const {
  QNetworkRequest r(url);
  r.setTransferTimeout(timeoutMs_);
  r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
  // The token is for the hub itself: never sent to another origin a redirect leads to.
  if (!token_.isEmpty() && sameOrigin(url, endpoint_)) r.setRawHeader("Authorization", "Bearer " + token_.toUtf8());
  return r;
}

QUrl ModelDownloader::fileUrl(const HubFile& f) const {
  QUrl u = endpoint_;
  u.setPath(u.path() + QStringLiteral("/%1/resolve/%2/%3").arg(repo_, revision_, f.path));
  return u;
}

void ModelDownloader::setState(State s) {
  state_ = s;
  emit stateChanged(s);
}

void ModelDownloader::fail(AppError::Kind kind, const QString& message) {
  stallTimer_->stop();
  if (part_) part_->close();
  part_.reset();
  errorKind_ = kind;
  error_ = message;
  setState(kind == AppError::Kind::Cancelled ? State::Cancelled : State::Failed);
  emit failed(message);
}

void ModelDownloader::start(const QString& repo, const QString& revision, const QString& targetDir) {
  static const QRegularExpression repoRe(QStringLiteral("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"));
  if (!repoRe.match(repo).hasMatch()) return fail(AppError::Kind::InvalidInput, QStringLiteral("\"%1\" is not a repo id (owner/name).").arg(repo));
  repo_ = repo;
  revision_ = revision.isEmpty() ? QStringLiteral("main") : revision;
  target_ = targetDir;
  files_.clear();
  error_.clear();
  bytesDone_ = bytesTotal_ = 0;
  if (!QDir().mkpath(target_)) return fail(AppError::Kind::ReadOnly, QStringLiteral("Cannot create %1.").arg(target_));
  setState(State::Listing);
  QUrl u = endpoint_;
  u.setPath(u.path() + QStringLiteral("/api/models/%1/revision/%2").arg(repo_, revision_));
  u.setQuery(QStringLiteral("blobs=true"));
  reply_ = nam_.get(request(u));
  reply_->setProperty("hops", 0);
  connect(reply_, &QNetworkReply::finished, this, &ModelDownloader::onListing);
}

void ModelDownloader::cancel() {
  if (state_ != State::Listing && state_ != State::Downloading) return;
  QNetworkReply* r = reply_;
  reply_ = nullptr;
  if (r) {
    r->disconnect(this);
    r->abort();
    r->deleteLater();
  }
  fail(AppError::Kind::Cancelled, QStringLiteral("Download cancelled; it resumes where it stopped when started again."));
}

void ModelDownloader::onListing() {
  QNetworkReply* r = reply_;
  r->deleteLater();
  QString why;
  const int hops = r->property("hops").toInt();
  if (const QUrl next = redirectTarget(r, hops, &why); next.isValid()) {
    reply_ = nam_.get(request(next));
    reply_->setProperty("hops", hops + 1);
    connect(reply_, &QNetworkReply::finished, this, &ModelDownloader::onListing);
    return;
  }
  if (!why.isEmpty()) return fail(AppError::Kind::Network, QStringLiteral("Cannot list %1: %2.").arg(repo_, why));
  const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (status == 401 || status == 403)
    return fail(AppError::Kind::Unauthorized, QStringLiteral("The hub refused access to %1 (HTTP %2); a token may be needed.").arg(repo_).arg(status));
  if (status == 404) return fail(AppError::Kind::NotFound, QStringLiteral("%1 at revision %2 was not found on %3.").arg(repo_, revision_, endpoint_.toString()));
  if (r->error() != QNetworkReply::NoError)
    return fail(AppError::Kind::Network, QStringLiteral("Cannot list %1 on %2: %3").arg(repo_, endpoint_.toString(), r->errorString()));
  const QJsonDocument doc = QJsonDocument::fromJson(r->readAll());
  const QJsonArray siblings = doc.object().value("siblings").toArray();
  if (siblings.isEmpty()) return fail(AppError::Kind::InvalidInput, QStringLiteral("The hub's listing of %1 has no files.").arg(repo_));
  for (const auto& v : siblings) {
    const QJsonObject o = v.toObject();
    HubFile f;
    f.path = o.value("rfilename").toString();
    if (f.path.isEmpty() || f.path.contains(QStringLiteral("..")) || f.path.startsWith(QLatin1Char('/')))
      return fail(AppError::Kind::InvalidInput, QStringLiteral("The hub's listing has a bad file name \"%1\".").arg(f.path));
    const QJsonObject lfs = o.value("lfs").toObject();
    f.size = qint64(lfs.value("size").toDouble(o.value("size").toDouble(-1)));
    f.sha256 = lfs.value("sha256").toString().toLatin1();
    if (f.sha256.isEmpty()) {  // a small file: the hub lists its git blob id
      static const QRegularExpression sha1(QStringLiteral("^[0-9a-f]{40}$"));
      const QString blob = o.value("blobId").toString().toLower();
      if (sha1.match(blob).hasMatch()) f.gitBlobId = blob.toLatin1();
    }
    files_ << f;
  }
  headNext(0);
}

void ModelDownloader::headNext(int index, const QUrl& url, int hops) {
  while (url.isEmpty() && index < files_.size() && files_[index].size >= 0) ++index;
  if (index >= files_.size()) return checkSpaceAndDownload();
  reply_ = nam_.head(request(url.isEmpty() ? fileUrl(files_[index]) : url));
  connect(reply_, &QNetworkReply::finished, this, [this, index, hops] {
    QNetworkReply* r = reply_;
    r->deleteLater();
    QString why;
    // The hub answers a large file's HEAD with a redirect that carries its size.
    if (const QUrl next = redirectTarget(r, hops, &why); next.isValid() && r->rawHeader("X-Linked-Size").isEmpty())
      return headNext(index, next, hops + 1);
    if (!why.isEmpty()) return fail(AppError::Kind::Network, QStringLiteral("Cannot read the size of %1: %2.").arg(files_[index].path, why));
    if (r->error() != QNetworkReply::NoError && r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() / 100 != 3)
      return fail(AppError::Kind::Network, QStringLiteral("Cannot read the size of %1: %2").arg(files_[index].path, r->errorString()));
    const QByteArray linked = r->rawHeader("X-Linked-Size");
    files_[index].size = linked.isEmpty() ? r->header(QNetworkRequest::ContentLengthHeader).toLongLong() : linked.toLongLong();
    QByteArray etag = r->rawHeader("X-Linked-Etag");
    if (etag.isEmpty()) etag = r->rawHeader("ETag");
    etag.replace('"', "");
    if (etag.startsWith("W/")) etag = etag.mid(2);
    if (isSha256Hex(etag)) files_[index].sha256 = etag;
    headNext(index + 1);
  });
}

void ModelDownloader::checkSpaceAndDownload() {
  qint64 needed = 0;
  for (const auto& f : files_) {
    bytesTotal_ += f.size;
    const QString final = QDir(target_).filePath(f.path);
    const qint64 have = QFileInfo(final).exists() ? f.size : QFileInfo(final + QStringLiteral(".part")).size();
    bytesDone_ += std::min(have, f.size);
    needed += std::max<qint64>(0, f.size - have);
  }
  const qint64 free = freeSpace_(target_);
  if (free >= 0 && needed > free)
    return fail(AppError::Kind::DiskFull, QStringLiteral("Not enough disk space in %1: the download needs %2 more, %3 is free.")
                                              .arg(QDir::toNativeSeparators(target_), mb(needed), mb(free)));
  setState(State::Downloading);
  emit progress(bytesDone_, bytesTotal_, QString());
  downloadFile(0);
}

void ModelDownloader::downloadFile(int index, const QUrl& url, int hops) {
  if (index >= files_.size()) {
    setState(State::Done);
    emit finished(target_);
    return;
  }
  const HubFile& f = files_[index];
  const QString final = QDir(target_).filePath(f.path);
  if (QFileInfo(final).exists() && QFileInfo(final).size() == f.size) return downloadFile(index + 1);
  QDir().mkpath(QFileInfo(final).absolutePath());
  part_ = std::make_unique<QFile>(final + QStringLiteral(".part"));
  if (!part_->open(QIODevice::ReadWrite))
    return fail(AppError::Kind::ReadOnly, QStringLiteral("Cannot write %1: %2").arg(part_->fileName(), part_->errorString()));
  hash_ = std::make_unique<QCryptographicHash>(QCryptographicHash::Sha256);
  blobHash_ = std::make_unique<QCryptographicHash>(QCryptographicHash::Sha1);
  blobHash_->addData("blob " + QByteArray::number(f.size) + '\0');
  qint64 have = part_->size();
  if (have > f.size) {  // longer than the file: start over
    part_->resize(0);
    have = 0;
  }
  // Hash what is already there so the final check covers the whole file.
  while (!part_->atEnd()) {
    const QByteArray piece = part_->read(1 << 20);
    hash_->addData(piece);
    blobHash_->addData(piece);
  }
  QNetworkRequest req = request(url.isEmpty() ? fileUrl(f) : url);
  if (have > 0) req.setRawHeader("Range", "bytes=" + QByteArray::number(have) + '-');
  reply_ = nam_.get(req);
  startStallWatch();
  connect(reply_, &QNetworkReply::readyRead, this, [this, index, have] {
    QNetworkReply* r = reply_;
    const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    windowBytes_ += r->bytesAvailable();
    if (status >= 300) return;  // an error page or a redirect's body: never file content
    if (have > 0 && status == 200 && part_->size() == have && part_->pos() == have) {
      // The server ignored the Range header: start this file over.
      part_->resize(0);
      part_->seek(0);
      hash_->reset();
    }
    const QByteArray chunk = r->readAll();
    if (part_->pos() + chunk.size() > files_[index].size) {
      // More than the listing gave: stop before the extra bytes reach the disk.
      const QString partName = part_->fileName();
      r->disconnect(this);
      r->abort();
      r->deleteLater();
      fail(AppError::Kind::InvalidInput, QStringLiteral("The hub sent more of %1 than the %2 bytes it lists; the download was stopped "
                                                        "and the partial file deleted.")
                                             .arg(files_[index].path)
                                             .arg(files_[index].size));
      QFile::remove(partName);
      return;
    }
    if (part_->write(chunk) != chunk.size()) {
      r->disconnect(this);
      r->abort();
      return fail(AppError::Kind::DiskFull, QStringLiteral("Cannot write %1: %2").arg(part_->fileName(), part_->errorString()));
    }
    hash_->addData(chunk);
    blobHash_->addData(chunk);
    bytesDone_ += chunk.size();
    emit progress(bytesDone_, bytesTotal_, files_[index].path);
  });
  connect(reply_, &QNetworkReply::finished, this, [this, index, hops] {
    QNetworkReply* r = reply_;
    r->deleteLater();
    stallTimer_->stop();
    const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString why;
    if (const QUrl next = redirectTarget(r, hops, &why); next.isValid()) {
      part_->close();
      part_.reset();
      return downloadFile(index, next, hops + 1);
    }
    if (!why.isEmpty()) return fail(AppError::Kind::Network, QStringLiteral("Downloading %1 failed: %2.").arg(files_[index].path, why));
    part_->flush();
    if (status == 401 || status == 403)
      return fail(AppError::Kind::Unauthorized, QStringLiteral("The hub refused %1 (HTTP %2).").arg(files_[index].path).arg(status));
    if (status >= 400 && status != 416)
      return fail(AppError::Kind::Network, QStringLiteral("Downloading %1 failed: HTTP %2.").arg(files_[index].path).arg(status));
    if (r->error() != QNetworkReply::NoError && status != 416)
      return fail(AppError::Kind::Network, QStringLiteral("Downloading %1 was interrupted (%2); start again to resume.")
                                               .arg(files_[index].path, r->errorString()));
    finishFile(index);
  });
}

void ModelDownloader::finishFile(int index) {
  const HubFile& f = files_[index];
  setState(State::Verifying);
  const QString partName = part_->fileName();
  const qint64 size = part_->size();
  part_->close();
  part_.reset();
  const QString final = QDir(target_).filePath(f.path);
  if (size != f.size) {
    if (size > f.size) QFile::remove(partName);
    return fail(AppError::Kind::InvalidInput, QStringLiteral("%1 has %2 bytes; the hub lists %3.").arg(f.path).arg(size).arg(f.size));
  }
  const QByteArray blobId = blobHash_->result().toHex();
  if (f.sha256.isEmpty() && !f.gitBlobId.isEmpty() && blobId != f.gitBlobId) {
    QFile::remove(partName);
    return fail(AppError::Kind::InvalidInput, QStringLiteral("%1 does not match the hub's listing: its git blob id is %2, the hub "
                                                             "lists %3. It was deleted; start again to download it afresh.")
                                                  .arg(f.path, QString::fromLatin1(blobId), QString::fromLatin1(f.gitBlobId)));
  }
  const QByteArray digest = hash_->result().toHex();
  if (!f.sha256.isEmpty() && digest != f.sha256) {
    QFile::remove(partName);  // corrupted: the next start downloads it afresh
    return fail(AppError::Kind::InvalidInput, QStringLiteral("%1 is corrupted: its sha256 is %2, the hub lists %3. It was deleted; "
                                                             "start again to download it afresh.")
                                                  .arg(f.path, QString::fromLatin1(digest), QString::fromLatin1(f.sha256)));
  }
  QFile::remove(final);
  if (!QFile::rename(partName, final)) return fail(AppError::Kind::ReadOnly, QStringLiteral("Cannot rename %1.").arg(partName));
  setState(State::Downloading);
  downloadFile(index + 1);
}

}  // namespace zaya::app
