// Attempts: active time without idle pauses or time away from the window,
// each attempt timed on its own, an unchanged answer counted once, and a right
// answer after seeing a solution stored as helped and kept in review.
#include <QTemporaryDir>
#include <QtTest>

#include "attempt_tracker.h"
#include "auth_service.h"
#include "database.h"
#include "progress_service.h"

using namespace zaya::app;

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kDay = 24 * 60 * kMinute;

// Time moves only when the test says so.
class TestClock : public AttemptClock {
 public:
  qint64 nowMs() const override { return now_; }
  void advance(qint64 ms) { now_ += ms; }

 private:
  qint64 now_ = 1'000'000;
};

}  // namespace

class TestAttemptTracker : public QObject {
  Q_OBJECT
 private slots:
  void idleMinutesAreNotCounted() {
    TestClock clock;
    AttemptTracker t(&clock);
    t.open(QStringLiteral("p1"));
    clock.advance(kMinute);
    t.noteActivity();
    // Twenty minutes away from the keyboard: only the threshold counts.
    clock.advance(20 * kMinute);
    QCOMPARE(t.activeMillis(), kMinute + AttemptTracker::kIdleThresholdMs);
    t.noteActivity();  // back
    clock.advance(2 * kMinute);
    const auto a = t.attempt(QStringLiteral("4"));
    QVERIFY(a);
    QCOMPARE(a->activeMillis, kMinute + AttemptTracker::kIdleThresholdMs + 2 * kMinute);
  }

  void timeAwayFromTheWindowIsNotCounted() {
    TestClock clock;
    AttemptTracker t(&clock);
    t.open(QStringLiteral("p1"));
    clock.advance(kMinute);
    t.setWindowActive(false);
    clock.advance(kMinute);  // shorter than the idle threshold, but elsewhere
    t.setWindowActive(true);
    clock.advance(30 * 1000);
    QCOMPARE(t.attempt(QStringLiteral("4"))->activeMillis, kMinute + 30 * 1000);
  }

  void eachAttemptHasItsOwnTime() {
    TestClock clock;
    AttemptTracker t(&clock);
    t.open(QStringLiteral("p1"));
    clock.advance(2 * kMinute);
    QCOMPARE(t.attempt(QStringLiteral("3"))->activeMillis, 2 * kMinute);
    clock.advance(40 * 1000);
    QCOMPARE(t.attempt(QStringLiteral("4"))->activeMillis, 40 * 1000);
    // Opening the problem again starts from zero.
    clock.advance(kMinute);
    t.open(QStringLiteral("p1"));
    clock.advance(10 * 1000);
    QCOMPARE(t.attempt(QStringLiteral("4"))->activeMillis, 10 * 1000);
  }

  void anUnchangedAnswerCheckedTwiceIsOneAttempt() {
    TestClock clock;
    AttemptTracker t(&clock);
    t.open(QStringLiteral("p1"));
    clock.advance(kMinute);
    QVERIFY(t.attempt(QStringLiteral("3/4")));
    clock.advance(kMinute);
    QVERIFY(!t.attempt(QStringLiteral(" 3/4 ")));  // the same answer again: nothing counted
    clock.advance(kMinute);
    // The time of the repeated check stays with the next real attempt.
    const auto next = t.attempt(QStringLiteral("1/2"));
    QVERIFY(next);
    QCOMPARE(next->activeMillis, 2 * kMinute);
    QVERIFY(t.attempt(QStringLiteral("3/4")));  // changed back: a new attempt
    AttemptTracker closed(&clock);
    QVERIFY(!closed.attempt(QStringLiteral("3/4")));  // no problem open
  }

  void helpIsCumulativeFromTheOpening() {
    TestClock clock;
    AttemptTracker t(&clock);
    t.open(QStringLiteral("p1"));
    t.noteHelp(AttemptTracker::Help::Hint);
    t.noteHelp(AttemptTracker::Help::Hint);
    t.noteHelp(AttemptTracker::Help::Explanation);
    QCOMPARE(t.attempt(QStringLiteral("1"))->help, (AttemptHelp{.hints = 2, .explanations = 1}));
    t.noteHelp(AttemptTracker::Help::ReferenceSolution);
    const auto second = t.attempt(QStringLiteral("2"));
    QCOMPARE(second->help.hints, 2);
    QVERIFY(second->help.sawSolution());
    QVERIFY(t.attempt(QStringLiteral("3"))->help.referenceSolutionViewed);  // seen stays seen
    t.open(QStringLiteral("p2"));
    QCOMPARE(t.help(), AttemptHelp{});
  }

  void rightAfterTheReferenceSolutionIsHelpedAndNotMastered() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("db.sqlite")));
    AuthService auth(db);
    ProgressService progress(auth);
    const Profile me = auth.createStudent(QStringLiteral("Ada"));
    auth.signIn(me.id);
    TestClock clock;
    AttemptTracker t(&clock);
    const QString id = QStringLiteral("p1");
    t.open(id);
    t.noteHelp(AttemptTracker::Help::ReferenceSolution);
    clock.advance(kMinute);
    const auto tracked = t.attempt(QStringLiteral("7"));
    QVERIFY(tracked);
    const Attempt stored = progress.recordAttempt({.problemId = id, .topic = QStringLiteral("Algebra"), .difficulty = 4,
                                                   .answer = tracked->answer, .correct = true,
                                                   .millisTaken = tracked->activeMillis,
                                                   .hintsUsed = tracked->help.hints,
                                                   .modelSolutionViewed = tracked->help.modelSolutionViewed,
                                                   .referenceSolutionViewed = tracked->help.referenceSolutionViewed});
    const Attempt read = progress.attempts(me.id).front();
    QCOMPARE(read.id, stored.id);
    QVERIFY(read.referenceSolutionViewed);
    QVERIFY(!read.modelSolutionViewed);
    QVERIFY(read.helped());
    QCOMPARE(read.millisTaken, kMinute);
    // In review: box 1, due tomorrow, and not a lapse (it was not missed).
    const auto queue = progress.reviewQueue(me.id);
    QCOMPARE(queue.size(), 1);
    QCOMPARE(queue.front().box, 1);
    QCOMPARE(queue.front().lapses, 0);
    QCOMPARE(queue.front().dueAt, read.createdAt + kDay);
    // Mastery does not count it as right, the browser not as solved.
    const qint64 now = read.createdAt;
    QCOMPARE(progress.mastery(me.id, now).front().recentCorrect, 0);
    QCOMPARE(progress.mastery(me.id, now).front().veryHardUnassisted, 0);
    QVERIFY(progress.problemStatuses(me.id, now).value(id).standing != ProblemStanding::Solved);
  }

  void aHelpedRightAnswerSendsAReviewBackToBoxOne() {
    Attempt right;
    right.profileId = 1;
    right.problemId = QStringLiteral("p1");
    right.topic = QStringLiteral("Algebra");
    right.correct = true;
    right.createdAt = 10 * kDay;
    const ReviewItem box3{.profileId = 1, .problemId = right.problemId, .topic = right.topic, .box = 3, .dueAt = 0, .lapses = 1};
    right.modelSolutionViewed = true;
    auto next = scheduleAfterAnswer(box3, right);
    QVERIFY(next);
    QCOMPARE(next->box, 1);
    QCOMPARE(next->lapses, 1);
    QCOMPARE(next->dueAt, right.createdAt + kDay);
    // Even a box-5 item does not graduate on a helped answer.
    QVERIFY(scheduleAfterAnswer(ReviewItem{.profileId = 1, .problemId = right.problemId, .box = 5}, right));
    // Hints alone are partial help: the box holds, as before.
    right.modelSolutionViewed = false;
    right.hintsUsed = 1;
    QCOMPARE(scheduleAfterAnswer(box3, right)->box, 3);
  }
};

QTEST_GUILESS_MAIN(TestAttemptTracker)
#include "test_attempt_tracker.moc"
