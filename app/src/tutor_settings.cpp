#include "tutor_settings.h"

#include <QDir>

#include <algorithm>

#include "app_info.h"
#include "database.h"

namespace zaya::app {

namespace {

const QString kDevice = QStringLiteral("settings.device");
const QString kQuantization = QStringLiteral("settings.quantization");
const QString kTemperature = QStringLiteral("settings.temperature");
const QString kModelSampling = QStringLiteral("settings.modelSampling");
const QString kTopP = QStringLiteral("settings.top_p");
const QString kMaxTokens = QStringLiteral("settings.max_tokens");
const QString kThinkingBudget = QStringLiteral("settings.thinking_budget");
const QString kFontSize = QStringLiteral("settings.font_size");
const QString kTheme = QStringLiteral("settings.theme");
const QString kRemote = QStringLiteral("settings.remote.enabled");
const QString kRemoteUrl = QStringLiteral("settings.remote.url");
const QString kRemoteModel = QStringLiteral("settings.remote.model");

// The stored value when it is one of `allowed`, else the fallback.
QString oneOf(Database& db, const QString& key, const QStringList& allowed, const QString& fallback) {
  const QString v = db.setting(key, fallback);
  return allowed.contains(v) ? v : fallback;
}

double number(Database& db, const QString& key, double fallback, double lo, double hi) {
  bool ok = false;
  const double v = db.setting(key).toDouble(&ok);
  return ok ? std::clamp(v, lo, hi) : fallback;
}

int integer(Database& db, const QString& key, int fallback, int lo, int hi) {
  bool ok = false;
  const int v = db.setting(key).toInt(&ok);
  return ok ? std::clamp(v, lo, hi) : fallback;
}

}  // namespace

TutorSettings TutorSettings::load(Database& db) {
  TutorSettings s;
  s.device = oneOf(db, kDevice, {QStringLiteral("auto"), QStringLiteral("gpu"), QStringLiteral("cpu")}, s.device);
  s.quantization = oneOf(db, kQuantization, {QStringLiteral("q4"), QStringLiteral("q8")}, s.quantization);
  s.modelSampling = db.setting(kModelSampling, QStringLiteral("1")) != QLatin1String("0");
  s.temperature = number(db, kTemperature, s.temperature, 0.0, 2.0);
  s.topP = number(db, kTopP, s.topP, 0.01, 1.0);
  s.maxTokens = integer(db, kMaxTokens, s.maxTokens, 16, 65536);
  s.thinkingBudget = integer(db, kThinkingBudget, s.thinkingBudget, -1, 65536);
  s.fontSize = integer(db, kFontSize, s.fontSize, 0, kMaxFontSize);
  if (s.fontSize > 0 && s.fontSize < kMinFontSize) s.fontSize = kMinFontSize;
  s.theme = oneOf(db, kTheme, {QStringLiteral("light"), QStringLiteral("dark")}, s.theme);
  s.remote = db.setting(kRemote) == QLatin1String("1");
  s.remoteUrl = db.setting(kRemoteUrl, s.remoteUrl);
  s.remoteModel = db.setting(kRemoteModel, s.remoteModel);
  return s;
}

void TutorSettings::save(Database& db) const {
  db.setSetting(kDevice, device);
  db.setSetting(kQuantization, quantization);
  db.setSetting(kModelSampling, modelSampling ? QStringLiteral("1") : QStringLiteral("0"));
  db.setSetting(kTemperature, QString::number(temperature));
  db.setSetting(kTopP, QString::number(topP));
  db.setSetting(kMaxTokens, QString::number(maxTokens));
  db.setSetting(kThinkingBudget, QString::number(thinkingBudget));
  db.setSetting(kFontSize, QString::number(fontSize));
  db.setSetting(kTheme, theme);
  db.setSetting(kRemote, remote ? QStringLiteral("1") : QStringLiteral("0"));
  db.setSetting(kRemoteUrl, remoteUrl);
  db.setSetting(kRemoteModel, remoteModel);
}

QString TutorSettings::apiKeyFile() { return QDir(dataDirectory()).filePath(QStringLiteral("remote-api-key")); }

}  // namespace zaya::app
