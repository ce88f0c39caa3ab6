#include "tutor_settings.h"

#include "zaya/quantize.h"

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

// The student's own settings are kept under "<profile uuid>/<key>" for the
// profile chosen last on this computer (ProfileService::kLastProfileKey); a
// profile that never set one reads the computer's value, so an install from
// before profiles keeps its settings. The rest belong to the computer.
const QString kLastProfile = QStringLiteral("ui.student_profile");

QString profilePrefix(Database& db) {
  const QString id = db.setting(kLastProfile);
  if (id.isEmpty()) return {};
  const auto p = db.profile(id.toLongLong());
  return p && p->role == Role::Student ? p->uuid + QLatin1Char('/') : QString();
}

// A Database whose personal keys read the profile's value, else the computer's.
struct Scoped {
  Database& db;
  QString prefix;
  bool personal(const QString& key) const { return !prefix.isEmpty() && (key == kFontSize || key == kTheme); }
  QString setting(const QString& key, const QString& fallback = {}) const {
    return personal(key) ? db.setting(prefix + key, db.setting(key, fallback)) : db.setting(key, fallback);
  }
  void setSetting(const QString& key, const QString& value) const { db.setSetting(personal(key) ? prefix + key : key, value); }
};

// The stored value when it is one of `allowed`, else the fallback.
QString oneOf(const Scoped& db, const QString& key, const QStringList& allowed, const QString& fallback) {
  const QString v = db.setting(key, fallback);
  return allowed.contains(v) ? v : fallback;
}

double number(const Scoped& db, const QString& key, double fallback, double lo, double hi) {
  bool ok = false;
  const double v = db.setting(key).toDouble(&ok);
  return ok ? std::clamp(v, lo, hi) : fallback;
}

int integer(const Scoped& db, const QString& key, int fallback, int lo, int hi) {
  bool ok = false;
  const int v = db.setting(key).toInt(&ok);
  return ok ? std::clamp(v, lo, hi) : fallback;
}

}  // namespace

TutorSettings TutorSettings::load(Database& store) {
  const Scoped db{store, profilePrefix(store)};
  TutorSettings s;
  s.device = oneOf(db, kDevice, {QStringLiteral("auto"), QStringLiteral("gpu"), QStringLiteral("cpu")}, s.device);
  QStringList presets;
  for (const zaya::QuantizePresetInfo& p : zaya::quantize_presets()) presets << QString::fromStdString(p.name);
  s.quantization = oneOf(db, kQuantization, presets, s.quantization);
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

void TutorSettings::save(Database& store) const {
  const Scoped db{store, profilePrefix(store)};
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
