// The user's settings, kept in the database's settings table (so they live
// with the rest of the student's data and survive reinstalls of the app).
// The API key of a remote server is the one exception: it goes to its own
// file with owner-only permissions (api_key::save), never into the database.
#pragma once

#include <QMetaType>
#include <QString>

namespace zaya::app {

class Database;

struct TutorSettings {
  // Where the local engine runs: "auto" (GPU when one fits, else CPU), "gpu" or "cpu".
  QString device = QStringLiteral("auto");
  // The preset the model manager converts checkpoints to (one of
  // zaya::quantize_presets(): "default", "q4" or "q8").
  QString quantization = QStringLiteral("default");
  // The model's own sampling (temperature, top-p, top-k of its
  // generation_config.json) when it gives one; temperature and topP below
  // are then used only for models that give none.
  //
  // These are the app's one set of sampling defaults: GenerationRequest and
  // TutorRequest take theirs from the constants below, so a request built
  // without settings samples as a fresh install does.
  static constexpr bool kDefaultModelSampling = true;
  static constexpr double kDefaultTemperature = 0.6;
  static constexpr double kDefaultTopP = 0.95;
  static constexpr int kDefaultMaxTokens = 4096;
  static constexpr int kDefaultThinkingBudget = 1024;
  bool modelSampling = kDefaultModelSampling;
  double temperature = kDefaultTemperature;
  double topP = kDefaultTopP;
  int maxTokens = kDefaultMaxTokens;
  int thinkingBudget = kDefaultThinkingBudget;  // tokens, per reply; 0 = thinking off; -1 = no limit
  int fontSize = 0;           // points, for the whole window and the rendered pages; 0 = the system's size
  QString theme = QStringLiteral("light");
  // An OpenAI-compatible server (vLLM with ZAYA support) instead of the local engine.
  bool remote = false;
  QString remoteUrl;
  QString remoteModel = QStringLiteral("Zyphra/ZAYA1-8B");

  static constexpr int kMinFontSize = 8, kMaxFontSize = 24;

  // Missing or unreadable values fall back to the defaults above. The font
  // size and the theme are the student's: kept per profile (the one chosen
  // last, ProfileService), read from the computer's value until the profile
  // sets its own; the rest belong to the computer.
  static TutorSettings load(Database& db);
  void save(Database& db) const;
  // Where the remote server's API key is kept: <data directory>/remote-api-key.
  static QString apiKeyFile();

  bool operator==(const TutorSettings&) const = default;
};

}  // namespace zaya::app

Q_DECLARE_METATYPE(zaya::app::TutorSettings)
