// The one-line answer to "where would the model run?" for the status bar.
#pragma once

#include <QString>

namespace zaya::app {

struct DeviceStatus {
  bool gpuAvailable = false;
  QString device;    // "NVIDIA H100 (80 GB)" or "CPU (8 threads)"
  QString reason;    // why no GPU, when there is none
  bool modelInstalled = false;
  QString modelName;

  // "Model: ZAYA1-8B-q4 · GPU: NVIDIA …" or "No model installed yet — …".
  QString summary() const;
};

DeviceStatus currentDeviceStatus(const QString& modelsRoot);

// "5.3 of 80 GB VRAM in use" (GB = 2^30 bytes, one decimal below 10 GB).
QString deviceMemoryText(quint64 usedBytes, quint64 totalBytes);

}  // namespace zaya::app
