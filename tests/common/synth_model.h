// Writes a random-weight ZAYA model with zaya-synth, for the tests that need
// a real checkpoint on disk (model manager, calibration, tutoring).
#pragma once

#include <QString>

namespace zaya::testing {

// Runs `zayaSynth --preset PRESET --seed SEED --out OUT --quiet`; false (with
// the tool's output in *error when given) if it does not finish cleanly in a minute.
bool writeSyntheticModel(const QString& zayaSynth, const QString& preset, int seed, const QString& out,
                         QString* error = nullptr);

}  // namespace zaya::testing
