// Expert calibration: which experts fire more often on which topic.
//
// The model reads the statements of a sample of bank problems (prompt only,
// no generation); every fed token's routing (Session::feed) is counted per
// (layer, class), class = expert 0..E-1 or E = skip, and each problem's counts
// are stored in one transaction (Database::addCalibrationSample), so a run
// that is cancelled or killed resumes with the problems not yet done.
//
// The forward passes run on a worker thread; the database is written on the
// thread that owns this object (counts travel back through a queued call).
//
// Query: for (layer, expert, topic) the tokens of that topic routed to the
// expert, the expert's rate on the topic relative to its average rate over all
// topics, and a label only under product.md's rule (labelApplies()).
#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace zaya {
class Model;
namespace problems {
class ProblemBank;
}
}  // namespace zaya

namespace zaya::app {

class CalibrationSource;
class Database;

struct CalibrationProblem {
  QString id;
  QString topic;      // topic name, e.g. "geometry"
  QString statement;  // the text the model reads
};

struct ExpertTopicStat {
  int layer = 0;
  int expert = 0;
  QString topic;
  qint64 routed = 0;       // tokens of this topic routed to this expert at this layer
  qint64 topicTokens = 0;  // tokens of this topic seen at this layer
  double ratio = 0;        // (routed / topicTokens) / (expert's routed / all tokens); 0 when it never fires
  QString label;           // "<topic>-leaning" where labelApplies(), otherwise empty
};

class ExpertCalibration : public QObject {
  Q_OBJECT
 public:
  // Token ids of a statement (the app passes zaya::Tokenizer::encode).
  using Tokenize = std::function<std::vector<std::int32_t>(const QString&)>;

  static constexpr double kLabelMinRatio = 1.5;
  static constexpr qint64 kLabelMinTokens = 500;
  // And the expert itself must have received this many of them: a ratio
  // resting on a handful of routed tokens is one problem's wording, not a
  // leaning (1.5× of an expert that fires on 0.2% of tokens is 2 tokens in 500).
  static constexpr qint64 kLabelMinRoutedTokens = 50;

  explicit ExpertCalibration(Database* db, QObject* parent = nullptr);
  ~ExpertCalibration() override;  // cancels and waits for a running pass

  // Up to `perTopic` problems of each topic, in bank order (deterministic).
  static QList<CalibrationProblem> sampleProblems(const zaya::problems::ProblemBank& bank, int perTopic);

  // Starts a pass for `modelId`; problems already calibrated for it are
  // skipped. Emits progress per problem, then finished / cancelled / failed.
  void start(std::shared_ptr<const zaya::Model> model, Tokenize tokenize, const QString& modelId,
             const QList<CalibrationProblem>& problems);
  void start(const CalibrationSource& source, const QString& modelId, const QList<CalibrationProblem>& problems);
  void cancel();
  bool isRunning() const { return running_; }

  // Product rule: a label only at ≥ 1.5× the average rate over ≥ 500 tokens
  // of the topic, of which at least 50 went to the expert.
  static bool labelApplies(double ratio, qint64 topicTokens, qint64 routed);
  // Per (layer, expert, topic) statistics of the stored profile, for every
  // expert that fired at least once; the skip class (index numExperts) is left out.
  static QList<ExpertTopicStat> profile(Database& db, const QString& modelId, int numExperts);

 signals:
  void progress(int done, int total, const QString& problemId);
  void finished(int calibrated, int skipped);
  void cancelled();
  void failed(const QString& reason);

 private:
  void store(const QString& problemId, const QString& topic, int layers, int classes, const QList<qint64>& counts,
             qint64 tokens);

  Database* db_;
  QString modelId_;
  std::atomic<bool> cancel_{false};
  bool running_ = false;
  QThread* thread_ = nullptr;  // the running pass; owned, deleted when it ends
};

}  // namespace zaya::app
