#include "synth_model.h"

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

}  // namespace zaya::testing
