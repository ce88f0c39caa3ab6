#include "pack_presets.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

#include "database.h"
#include "zaya/model_files.h"
#include "zaya/quantize.h"

namespace zaya::app {

namespace {

double median(QList<double> v) {
  if (v.isEmpty()) return 0;
  std::sort(v.begin(), v.end());
  const qsizetype n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

const PresetSpeed* find(const QList<PresetSpeed>& speeds, const QString& preset) {
  for (const PresetSpeed& s : speeds)
    if (s.preset == preset) return &s;
  return nullptr;
}

}  // namespace

QList<PresetChoice> presetChoices() {
  QList<PresetChoice> out;
  for (const zaya::QuantizePresetInfo& p : zaya::quantize_presets())
    out.push_back({QString::fromStdString(p.name), QString::fromStdString(p.description)});
  return out;
}

QString packPreset(const QString& path) {
  try {
    const auto text = zaya::read_model_file(path.toStdString(), "pack.json");
    if (!text) return {};
    return QJsonDocument::fromJson(QByteArray::fromStdString(*text)).object().value(QStringLiteral("preset")).toString();
  } catch (const std::exception&) {
    return {};
  }
}

QList<PresetSpeed> presetSpeeds(const zaya::ModelConfig& config, double cpuBandwidth, const QList<InstalledModel>& installed,
                                Database* db) {
  QList<PresetSpeed> out;
  for (const zaya::QuantizePresetInfo& p : zaya::quantize_presets()) {
    PresetSpeed s;
    s.preset = QString::fromStdString(p.name);
    s.description = QString::fromStdString(p.description);
    s.packBytes = zaya::preset_pack_bytes(p.name, config);
    s.bytesPerToken = zaya::preset_bytes_per_token(p.name, config);
    s.estimatedTokensPerSecond = s.bytesPerToken > 0 ? cpuBandwidth * kCpuDecodeEfficiency / double(s.bytesPerToken) : 0;
    if (db) {
      // The engine backend names a model "<pack base name> (<device>)".
      for (const InstalledModel& m : installed) {
        if (!m.path.endsWith(QStringLiteral(".zpack")) || packPreset(m.path) != s.preset) continue;
        const QList<double> speeds =
            db->recentSpeeds(m.name + QStringLiteral(" (CPU"), kMinTokensForSpeed, kSpeedSamples);
        if (speeds.size() > s.measuredAnswers) {
          s.measuredAnswers = int(speeds.size());
          s.measuredTokensPerSecond = median(speeds);
          s.measuredPack = m.name;
        }
      }
    }
    out.push_back(s);
  }
  return out;
}

int defaultSlowdownPercent(const QList<PresetSpeed>& speeds) {
  const PresetSpeed* d = find(speeds, QStringLiteral("default"));
  const PresetSpeed* q4 = find(speeds, QStringLiteral("q4"));
  if (!d || !q4) return 0;
  double ratio = 0;  // default's speed / q4's
  if (d->measuredAnswers > 0 && q4->measuredAnswers > 0 && q4->measuredTokensPerSecond > 0)
    ratio = d->measuredTokensPerSecond / q4->measuredTokensPerSecond;
  else if (d->bytesPerToken > 0)
    ratio = double(q4->bytesPerToken) / double(d->bytesPerToken);
  return ratio > 0 ? int(std::lround(100.0 * (1.0 - ratio))) : 0;
}

}  // namespace zaya::app
