#include "expert_calibration.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <map>
#include <tuple>

#include "calibration_source.h"
#include "database.h"
#include "zaya/errors.h"
#include "zaya/problems/bank.h"
#include "zaya/session.h"

namespace zaya::app {

ExpertCalibration::ExpertCalibration(Database* db, QObject* parent) : QObject(parent), db_(db) {}

ExpertCalibration::~ExpertCalibration() {
  cancel_.store(true);
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
}

QList<CalibrationProblem> ExpertCalibration::sampleProblems(const zaya::problems::ProblemBank& bank, int perTopic) {
  QList<CalibrationProblem> out;
  QHash<QString, int> taken;
  for (const auto& p : bank.problems()) {
    const QString topic = QString::fromUtf8(std::string(zaya::problems::topic_name(p.topic)));
    if (taken.value(topic) >= perTopic) continue;
    ++taken[topic];
    out.append({QString::fromStdString(p.id), topic, QString::fromStdString(p.statement_latex)});
  }
  return out;
}

bool ExpertCalibration::labelApplies(double ratio, qint64 topicTokens, qint64 routed) {
  return ratio >= kLabelMinRatio && topicTokens >= kLabelMinTokens && routed >= kLabelMinRoutedTokens;
}

void ExpertCalibration::cancel() { cancel_.store(true); }

void ExpertCalibration::start(const CalibrationSource& source, const QString& modelId,
                              const QList<CalibrationProblem>& problems) {
  start(source.model(), source.tokenize(), modelId, problems);
}

void ExpertCalibration::start(std::shared_ptr<const zaya::Model> model, Tokenize tokenize, const QString& modelId,
                              const QList<CalibrationProblem>& problems) {
  if (running_) {
    emit failed(tr("A calibration pass is already running."));
    return;
  }
  if (thread_) {
    thread_->wait();
    delete thread_;
    thread_ = nullptr;
  }
  const QSet<QString> done = db_->calibratedProblems(modelId);
  QList<CalibrationProblem> todo;
  for (const auto& p : problems)
    if (!done.contains(p.id)) todo.append(p);
  const int skipped = int(problems.size() - todo.size());
  modelId_ = modelId;
  cancel_.store(false);
  running_ = true;

  // Worker: feeds each statement into a fresh context and counts the routing.
  thread_ = QThread::create([this, model = std::move(model), tokenize = std::move(tokenize), todo, skipped]() {
    const int layers = int(model->config().num_layers);
    const int classes = int(model->config().num_experts) + 1;  // experts + skip
    int calibrated = 0;
    try {
      zaya::Session session(model);
      for (int i = 0; i < todo.size(); ++i) {
        if (cancel_.load()) {
          QMetaObject::invokeMethod(this, [this] { running_ = false; emit cancelled(); }, Qt::QueuedConnection);
          return;
        }
        const CalibrationProblem& p = todo[i];
        std::vector<std::int32_t> ids = tokenize(p.statement);
        const auto limit = static_cast<std::size_t>(session.context_limit());
        if (ids.size() > limit) ids.resize(limit);
        session.reset();
        QList<qint64> counts(layers * classes, 0);  // [layers][classes] row-major
        if (!ids.empty()) {
          const auto routing = session.feed(ids);  // [tokens][layers]
          for (const auto& token : routing)
            for (const auto& d : token)
              if (d.layer >= 0 && d.layer < layers && d.expert >= 0 && d.expert < classes) ++counts[d.layer * classes + d.expert];
        }
        const qint64 tokens = qint64(ids.size());
        ++calibrated;
        QMetaObject::invokeMethod(
            this,
            [this, p, layers, classes, counts, tokens, i, n = int(todo.size())] {
              try {
                store(p.id, p.topic, layers, classes, counts, tokens);
              } catch (const std::exception& e) {
                cancel_.store(true);
                emit failed(tr("Cannot save the calibration of %1: %2").arg(p.id, QString::fromUtf8(e.what())));
                return;
              }
              emit progress(i + 1, n, p.id);
            },
            Qt::QueuedConnection);
      }
    } catch (const zaya::Cancelled&) {
      QMetaObject::invokeMethod(this, [this] { running_ = false; emit cancelled(); }, Qt::QueuedConnection);
      return;
    } catch (const std::exception& e) {
      const QString why = QString::fromUtf8(e.what());
      QMetaObject::invokeMethod(this, [this, why] { running_ = false; emit failed(tr("Calibration stopped: %1").arg(why)); },
                                Qt::QueuedConnection);
      return;
    }
    QMetaObject::invokeMethod(this, [this, calibrated, skipped] { running_ = false; emit finished(calibrated, skipped); },
                              Qt::QueuedConnection);
  });
  thread_->start();
}

void ExpertCalibration::store(const QString& problemId, const QString& topic, int layers, int classes,
                              const QList<qint64>& counts, qint64 tokens) {
  db_->addCalibrationSample(modelId_, problemId, topic, layers, classes, counts, tokens);
}

QList<ExpertTopicStat> ExpertCalibration::profile(Database& db, const QString& modelId, int numExperts) {
  const QHash<QString, qint64> topicTokens = db.calibrationTokens(modelId);
  const QList<CalibrationCell> cells = db.calibrationCells(modelId);
  qint64 allTokens = 0;
  for (auto t : topicTokens) allTokens += t;
  // Expert's average rate = its routed tokens over all topics / all tokens.
  std::map<std::pair<int, int>, qint64> expertTotal;
  for (const auto& c : cells)
    if (c.expert < numExperts) expertTotal[{c.layer, c.expert}] += c.count;  // class E = skip: not an expert
  // Every topic is listed for every expert that fired somewhere (a topic where
  // it never fired has routed 0, ratio 0).
  std::map<std::tuple<int, int, QString>, qint64> routed;
  for (const auto& c : cells) routed[{c.layer, c.expert, c.topic}] += c.count;
  QStringList topics = topicTokens.keys();
  topics.sort();
  QList<ExpertTopicStat> out;
  for (const auto& [key, total] : expertTotal) {
    const auto [layer, expert] = key;
    (void)total;
    for (const QString& topic : topics) {
      ExpertTopicStat s;
      s.layer = layer;
      s.expert = expert;
      s.topic = topic;
      const auto it = routed.find({layer, expert, topic});
      s.routed = it == routed.end() ? 0 : it->second;
      s.topicTokens = topicTokens.value(topic);
      const double avgRate = allTokens > 0 ? double(expertTotal[key]) / double(allTokens) : 0.0;
      const double topicRate = s.topicTokens > 0 ? double(s.routed) / double(s.topicTokens) : 0.0;
      s.ratio = avgRate > 0 ? topicRate / avgRate : 0.0;
      if (labelApplies(s.ratio, s.topicTokens, s.routed)) s.label = topic + QStringLiteral("-leaning");
      out.append(s);
    }
  }
  return out;
}

}  // namespace zaya::app
