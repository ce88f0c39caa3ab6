// Checks and copies of a local model snapshot folder (no Qt event loop; the
// model manager calls these on its worker thread).
#pragma once

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace zaya::app {

struct SnapshotInfo {
  QStringList files;  // relative paths of the files to bring along
  qint64 bytes = 0;   // their total size
  QString variant;    // "bf16", "fp8-experts" or "pack"
};

// Inspects `source`: a folder with config.json and safetensors (the official
// bf16 checkpoint or the FP8-experts variant) or one .zpack file. Throws
// AppError(InvalidInput) naming the file at fault, and refuses MXFP4-experts
// checkpoints with the reason.
SnapshotInfo inspectSnapshot(const QString& source);

// Copies (or symbolically links, when `link`) the snapshot's files into
// `target` (created). Checks `freeBytes` against the size first (copy only).
// `progress` gets the fraction done; raising `cancel` stops it, removing the
// half-made target. Throws AppError.
void copySnapshot(const QString& source, const SnapshotInfo& info, const QString& target, bool link, qint64 freeBytes,
                  const std::function<void(double)>& progress, const std::atomic<bool>& cancel);

}  // namespace zaya::app
