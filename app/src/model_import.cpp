#include "model_import.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include "app_error.h"

namespace zaya::app {

namespace {

AppError invalid(const QString& message) { return AppError(AppError::Kind::InvalidInput, message); }

}  // namespace

SnapshotInfo inspectSnapshot(const QString& source) {
  SnapshotInfo info;
  const QFileInfo src(source);
  if (src.isFile()) {
    if (!source.endsWith(QStringLiteral(".zpack"))) throw invalid(QStringLiteral("%1: not a model folder or a .zpack file").arg(source));
    info.files << src.fileName();
    info.bytes = src.size();
    info.variant = QStringLiteral("pack");
    return info;
  }
  if (!src.isDir()) throw invalid(QStringLiteral("%1: no such folder").arg(source));
  const QDir dir(source);
  QFile config(dir.filePath(QStringLiteral("config.json")));
  if (!config.open(QIODevice::ReadOnly)) throw invalid(QStringLiteral("%1: no config.json; this is not a model snapshot").arg(source));
  QJsonParseError err;
  const QJsonDocument doc = QJsonDocument::fromJson(config.readAll(), &err);
  if (!doc.isObject()) throw invalid(QStringLiteral("%1: %2").arg(config.fileName(), err.errorString()));
  const QJsonObject cfg = doc.object();
  info.variant = QStringLiteral("bf16");
  if (cfg.contains(QStringLiteral("quantization_config"))) {
    const QString q = QString::fromUtf8(QJsonDocument(cfg.value(QStringLiteral("quantization_config")).toObject()).toJson()).toLower();
    // Same rule and words as the engine's quantiser (pack/quantize.cpp).
    if (q.contains(QStringLiteral("mxfp4")))
      throw invalid(QStringLiteral("%1: this is an MXFP4-experts checkpoint, which ZAYA Tutor does not read; "
                                   "import Zyphra/ZAYA1-8B (bf16) or Zyphra/ZAYA1-8B-FP8-Experts instead")
                        .arg(config.fileName()));
    if (q.contains(QStringLiteral("fp8"))) info.variant = QStringLiteral("fp8-experts");
  }
  bool weights = false;
  QDirIterator it(source, QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString path = it.next();
    const QString rel = dir.relativeFilePath(path);
    if (rel.startsWith(QLatin1Char('.'))) continue;  // .cache, .git of a hub snapshot
    if (rel.endsWith(QStringLiteral(".safetensors"))) weights = true;
    info.files << rel;
    info.bytes += QFileInfo(path).size();
  }
  if (!weights) throw invalid(QStringLiteral("%1: no .safetensors weights").arg(source));
  info.files.sort();
  return info;
}

void copySnapshot(const QString& source, const SnapshotInfo& info, const QString& target, bool link, qint64 freeBytes,
                  const std::function<void(double)>& progress, const std::atomic<bool>& cancel) {
  if (QFileInfo::exists(target)) throw invalid(QStringLiteral("%1 already exists; choose another name").arg(target));
  if (!link && freeBytes >= 0 && freeBytes < info.bytes)
    throw AppError(AppError::Kind::DiskFull, QStringLiteral("The model needs %1 MB but only %2 MB are free at %3")
                                                 .arg(info.bytes >> 20)
                                                 .arg(freeBytes >> 20)
                                                 .arg(QFileInfo(target).absolutePath()));
  const QFileInfo src(source);
  const QDir from(src.isFile() ? src.absolutePath() : source);
  QDir to(target);
  auto undo = [&] { QDir(target).removeRecursively(); };
  if (!QDir().mkpath(target)) throw AppError(AppError::Kind::ReadOnly, QStringLiteral("Cannot create %1").arg(target));
  qint64 done = 0;
  for (const QString& rel : info.files) {
    if (cancel.load()) {
      undo();
      throw AppError(AppError::Kind::Cancelled, QStringLiteral("Import cancelled"));
    }
    const QString in = from.filePath(rel), out = to.filePath(rel);
    QDir().mkpath(QFileInfo(out).absolutePath());
    if (link) {
      if (!QFile::link(QFileInfo(in).absoluteFilePath(), out)) {
        undo();
        throw AppError(AppError::Kind::ReadOnly, QStringLiteral("Cannot link %1 to %2").arg(in, out));
      }
      done += QFileInfo(in).size();
      if (progress) progress(info.bytes > 0 ? double(done) / double(info.bytes) : 1.0);
      continue;
    }
    // Copied in 4 MiB pieces so progress and cancel work inside big shards.
    QFile a(in), b(out);
    if (!a.open(QIODevice::ReadOnly) || !b.open(QIODevice::WriteOnly)) {
      undo();
      throw AppError(AppError::Kind::ReadOnly, QStringLiteral("Cannot copy %1 to %2").arg(in, out));
    }
    QByteArray buf;
    while (!(buf = a.read(4 << 20)).isEmpty()) {
      if (b.write(buf) != buf.size()) {
        b.close();
        undo();
        throw AppError(AppError::Kind::DiskFull, QStringLiteral("Cannot write %1: %2").arg(out, b.errorString()));
      }
      done += buf.size();
      if (progress) progress(info.bytes > 0 ? double(done) / double(info.bytes) : 1.0);
      if (cancel.load()) {
        b.close();
        undo();
        throw AppError(AppError::Kind::Cancelled, QStringLiteral("Import cancelled"));
      }
    }
  }
}

}  // namespace zaya::app
