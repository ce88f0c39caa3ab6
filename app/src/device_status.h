// The one-line answer to "where would the model run?" for the status bar.
#pragma once

#include <QString>

namespace zaya::app {

struct DeviceStatus {
  bool gpuAvailable = false;
  QString device;    // "NVIDIA H100 (80 GB)" or "CPU (8 threads)"
  QString reason;    // why no GPU, when there is none
  bool gpuPresent = false;  // a GPU is there but not usable (reason says why): said on the line itself
  bool modelInstalled = false;
  QString modelName;

  // "Model: ZAYA1-8B-q4 · GPU: NVIDIA …" or "No model installed yet — …".
  QString summary() const;
};

DeviceStatus currentDeviceStatus(const QString& modelsRoot);

// The GPU the "gpu" device choice would use, for the device pickers.
struct UsableGpu {
  bool available = false;     // the engine's GPU backend can run on it
  QString name;               // "NVIDIA H100 80GB HBM3"
  quint64 totalMemoryBytes = 0;
  QString whyNot;             // the engine's reason when !available
};
UsableGpu usableGpu();

// True when this machine has an NVIDIA GPU that "auto" would pick if it
// could: a driver is there, whether or not the backend then works (a driver
// too old, a missing or refused backend library, a failing driver). False
// without a driver, without a device, or in a build without the backend.
bool gpuPresent();

// The engine's reason a chosen GPU is not used, as the app says it:
// "The GPU is not used: <reason>; continuing on the CPU." ("" for "").
QString gpuNotUsedText(const QString& engineNote);

// The status line once a model is loaded: the model that was loaded (not the
// first one installed), the device it runs on now and, when a chosen or
// auto-selected GPU is not used, that and why.
QString loadedModelStatus(const QString& modelName, const QString& device, const QString& engineNote);

// "5.3 of 80 GB VRAM in use" (GB = 2^30 bytes, one decimal below 10 GB).
QString deviceMemoryText(quint64 usedBytes, quint64 totalBytes);

}  // namespace zaya::app
