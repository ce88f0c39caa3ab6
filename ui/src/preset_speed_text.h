// The model manager's comparison of the pack presets on this computer: file
// size, bytes read per decoded token, the estimated and the measured CPU
// speed of each, and why the default is slower than q4 (rich text for a
// QLabel; every string from outside is escaped).
#pragma once

#include <QList>
#include <QString>

#include "pack_presets.h"

namespace zaya::ui {

QString presetSpeedsHtml(const QList<app::PresetSpeed>& speeds, double cpuBandwidth);

}  // namespace zaya::ui
