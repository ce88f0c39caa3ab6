// The browser's progress marks and today's practice, on the real problem bank:
// solved / tried / due per problem, reviews first, the weakest topics next at
// the difficulty their mastery suggests, the same list all day, a new one the
// next day. Also the progress screen's list of saved solutions.
#include <QTemporaryDir>
#include <QtTest>

#include "database.h"
#include "practice_plan.h"
#include "progress_service.h"
#include "zaya/problems/bank.h"

using namespace zaya::app;
namespace problems = zaya::problems;

namespace {
constexpr qint64 kDay = 24LL * 3600 * 1000;
const qint64 kT0 = QDateTime(QDate(2026, 3, 2), QTime(12, 0), QTimeZone::utc()).toMSecsSinceEpoch();

Attempt attempt(const QString& problemId, bool correct, qint64 t = kT0) {
  Attempt a;
  a.profileId = 1;
  a.problemId = problemId;
  a.topic = QStringLiteral("Algebra");
  a.correct = correct;
  a.createdAt = t;
  return a;
}

ReviewItem dueItem(const QString& problemId, qint64 due) {
  ReviewItem r;
  r.profileId = 1;
  r.problemId = problemId;
  r.topic = QStringLiteral("Algebra");
  r.dueAt = due;
  return r;
}

QString topicOf(const problems::ProblemBank& bank, const QString& id) {
  const auto name = problems::topic_name(bank.find(id.toStdString())->topic);
  return QString::fromUtf8(name.data(), qsizetype(name.size()));
}
}  // namespace

class TestPracticePlan : public QObject {
  Q_OBJECT
  std::optional<problems::ProblemBank> bank_;
  QString firstOf(problems::Topic topic, int difficulty) const {
    for (const auto& p : bank_->problems())
      if (p.topic == topic && p.difficulty == difficulty) return QString::fromStdString(p.id);
    return {};
  }

 private slots:
  void initTestCase() {
    const auto dir = problems::find_problems_dir();
    QVERIFY2(dir, "problem data not found");
    bank_.emplace(problems::ProblemBank::load(*dir));
    QVERIFY(bank_->size() > 7000);
  }

  void statusesFollowTheAttempts() {
    const auto s = problemStatuses({attempt("a", false), attempt("a", true), attempt("b", false), attempt("b", false)},
                                   {dueItem("b", kT0), dueItem("c", kT0)});
    QCOMPARE(s.value("a").standing, ProblemStanding::Solved);
    QCOMPARE(s.value("a").attempts, 2);
    QVERIFY(!s.value("a").dueForReview);
    QCOMPARE(s.value("b").standing, ProblemStanding::Tried);
    QVERIFY(s.value("b").dueForReview);
    QCOMPARE(s.value("c").standing, ProblemStanding::Untried);  // due, never attempted on this computer
    QVERIFY(s.value("c").dueForReview);
    QVERIFY(!s.contains("d"));
  }

  void aNewStudentGetsEasyProblemsFromFiveTopics() {
    const QDate day(2026, 3, 2);
    const QStringList list = chooseDailyPractice(*bank_, {}, {}, {}, day, 1);
    QCOMPARE(list.size(), kDailyPracticeSize);
    QSet<QString> topics;
    for (const QString& id : list) {
      const auto* p = bank_->find(id.toStdString());
      QVERIFY2(p, qPrintable(id));
      QCOMPARE(p->difficulty, 1);  // no mastery anywhere yet: start easy
      topics.insert(topicOf(*bank_, id));
    }
    QCOMPARE(topics.size(), kDailyPracticeSize);
    // The same inputs give the same list; another day or student, another list.
    QCOMPARE(chooseDailyPractice(*bank_, {}, {}, {}, day, 1), list);
    QVERIFY(chooseDailyPractice(*bank_, {}, {}, {}, day.addDays(1), 1) != list);
    QVERIFY(chooseDailyPractice(*bank_, {}, {}, {}, day, 2) != list);
  }

  void reviewsComeFirstThenTheWeakestTopic() {
    const QString r1 = firstOf(problems::Topic::Geometry, 3), r2 = firstOf(problems::Topic::Algebra, 2),
                  r3 = firstOf(problems::Topic::Precalculus, 4);
    const QList<ReviewItem> due{dueItem(r1, kT0 - 3 * kDay), dueItem(r2, kT0 - kDay), dueItem(r3, kT0)};
    QHash<QString, ProblemStatus> statuses = problemStatuses({attempt(r1, false), attempt(r2, false), attempt(r3, false)}, due);
    // Every topic proficient except Number Theory (familiar, target level 3).
    QList<TopicMastery> mastery;
    for (int t = 0; t < problems::kTopicCount; ++t) {
      TopicMastery m;
      const auto name = problems::topic_name(static_cast<problems::Topic>(t));
      m.topic = QString::fromUtf8(name.data(), qsizetype(name.size()));
      m.level = static_cast<problems::Topic>(t) == problems::Topic::NumberTheory ? MasteryLevel::Familiar : MasteryLevel::Proficient;
      m.attempts = 12;
      mastery << m;
    }
    const QStringList list = chooseDailyPractice(*bank_, statuses, due, mastery, QDate(2026, 3, 2), 7);
    QCOMPARE(list.size(), kDailyPracticeSize);
    QCOMPARE(list.mid(0, kDailyReviewSlots), (QStringList{r1, r2}));  // earliest due first, two slots
    const auto* weakest = bank_->find(list.at(kDailyReviewSlots).toStdString());
    QCOMPARE(weakest->topic, problems::Topic::NumberTheory);
    QCOMPARE(weakest->difficulty, 3);
    for (const QString& id : list.mid(kDailyReviewSlots + 1)) QCOMPARE(bank_->find(id.toStdString())->difficulty, 4);
  }

  void solvedAndTriedProblemsAreNotPickedAgain() {
    const QDate day(2026, 3, 9);
    const QStringList first = chooseDailyPractice(*bank_, {}, {}, {}, day, 3);
    QList<Attempt> done;
    for (const QString& id : first) done << attempt(id, id != first.front());
    const QStringList second = chooseDailyPractice(*bank_, problemStatuses(done, {}), {}, {}, day, 3);
    QCOMPARE(second.size(), kDailyPracticeSize);
    for (const QString& id : second) QVERIFY2(!first.contains(id), qPrintable(id));
  }

  void theListStaysPutForTheDay() {
    QTemporaryDir dir;
    QStringList today;
    {
      Database db(dir.filePath(QStringLiteral("plan.sqlite")));
      AuthService auth(db);
      ProgressService progress(auth);
      progress.setTimeZone(QTimeZone::utc());
      const Profile me = auth.createStudent(QStringLiteral("Ada"));
      auth.signIn(me.id);
      today = progress.dailyPractice(me.id, *bank_, kT0);
      QCOMPARE(today.size(), kDailyPracticeSize);
      // Answering changes the statuses but not today's list.
      NewAttempt a;
      a.problemId = today.front();
      a.topic = topicOf(*bank_, today.front());
      a.correct = true;
      progress.recordAttempt(a);
      QCOMPARE(progress.problemStatuses(me.id, kT0).value(today.front()).standing, ProblemStanding::Solved);
      QCOMPARE(progress.dailyPractice(me.id, *bank_, kT0 + 6 * 3600 * 1000), today);
    }
    Database db(dir.filePath(QStringLiteral("plan.sqlite")));  // stored, not recomputed
    AuthService auth(db);
    ProgressService progress(auth);
    progress.setTimeZone(QTimeZone::utc());
    const qint64 me = auth.profiles().front().id;
    auth.signIn(me);
    QCOMPARE(progress.dailyPractice(me, *bank_, kT0 + 1000), today);
    const QStringList tomorrow = progress.dailyPractice(me, *bank_, kT0 + kDay);
    QCOMPARE(tomorrow.size(), kDailyPracticeSize);
    QVERIFY(tomorrow != today);
    QVERIFY(!tomorrow.contains(today.front()));  // solved yesterday
  }

  void recentSolutionsNewestFirstWithALimit() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("s.sqlite")));
    AuthService auth(db);
    const Profile me = auth.createStudent(QStringLiteral("Ada"));
    const Profile other = auth.createStudent(QStringLiteral("Bo"));
    QList<qint64> ids;
    for (int i = 0; i < 4; ++i) {
      Solution s;
      s.profileId = i == 3 ? other.id : me.id;
      s.problemId = i % 2 ? QStringLiteral("aime-2024-I-01") : QStringLiteral("math-test-0001");
      s.mode = QStringLiteral("full");
      s.text = QStringLiteral("Step 1: $x = %1$").arg(i);
      s.tokenCount = 10 + i;
      s.createdAt = kT0 + i * 1000;
      ids << db.insertSolution(s);
    }
    const auto recent = db.recentSolutions(me.id, 2);
    QCOMPARE(recent.size(), 2);
    QCOMPARE(recent[0].id, ids[2]);
    QCOMPARE(recent[1].id, ids[1]);
    QCOMPARE(recent[0].tokenCount, 12);
    QVERIFY(recent[0].trace.isEmpty());  // the list carries no blobs
    QCOMPARE(db.recentSolutions(me.id, 100).size(), 3);
    QCOMPARE(db.recentSolutions(other.id, 100).size(), 1);
  }
};

QTEST_GUILESS_MAIN(TestPracticePlan)
#include "test_practice_plan.moc"
