#include "practice_plan.h"

#include <QCryptographicHash>

#include <algorithm>
#include <limits>

namespace zaya::app {
namespace {

// Stable across runs and platforms (unlike qHash, which is seeded per process).
quint64 stableHash(QDate day, qint64 profileId, const QString& key) {
  QCryptographicHash h(QCryptographicHash::Sha1);
  h.addData(QByteArray::number(day.toJulianDay()));
  h.addData(QByteArray::number(profileId));
  h.addData(key.toUtf8());
  const QByteArray digest = h.result();
  quint64 v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | quint8(digest[i]);
  return v;
}

int targetDifficulty(MasteryLevel level) { return std::clamp(int(level) + 1, 1, 5); }

}  // namespace

QHash<QString, ProblemStatus> problemStatuses(const QList<Attempt>& attempts, const QList<ReviewItem>& due) {
  QHash<QString, ProblemStatus> out;
  for (const Attempt& a : attempts) {
    ProblemStatus& s = out[a.problemId];
    ++s.attempts;
    // Right after seeing a solution is not solved (docs/app-core.md, "Helped attempts").
    if (a.effectiveCorrect() && !a.helped()) s.standing = ProblemStanding::Solved;
    else if (s.standing == ProblemStanding::Untried) s.standing = ProblemStanding::Tried;
  }
  for (const ReviewItem& r : due) out[r.problemId].dueForReview = true;
  return out;
}

QStringList chooseDailyPractice(const problems::ProblemBank& bank, const QHash<QString, ProblemStatus>& statuses,
                                const QList<ReviewItem>& due, const QList<TopicMastery>& mastery, QDate day,
                                qint64 profileId, int size) {
  QStringList chosen;
  for (const ReviewItem& r : due) {  // `due` comes earliest first
    if (chosen.size() >= std::min(size, kDailyReviewSlots)) break;
    if (bank.contains(r.problemId.toStdString()) && !chosen.contains(r.problemId)) chosen << r.problemId;
  }

  struct TopicPlan {
    problems::Topic topic;
    MasteryLevel level = MasteryLevel::None;
    int attempts = 0;
    quint64 tieBreak = 0;
  };
  std::vector<TopicPlan> topics;
  for (int t = 0; t < problems::kTopicCount; ++t) {
    TopicPlan plan{static_cast<problems::Topic>(t)};
    const auto name = problems::topic_name(plan.topic);
    const QString topicName = QString::fromUtf8(name.data(), qsizetype(name.size()));
    for (const TopicMastery& m : mastery)
      if (m.topic == topicName) plan.level = m.level, plan.attempts = m.attempts;
    plan.tieBreak = stableHash(day, profileId, topicName);
    topics.push_back(plan);
  }
  std::sort(topics.begin(), topics.end(), [](const TopicPlan& a, const TopicPlan& b) {
    if (a.level != b.level) return a.level < b.level;
    if (a.attempts != b.attempts) return a.attempts < b.attempts;
    return a.tieBreak < b.tieBreak;
  });

  // Round robin over the topics, weakest first, until the list is full or
  // nothing untried is left.
  for (bool pickedAny = true; chosen.size() < size && pickedAny;) {
    pickedAny = false;
    for (const TopicPlan& plan : topics) {
      if (chosen.size() >= size) break;
      const int target = targetDifficulty(plan.level);
      const problems::Problem* best = nullptr;
      int bestDistance = std::numeric_limits<int>::max();
      quint64 bestHash = 0;
      for (const problems::Problem& p : bank.problems()) {
        if (p.topic != plan.topic) continue;
        const QString id = QString::fromStdString(p.id);
        if (statuses.contains(id) || chosen.contains(id)) continue;
        const int distance = std::abs(p.difficulty - target);
        if (distance > bestDistance) continue;
        const quint64 h = stableHash(day, profileId, id);
        if (distance < bestDistance || h < bestHash) best = &p, bestDistance = distance, bestHash = h;
      }
      if (best) chosen << QString::fromStdString(best->id), pickedAny = true;
    }
  }
  return chosen;
}

}  // namespace zaya::app
