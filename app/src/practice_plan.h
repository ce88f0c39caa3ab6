// What the browser needs to know about the student's own history: which
// problems are solved, tried, due for review, and today's practice — a short
// list chosen once a day so that it stays put while the student works on it.
#pragma once

#include <QDate>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include "progress_rules.h"
#include "records.h"
#include "zaya/problems/bank.h"

namespace zaya::app {

enum class ProblemStanding { Untried, Tried, Solved };  // Tried: attempted, never right yet

struct ProblemStatus {
  ProblemStanding standing = ProblemStanding::Untried;
  bool dueForReview = false;
  int attempts = 0;
};

// Status per problem id, from the student's attempts and review schedule.
// Problems not in the result are untried and not due.
QHash<QString, ProblemStatus> problemStatuses(const QList<Attempt>& attempts, const QList<ReviewItem>& due);

inline constexpr int kDailyPracticeSize = 5;
inline constexpr int kDailyReviewSlots = 2;  // at most this many of the five are reviews

// Today's practice for one student, chosen afresh (the caller keeps it for the day):
//   1. up to kDailyReviewSlots problems due for review, earliest due first;
//   2. then untried problems, one per topic, weakest topics first (lowest
//      mastery, then fewest attempts), at the difficulty the topic's mastery
//      suggests (1 for a topic never practised, up to 5 once mastered; the
//      nearest difficulty when none is left at that level).
// Among equal candidates the pick is a hash of the date and profile, so the
// list differs from day to day and from student to student but never within
// one day.
QStringList chooseDailyPractice(const problems::ProblemBank& bank, const QHash<QString, ProblemStatus>& statuses,
                                const QList<ReviewItem>& due, const QList<TopicMastery>& mastery, QDate day,
                                qint64 profileId, int size = kDailyPracticeSize);

}  // namespace zaya::app
