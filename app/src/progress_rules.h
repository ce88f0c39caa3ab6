// The rules behind the progress screen, as pure functions of the attempt
// history (documented with the reasons in docs/app-core.md):
//   - mastery levels per topic (attempted → familiar → proficient → mastered,
//     with decay when a topic has not been practised for a while);
//   - the review scheduler, a five-box Leitner system;
//   - streaks and per-day activity.
#pragma once

#include <QDate>
#include <QList>
#include <QString>
#include <QTimeZone>

#include <optional>

#include "records.h"

namespace zaya::app {

enum class MasteryLevel { None = 0, Attempted = 1, Familiar = 2, Proficient = 3, Mastered = 4 };
QString masteryName(MasteryLevel level);  // "none", "attempted", ...

struct TopicMastery {
  QString topic;
  MasteryLevel level = MasteryLevel::None;     // after decay
  MasteryLevel earned = MasteryLevel::None;    // before decay
  int attempts = 0;
  int recentCorrect = 0;        // correct among the last kRecentWindow attempts (helped ones not)
  int recentUnassisted = 0;     // of those, without hints
  int recentCount = 0;          // size of that window (<= kRecentWindow)
  int hardUnassisted = 0;       // unassisted correct answers at difficulty >= 3
  int veryHardUnassisted = 0;   // unassisted correct answers at difficulty >= 4
  int distinctDays = 0;         // days with a correct answer on this topic
  qint64 lastCorrectAt = 0;     // 0 = never
  int daysSinceCorrect = -1;    // -1 = never
  QString reason;               // one sentence: why this level / what the next needs
};

namespace mastery {
inline constexpr int kRecentWindow = 10;
inline constexpr int kFamiliarAttempts = 3;     // and >= 50% of the window correct (hints allowed)
inline constexpr int kProficientAttempts = 6;   // and >= 70% correct unassisted, >= 2 unassisted at difficulty >= 3
inline constexpr int kMasteredAttempts = 10;    // and >= 85% correct unassisted, >= 3 unassisted at difficulty >= 4,
                                                //     correct answers on >= 2 different days
inline constexpr int kDecayOneLevelDays = 30;   // no correct answer for this long: one level down
inline constexpr int kDecayTwoLevelsDays = 90;  // two levels down (never below Attempted)
}  // namespace mastery

// `attempts` of one profile in any order; topics without attempts are left out.
QList<TopicMastery> computeMastery(const QList<Attempt>& attempts, qint64 now, const QTimeZone& zone);

// Leitner boxes 1..5; a box's interval is how long a right answer waits.
namespace review {
inline constexpr int kBoxes = 5;
inline constexpr int kIntervalDays[kBoxes] = {1, 3, 7, 16, 35};
}  // namespace review

// The schedule after an answer. nullopt: not (or no longer) in the queue.
//  - wrong: into box 1 (or back to it), lapses + 1, due in 1 day;
//  - right after seeing the model or reference solution (Attempt::helped):
//    into box 1 (or back to it) like a wrong answer, but no lapse;
//  - right with no item: stays out of the queue;
//  - right with hints: same box, due after that box's interval;
//  - right without hints: next box, due after its interval; right in box 5 graduates.
std::optional<ReviewItem> scheduleAfterAnswer(const std::optional<ReviewItem>& current, const Attempt& attempt);

struct Streak {
  int current = 0;           // consecutive days with practice, ending today or yesterday
  int longest = 0;
  bool practicedToday = false;
};
Streak computeStreak(const QList<Attempt>& attempts, qint64 now, const QTimeZone& zone);

struct DayActivity {
  QDate day;
  int attempts = 0;
  int correct = 0;
  qint64 millis = 0;         // time on task
};
// One entry per day that has attempts, in [from, to], oldest first.
QList<DayActivity> dailyActivity(const QList<Attempt>& attempts, QDate from, QDate to, const QTimeZone& zone);

// Accuracy by topic and difficulty over time, in weeks starting on Monday.
struct AccuracyPoint {
  QDate weekStart;
  QString topic;
  int difficulty = 0;
  int attempts = 0;
  int correct = 0;
  double accuracy() const { return attempts ? double(correct) / attempts : 0.0; }
};
QList<AccuracyPoint> weeklyAccuracy(const QList<Attempt>& attempts, const QTimeZone& zone);

}  // namespace zaya::app
