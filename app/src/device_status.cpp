#include "device_status.h"

#include <QThread>

#include "model_store.h"
#include "zaya/device.h"

namespace zaya::app {

QString DeviceStatus::summary() const {
  QString where = gpuAvailable ? QStringLiteral("GPU: %1").arg(device) : QStringLiteral("CPU: %1").arg(device);
  if (!gpuAvailable && gpuPresent) where += QStringLiteral(" · ") + gpuNotUsedText(reason);
  if (!modelInstalled)
    return QStringLiteral("No model installed yet — problems, answer checking and progress work without one; solutions need ZAYA1-8B (would run on %1)").arg(where);
  return QStringLiteral("Model: %1 · %2").arg(modelName, where);
}

DeviceStatus currentDeviceStatus(const QString& modelsRoot) {
  DeviceStatus s;
  const auto& probe = zaya::probe_cuda();
  if (probe.status == zaya::CudaStatus::Available && !probe.devices.empty()) {
    s.gpuAvailable = true;
    const auto& d = probe.devices.front();
    s.device = QStringLiteral("%1 (%2 GB)").arg(QString::fromStdString(d.name)).arg((d.total_memory_bytes + (1ull << 29)) >> 30);
  } else {
    s.device = QStringLiteral("%1 threads").arg(QThread::idealThreadCount());
    s.reason = QString::fromStdString(probe.message);
    s.gpuPresent = gpuPresent();
  }
  const auto models = ModelStore(modelsRoot).installed();
  s.modelInstalled = !models.isEmpty();
  if (s.modelInstalled) s.modelName = models.front().name;
  return s;
}

UsableGpu usableGpu() {
  UsableGpu g;
  const auto& probe = zaya::probe_cuda();
  g.available = probe.status == zaya::CudaStatus::Available && !probe.devices.empty();
  if (g.available) {
    g.name = QString::fromStdString(probe.devices.front().name);
    g.totalMemoryBytes = probe.devices.front().total_memory_bytes;
  } else {
    g.whyNot = QString::fromStdString(probe.message);
  }
  return g;
}

bool gpuPresent() {
  switch (zaya::probe_cuda().status) {
    case zaya::CudaStatus::Available:
    case zaya::CudaStatus::DriverTooOld:
    case zaya::CudaStatus::BackendMissing:
    case zaya::CudaStatus::BackendMismatch:
    case zaya::CudaStatus::Error: return true;
    case zaya::CudaStatus::NotBuilt:
    case zaya::CudaStatus::NoDriver:
    case zaya::CudaStatus::NoDevice: return false;
  }
  return false;
}

QString gpuNotUsedText(const QString& engineNote) {
  if (engineNote.isEmpty()) return {};
  QString reason = engineNote;
  // The engine's notes end in how it goes on; say that once, the same way.
  for (const QString& tail : {QStringLiteral("; using the CPU"), QStringLiteral("; continuing on the CPU")})
    if (reason.endsWith(tail)) reason.chop(tail.size());
  return QStringLiteral("The GPU is not used: %1; continuing on the CPU.").arg(reason);
}

QString loadedModelStatus(const QString& modelName, const QString& device, const QString& engineNote) {
  const QString base = QStringLiteral("Model: %1 · running on %2").arg(modelName, device);
  return engineNote.isEmpty() ? base : QStringLiteral("%1 · %2").arg(base, gpuNotUsedText(engineNote));
}

QString deviceMemoryText(quint64 usedBytes, quint64 totalBytes) {
  const auto gb = [](quint64 bytes) {
    const double v = double(bytes) / double(1ull << 30);
    return QString::number(v, 'f', v < 9.95 ? 1 : 0);
  };
  return QStringLiteral("%1 of %2 GB VRAM in use").arg(gb(usedBytes), gb(totalBytes));
}

}  // namespace zaya::app
