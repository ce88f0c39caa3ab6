// Mastery levels, decay, the Leitner review queue, streaks and activity.
#include <QTemporaryDir>
#include <QtTest>

#include "progress_service.h"

using namespace zaya::app;

namespace {
constexpr qint64 kDay = 24LL * 3600 * 1000;
const qint64 kT0 = QDateTime(QDate(2026, 3, 2), QTime(12, 0), QTimeZone::utc()).toMSecsSinceEpoch();  // a Monday

Attempt at(qint64 t, const QString& topic, bool correct, int difficulty = 2, int hints = 0) {
  static qint64 id = 0;
  Attempt a;
  a.id = ++id;
  a.profileId = 1;
  a.problemId = QStringLiteral("p%1").arg(id);
  a.topic = topic;
  a.correct = correct;
  a.difficulty = difficulty;
  a.hintsUsed = hints;
  a.millisTaken = 60000;
  a.createdAt = t;
  return a;
}

MasteryLevel levelOf(const QList<Attempt>& list, qint64 now) {
  const auto m = computeMastery(list, now, QTimeZone::utc());
  return m.isEmpty() ? MasteryLevel::None : m.front().level;
}
}  // namespace

class TestProgress : public QObject {
  Q_OBJECT
 private slots:
  void masteryLevelsFollowTheRules() {
    const QString g = QStringLiteral("Geometry");
    QList<Attempt> list;
    QCOMPARE(levelOf(list, kT0), MasteryLevel::None);
    list << at(kT0, g, false);
    QCOMPARE(levelOf(list, kT0), MasteryLevel::Attempted);
    list << at(kT0 + 1, g, true, 2, 1) << at(kT0 + 2, g, false);
    QCOMPARE(levelOf(list, kT0), MasteryLevel::Attempted);  // 1 of 3 right: below 50%
    list << at(kT0 + 3, g, true);
    QCOMPARE(levelOf(list, kT0), MasteryLevel::Familiar);   // 2 of 4
    list << at(kT0 + 4, g, true, 3) << at(kT0 + 5, g, true, 3);
    // 6 attempts, 4/6 right (one with a hint) -> 3/6 unassisted = 50%: still familiar.
    QCOMPARE(levelOf(list, kT0), MasteryLevel::Familiar);
    list << at(kT0 + 6, g, true, 2) << at(kT0 + 7, g, true, 2);
    // 8 attempts: last 8 unassisted right 5 -> 62%: familiar.
    QCOMPARE(levelOf(list, kT0), MasteryLevel::Familiar);
    list << at(kT0 + 8, g, true, 2) << at(kT0 + 9, g, true, 2);
    // 10 attempts, 7/10 unassisted, 2 at difficulty 3 -> proficient.
    QCOMPARE(levelOf(list, kT0), MasteryLevel::Proficient);
    list << at(kT0 + 10, g, true, 4) << at(kT0 + 11, g, true, 4) << at(kT0 + 12, g, true, 5);
    // Last 10: all right but one with a hint... compute: window = attempts 4..13.
    const auto m = computeMastery(list, kT0, QTimeZone::utc()).front();
    QCOMPARE(m.recentCount, 10);
    QVERIFY(m.recentUnassisted >= 9);
    QCOMPARE(m.level, MasteryLevel::Proficient);  // all on one day: mastery needs two
    list << at(kT0 + kDay, g, true, 4);
    QCOMPARE(levelOf(list, kT0 + kDay), MasteryLevel::Mastered);
    // Decay: a month without a right answer drops one level, three months two.
    QCOMPARE(levelOf(list, kT0 + 32 * kDay), MasteryLevel::Proficient);
    QCOMPARE(levelOf(list, kT0 + 92 * kDay), MasteryLevel::Familiar);
    const auto decayed = computeMastery(list, kT0 + 92 * kDay, QTimeZone::utc()).front();
    QCOMPARE(decayed.earned, MasteryLevel::Mastered);
    QVERIFY(decayed.reason.contains(QStringLiteral("slipped")));
    // Teacher overrides count.
    QList<Attempt> one{at(kT0, g, false), at(kT0, g, false), at(kT0, g, false)};
    QCOMPARE(levelOf(one, kT0), MasteryLevel::Attempted);
    one[0].gradeOverride = true;
    one[1].gradeOverride = true;
    QCOMPARE(levelOf(one, kT0), MasteryLevel::Familiar);
  }

  void leitnerSchedule() {
    Attempt wrong = at(kT0, QStringLiteral("Algebra"), false);
    auto item = scheduleAfterAnswer(std::nullopt, wrong);
    QVERIFY(item);
    QCOMPARE(item->box, 1);
    QCOMPARE(item->lapses, 1);
    QCOMPARE(item->dueAt, kT0 + kDay);
    QVERIFY(!scheduleAfterAnswer(std::nullopt, at(kT0, QStringLiteral("Algebra"), true)));  // right first time: no review
    Attempt right = wrong;
    right.correct = true;
    right.createdAt = kT0 + kDay;
    item = scheduleAfterAnswer(item, right);
    QCOMPARE(item->box, 2);
    QCOMPARE(item->dueAt, right.createdAt + 3 * kDay);
    right.hintsUsed = 1;  // with a hint: same box, its interval again
    item = scheduleAfterAnswer(item, right);
    QCOMPARE(item->box, 2);
    QCOMPARE(item->dueAt, right.createdAt + 3 * kDay);
    right.hintsUsed = 0;
    for (int expectBox : {3, 4, 5}) {
      item = scheduleAfterAnswer(item, right);
      QCOMPARE(item->box, expectBox);
      QCOMPARE(item->dueAt, right.createdAt + review::kIntervalDays[expectBox - 1] * kDay);
    }
    QVERIFY(!scheduleAfterAnswer(item, right));  // right in box 5: graduated
    wrong.createdAt = kT0 + 50 * kDay;
    item = scheduleAfterAnswer(item, wrong);     // a miss sends it back to box 1
    QCOMPARE(item->box, 1);
    QCOMPARE(item->lapses, 2);
  }

  void streaksAndActivity() {
    const QString a = QStringLiteral("Algebra");
    QList<Attempt> list{at(kT0 - 10 * kDay, a, true), at(kT0 - 9 * kDay, a, true), at(kT0 - 8 * kDay, a, false),
                        at(kT0 - 2 * kDay, a, true), at(kT0 - kDay, a, true), at(kT0 - kDay + 5, a, false)};
    Streak s = computeStreak(list, kT0, QTimeZone::utc());
    QCOMPARE(s.current, 2);  // yesterday and the day before, not yet today
    QVERIFY(!s.practicedToday);
    QCOMPARE(s.longest, 3);
    list << at(kT0, a, true);
    s = computeStreak(list, kT0, QTimeZone::utc());
    QCOMPARE(s.current, 3);
    QVERIFY(s.practicedToday);
    QCOMPARE(computeStreak(list, kT0 + 3 * kDay, QTimeZone::utc()).current, 0);
    const auto days = dailyActivity(list, QDate(2026, 2, 1), QDate(2026, 3, 31), QTimeZone::utc());
    QCOMPARE(days.size(), 6);
    QCOMPARE(days[4].attempts, 2);
    QCOMPARE(days[4].correct, 1);
    QCOMPARE(days[4].millis, 120000);
    const auto weeks = weeklyAccuracy(list, QTimeZone::utc());
    QVERIFY(!weeks.isEmpty());
    QCOMPARE(weeks.back().weekStart.dayOfWeek(), 1);
  }

  void serviceRecordsAttemptsAndQueue() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("db.sqlite")));
    AuthService auth(db);
    ProgressService progress(auth);
    const Profile me = auth.createStudent(QStringLiteral("Ada"));
    auth.signIn(me.id);
    QSignalSpy spy(&progress, &ProgressService::attemptRecorded);
    progress.recordAttempt({.problemId = QStringLiteral("p1"), .topic = QStringLiteral("Algebra"), .answer = QStringLiteral("2"), .correct = false, .millisTaken = 9000});
    progress.recordAttempt({.problemId = QStringLiteral("p2"), .topic = QStringLiteral("Algebra"), .answer = QStringLiteral("3"), .correct = true, .millisTaken = 1000});
    QCOMPARE(spy.count(), 2);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QCOMPARE(progress.reviewQueue(me.id).size(), 1);
    QCOMPARE(progress.dueReviews(me.id, now).size(), 0);          // due tomorrow
    QCOMPARE(progress.dueReviews(me.id, now + 2 * kDay).size(), 1);
    QCOMPARE(progress.timeOnTaskMillis(me.id), 10000);
    QCOMPARE(progress.streak(me.id, now).current, 1);
    QCOMPARE(progress.mastery(me.id, now).front().level, MasteryLevel::Attempted);
    QCOMPARE(progress.recordAttempt({.problemId = QStringLiteral("p1"), .topic = QStringLiteral("Algebra"), .answer = QStringLiteral("4"), .correct = true}).correct, true);
    QCOMPARE(progress.reviewQueue(me.id).front().box, 2);
    QVERIFY_THROWS_EXCEPTION(AppError, progress.recordAttempt({.problemId = QStringLiteral("p1"), .difficulty = 9}));
  }
};

QTEST_GUILESS_MAIN(TestProgress)
#include "test_progress.moc"
