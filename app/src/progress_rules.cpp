#include "progress_rules.h"

#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QSet>

#include <algorithm>

namespace zaya::app {

namespace {

constexpr qint64 kDayMs = 24LL * 3600 * 1000;

QDate localDay(qint64 ms, const QTimeZone& zone) { return QDateTime::fromMSecsSinceEpoch(ms, zone).date(); }

// A right answer given after seeing a solution is not a solve: mastery counts
// it as neither right nor right-alone (docs/app-core.md, "Helped attempts").
bool solvedCorrect(const Attempt& a) { return a.effectiveCorrect() && !a.helped(); }
bool unassistedCorrect(const Attempt& a) { return solvedCorrect(a) && a.hintsUsed == 0; }

MasteryLevel earnedLevel(TopicMastery& m) {
  using namespace mastery;
  const auto pct = [&](int n) { return m.recentCount ? 100 * n / m.recentCount : 0; };
  if (m.attempts >= kMasteredAttempts && pct(m.recentUnassisted) >= 85 && m.veryHardUnassisted >= 3 && m.distinctDays >= 2) {
    m.reason = QStringLiteral("Mastered: %1% of the last %2 right without hints, %3 hard problems (level 4+) solved alone.")
                   .arg(pct(m.recentUnassisted)).arg(m.recentCount).arg(m.veryHardUnassisted);
    return MasteryLevel::Mastered;
  }
  if (m.attempts >= kProficientAttempts && pct(m.recentUnassisted) >= 70 && m.hardUnassisted >= 2) {
    m.reason = QStringLiteral("Proficient. Mastered needs %1+ attempts, 85% of the last %2 right without hints, 3 level-4+ "
                              "problems solved alone, on 2+ days.")
                   .arg(kMasteredAttempts).arg(kRecentWindow);
    return MasteryLevel::Proficient;
  }
  if (m.attempts >= kFamiliarAttempts && pct(m.recentCorrect) >= 50) {
    m.reason = QStringLiteral("Familiar. Proficient needs %1+ attempts, 70% of the last %2 right without hints and 2 "
                              "level-3+ problems solved alone.")
                   .arg(kProficientAttempts).arg(kRecentWindow);
    return MasteryLevel::Familiar;
  }
  m.reason = QStringLiteral("Attempted. Familiar needs %1+ attempts with half of the last %2 right.")
                 .arg(kFamiliarAttempts).arg(kRecentWindow);
  return MasteryLevel::Attempted;
}

}  // namespace

QString masteryName(MasteryLevel level) {
  switch (level) {
    case MasteryLevel::None: return QStringLiteral("none");
    case MasteryLevel::Attempted: return QStringLiteral("attempted");
    case MasteryLevel::Familiar: return QStringLiteral("familiar");
    case MasteryLevel::Proficient: return QStringLiteral("proficient");
    case MasteryLevel::Mastered: return QStringLiteral("mastered");
  }
  return {};
}

QList<TopicMastery> computeMastery(const QList<Attempt>& attempts, qint64 now, const QTimeZone& zone) {
  QMap<QString, QList<Attempt>> byTopic;
  for (const auto& a : attempts) byTopic[a.topic].push_back(a);
  QList<TopicMastery> out;
  for (auto it = byTopic.begin(); it != byTopic.end(); ++it) {
    auto list = it.value();
    std::stable_sort(list.begin(), list.end(), [](const Attempt& x, const Attempt& y) {
      return x.createdAt != y.createdAt ? x.createdAt < y.createdAt : x.id < y.id;
    });
    TopicMastery m;
    m.topic = it.key();
    m.attempts = int(list.size());
    QSet<QDate> days;
    for (const auto& a : list) {
      if (solvedCorrect(a)) {
        m.lastCorrectAt = std::max(m.lastCorrectAt, a.createdAt);
        days.insert(localDay(a.createdAt, zone));
      }
      if (unassistedCorrect(a) && a.difficulty >= 3) ++m.hardUnassisted;
      if (unassistedCorrect(a) && a.difficulty >= 4) ++m.veryHardUnassisted;
    }
    m.distinctDays = int(days.size());
    const qsizetype first = std::max<qsizetype>(0, list.size() - mastery::kRecentWindow);
    for (qsizetype i = first; i < list.size(); ++i) {
      ++m.recentCount;
      if (solvedCorrect(list[i])) ++m.recentCorrect;
      if (unassistedCorrect(list[i])) ++m.recentUnassisted;
    }
    m.earned = earnedLevel(m);
    m.level = m.earned;
    if (m.lastCorrectAt > 0) {
      m.daysSinceCorrect = int((now - m.lastCorrectAt) / kDayMs);
      int drop = m.daysSinceCorrect > mastery::kDecayTwoLevelsDays ? 2 : m.daysSinceCorrect > mastery::kDecayOneLevelDays ? 1 : 0;
      if (drop > 0 && m.earned > MasteryLevel::Attempted) {
        m.level = MasteryLevel(std::max(int(MasteryLevel::Attempted), int(m.earned) - drop));
        m.reason = QStringLiteral("Was %1; no right answer for %2 days, so it has slipped to %3 — a few right answers bring it back.")
                       .arg(masteryName(m.earned)).arg(m.daysSinceCorrect).arg(masteryName(m.level));
      }
    }
    out.push_back(m);
  }
  return out;
}

std::optional<ReviewItem> scheduleAfterAnswer(const std::optional<ReviewItem>& current, const Attempt& a) {
  const qint64 now = a.createdAt;
  // Wrong, or right with a solution seen: not known yet, so back to box 1 and
  // due tomorrow. Only a wrong answer is a lapse: a helped one was not missed.
  if (!a.effectiveCorrect() || a.helped()) {
    ReviewItem r = current.value_or(ReviewItem{});
    r.profileId = a.profileId;
    r.problemId = a.problemId;
    r.topic = a.topic;
    r.box = 1;
    if (!a.effectiveCorrect()) r.lapses += 1;
    r.lastReviewedAt = now;
    r.dueAt = now + review::kIntervalDays[0] * kDayMs;
    return r;
  }
  if (!current) return std::nullopt;
  ReviewItem r = *current;
  r.lastReviewedAt = now;
  if (a.hintsUsed == 0) {
    if (r.box >= review::kBoxes) return std::nullopt;  // graduated
    r.box += 1;
  }
  r.dueAt = now + review::kIntervalDays[r.box - 1] * kDayMs;
  return r;
}

Streak computeStreak(const QList<Attempt>& attempts, qint64 now, const QTimeZone& zone) {
  QSet<QDate> days;
  for (const auto& a : attempts) days.insert(localDay(a.createdAt, zone));
  Streak s;
  const QDate today = localDay(now, zone);
  s.practicedToday = days.contains(today);
  QDate d = s.practicedToday ? today : today.addDays(-1);
  while (days.contains(d)) {
    ++s.current;
    d = d.addDays(-1);
  }
  QList<QDate> sorted(days.begin(), days.end());
  std::sort(sorted.begin(), sorted.end());
  int run = 0;
  for (qsizetype i = 0; i < sorted.size(); ++i) {
    run = (i > 0 && sorted[i - 1].daysTo(sorted[i]) == 1) ? run + 1 : 1;
    s.longest = std::max(s.longest, run);
  }
  return s;
}

QList<DayActivity> dailyActivity(const QList<Attempt>& attempts, QDate from, QDate to, const QTimeZone& zone) {
  QMap<QDate, DayActivity> byDay;
  for (const auto& a : attempts) {
    const QDate d = localDay(a.createdAt, zone);
    if (d < from || d > to) continue;
    auto& e = byDay[d];
    e.day = d;
    e.attempts += 1;
    e.correct += a.effectiveCorrect() ? 1 : 0;
    e.millis += a.millisTaken;
  }
  return byDay.values();
}

QList<AccuracyPoint> weeklyAccuracy(const QList<Attempt>& attempts, const QTimeZone& zone) {
  QMap<std::tuple<QDate, QString, int>, AccuracyPoint> cells;
  for (const auto& a : attempts) {
    const QDate d = localDay(a.createdAt, zone);
    const QDate week = d.addDays(1 - d.dayOfWeek());
    auto& p = cells[{week, a.topic, a.difficulty}];
    p.weekStart = week;
    p.topic = a.topic;
    p.difficulty = a.difficulty;
    p.attempts += 1;
    p.correct += a.effectiveCorrect() ? 1 : 0;
  }
  return cells.values();
}

}  // namespace zaya::app
