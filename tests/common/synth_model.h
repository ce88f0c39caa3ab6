// Writes a random-weight ZAYA model with zaya-synth, for the tests that need
// a real checkpoint on disk (model manager, calibration, tutoring).
#pragma once

#include <QString>

namespace zaya::testing {

// Runs `zayaSynth --preset PRESET --seed SEED --out OUT --quiet`; false (with
// the tool's output in *error when given) if it does not finish cleanly in a minute.
bool writeSyntheticModel(const QString& zayaSynth, const QString& preset, int seed, const QString& out,
                         QString* error = nullptr);

// The reference tokenizer (Gemma 3's tokenizer.json, which ZAYA1 uses) that
// tools/setup.sh installs with npm: $ZAYA_TOKENIZER_JSON when set, else the
// copy under $ZAYA_CACHE_DIR (default ~/.cache/zaya-tutor). The path may not
// exist; tests skip then, saying so.
QString referenceTokenizerPath();

}  // namespace zaya::testing
