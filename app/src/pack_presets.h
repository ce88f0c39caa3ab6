// The pack presets the model manager converts to, what each costs a decoded
// token, and how fast each runs on this computer.
//
// CPU decode is memory-bound: a token reads the whole tied head, the
// attention and router matrices and one expert per layer, so tokens/s is the
// memory's bandwidth over those bytes. Two numbers are shown per preset:
//   - an estimate for this computer: its measured streaming bandwidth ×
//     kCpuDecodeEfficiency ÷ the preset's bytes per token (the engine's own
//     function, zaya::preset_bytes_per_token);
//   - the speed this computer really reached: the median over the newest
//     answers generated on the CPU with an installed pack of that preset.
#pragma once

#include <QList>
#include <QString>

#include <cstdint>

#include "model_store.h"
#include "zaya/config.h"

namespace zaya::app {

class Database;

// The fraction of the streaming read bandwidth the CPU engine achieves in
// batch-1 decode at short contexts, as zaya-bench measures it on the 2-core
// development machine (docs/performance/engine-quant.md): 54-59 % when its
// memory read 55-60 GB/s, 70-88 % on a day it read 14-23 GB/s (a slow
// memory hides the kernels' fixed costs). The estimate takes the former's
// side: a fast memory is where the fraction is lowest.
inline constexpr double kCpuDecodeEfficiency = 0.6;
// Answers shorter than this are mostly prompt processing, not decode speed.
inline constexpr int kMinTokensForSpeed = 64;
// How many of the newest answers the measured speed is the median of.
inline constexpr int kSpeedSamples = 20;

struct PresetSpeed {
  QString preset;       // "default", "q4", "q8" (zaya::quantize_presets order: the default first)
  QString description;  // the engine's one line
  std::uint64_t packBytes = 0;
  std::uint64_t bytesPerToken = 0;  // weights one decoded token reads
  double estimatedTokensPerSecond = 0;
  double measuredTokensPerSecond = 0;  // 0 when no pack of this preset has answered here yet
  int measuredAnswers = 0;
  QString measuredPack;  // the installed pack the measurement is of
};

// The named presets, the default first, for a choice in the UI.
struct PresetChoice {
  QString name;         // what ModelManager::convert takes
  QString description;  // one line
};
QList<PresetChoice> presetChoices();

// The preset a pack was made with (its pack.json), "" for a checkpoint
// folder, a pack without the record, or a file that cannot be read.
QString packPreset(const QString& path);

// Every named preset for a model of `config`, with the estimate for
// `cpuBandwidth` (bytes/s) and, from `db` (may be null), what the installed
// packs of each preset measured on the CPU.
QList<PresetSpeed> presetSpeeds(const zaya::ModelConfig& config, double cpuBandwidth, const QList<InstalledModel>& installed,
                                Database* db);

// How much slower the default decodes than q4, in percent of q4's speed
// lost (from the measured speeds when both presets have them, else from the
// bytes per token); 0 when either is missing.
int defaultSlowdownPercent(const QList<PresetSpeed>& speeds);

}  // namespace zaya::app
