// Timed sittings under contest rules, on the real bank and a test clock: the
// 3-hour AIME clock ends and scores a sitting, answers survive a kill, the
// tutor refuses every help while it runs, SAT modules, timed sets.
#include <signal.h>

#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <optional>

#include "classroom_service.h"
#include "contest_service.h"
#include "scripted_backend.h"
#include "tutor.h"
#include "zaya/problems/answer_checker.h"
#include "zaya/problems/contest.h"
#include "zaya/problems/problem_set.h"

using namespace zaya::app;
namespace problems = zaya::problems;

namespace {

constexpr qint64 kHour = 3600 * 1000;

// One student signed in on a fresh database, with the services a sitting needs.
struct Fixture {
  explicit Fixture(const QString& path, const problems::ProblemBank& bank)
      : db(path), auth(db), progress(auth), contest(auth, progress) {
    me = auth.createStudent(QStringLiteral("Ada"));
    auth.signIn(me.id);
    contest.setBank(&bank);
    contest.setTicking(false);
    contest.setClock([this] { return now; });
  }
  Database db;
  AuthService auth;
  ProgressService progress;
  ContestService contest;
  Profile me;
  qint64 now = 1000;
};

std::shared_ptr<ScriptedBackend> scripted() {
  return std::make_shared<ScriptedBackend>(ScriptedBackend::fromWords(QString(), QStringLiteral("Try a substitution.")),
                                           BackendInfo{QStringLiteral("scripted"), false, 0, 0, {}});
}

QString key(const problems::ProblemBank& bank, const QString& id) {
  return QString::fromStdString(bank.find(id.toStdString())->answer);
}

}  // namespace

class TestContestService : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    const auto dir = problems::find_problems_dir();
    QVERIFY2(dir, "the problem bank is not found");
    bank_.emplace(problems::ProblemBank::load(*dir));
  }

  void anAimeSittingEndsAtThreeHoursAndIsScoredByTheChecker() {
    QTemporaryDir dir;
    Fixture f(dir.filePath(QStringLiteral("db.sqlite")), *bank_);
    const Sitting s = f.contest.startAime(QStringLiteral("aime-2024-I"));
    QCOMPARE(s.answers.size(), 15);
    QCOMPARE(s.timeLimitMs, 3 * kHour);
    QVERIFY(s.note.isEmpty());
    // Five right (the key with leading zeros too), three wrong, the rest blank.
    QStringList typed;
    for (int i = 0; i < 8; ++i) {
      const QString k = key(*bank_, s.answers[i].problemId);
      typed << (i < 5 ? (i == 0 ? k.rightJustified(3, QLatin1Char('0')) : k) : QString::number((k.toInt() + 1) % 1000));
      f.contest.setAnswer(i, typed.back());
    }
    int expected = 0;
    for (int i = 0; i < 8; ++i)
      expected += problems::check_problem_answer(*bank_->find(s.answers[i].problemId.toStdString()),
                                                 f.db.sitting(s.id)->answers[i].answer.toStdString())
                      .equivalent;
    QCOMPARE(expected, 5);

    // While it runs the tutor refuses every help, not only the buttons.
    Tutor tutor(&f.db, f.me.id);
    tutor.setBackend(scripted());
    tutor.openProblem(bank_->find(s.answers[0].problemId.toStdString()));
    QSignalSpy refused(&tutor, &Tutor::refused);
    for (TutorAction a : {TutorAction::Hint, TutorAction::Solution, TutorAction::Question, TutorAction::CheckWorking}) {
      QVERIFY(!tutor.ask(a, QStringLiteral("x")));
      QVERIFY2(refused.last().first().toString().contains(QStringLiteral("timed sitting")),
               qPrintable(refused.last().first().toString()));
    }
    QVERIFY(!tutor.rules().referenceAllowed);
    QVERIFY(!tutor.rules().answerCheckAllowed);

    // One second before 3:00:00 it still runs; at 3:00:00 it ends and is scored.
    QSignalSpy finished(&f.contest, &ContestService::finished);
    f.contest.show(3);
    f.now += 3 * kHour - 1000;
    f.contest.tick();
    QVERIFY(f.contest.current());
    QCOMPARE(f.contest.remainingMs(), 1000);
    f.now += 5000;  // a late tick: the clock stops at the limit
    f.contest.tick();
    QVERIFY(!f.contest.current());
    QCOMPARE(finished.size(), 1);
    const Sitting done = *f.db.sitting(s.id);
    QCOMPARE(done.endReason, QStringLiteral("time"));
    QCOMPARE(done.elapsedMs, 3 * kHour);
    QCOMPARE(done.score, expected);
    QCOMPARE(done.answers[3].millisSpent, 3 * kHour);  // the problem shown all the time
    // Each answered problem is an attempt with the checker's verdict.
    const auto attempts = f.progress.attempts(f.me.id);
    QCOMPARE(attempts.size(), 8);
    int right = 0;
    for (const auto& a : attempts) right += a.correct;
    QCOMPARE(right, expected);
    // Afterwards help opens again (the 2024 paper is in no assigned set).
    QVERIFY(tutor.ask(TutorAction::Hint));
    QVERIFY_THROWS_EXCEPTION(AppError, f.contest.setAnswer(0, QStringLiteral("1")));
  }

  void aimeAnswersAreWholeNumbersFrom000To999() {
    QTemporaryDir dir;
    Fixture f(dir.filePath(QStringLiteral("db.sqlite")), *bank_);
    const Sitting s = f.contest.startAime(QStringLiteral("aime-2023-II"));
    QCOMPARE(f.contest.setAnswer(0, QStringLiteral("7")), QStringLiteral("7"));
    QCOMPARE(f.contest.setAnswer(1, QStringLiteral("007")), QStringLiteral("7"));
    try {
      f.contest.setAnswer(2, QStringLiteral("7.5"));
      QFAIL("7.5 was accepted");
    } catch (const AppError& e) {
      QCOMPARE(e.kind(), AppError::Kind::InvalidInput);
      QVERIFY2(e.message().contains(QStringLiteral("whole numbers from 000 to 999")), qPrintable(e.message()));
    }
    const auto stored = f.db.sitting(s.id)->answers;
    QCOMPARE(stored[0].answer, QStringLiteral("7"));
    QCOMPARE(stored[1].answer, QStringLiteral("7"));
    QCOMPARE(stored[2].answer, QString());  // nothing saved
    // "7" and "007" are graded as 7.
    const Sitting done = f.contest.submit();
    QCOMPARE(done.endReason, QStringLiteral("submitted"));
    const bool sevenIsRight0 = key(*bank_, s.answers[0].problemId).toInt() == 7;
    const bool sevenIsRight1 = key(*bank_, s.answers[1].problemId).toInt() == 7;
    QCOMPARE(done.answers[0].correct, sevenIsRight0);
    QCOMPARE(done.answers[1].correct, sevenIsRight1);
  }

  void answersSurviveAKillAndTheClockResumes() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    qint64 profileId = 0, sittingId = 0;
    {
      Fixture f(path, *bank_);
      profileId = f.me.id;
      sittingId = f.contest.startAime(QStringLiteral("aime-2024-II")).id;
    }
    QRandomGenerator rng(20261203);
    for (int round = 0; round < 5; ++round) {
      QProcess child;
      child.start(QStringLiteral(ZAYA_TEST_DB_WRITER), {QStringLiteral("sitting"), path, QString::number(profileId)});
      QVERIFY2(child.waitForStarted(5000), qPrintable(child.errorString()));
      QByteArray out;
      while (!out.contains("ready\n") && child.state() == QProcess::Running) {
        child.waitForReadyRead(100);
        out += child.readAllStandardOutput();
      }
      QTest::qWait(int(rng.bounded(50, 400)));
      ::kill(pid_t(child.processId()), SIGKILL);
      child.waitForFinished(5000);
      out += child.readAllStandardOutput();
      // The last save each position reported, and the one that may have been in flight.
      int lastSaved = -1;
      for (const QByteArray& line : out.split('\n'))
        if (line.startsWith("saved ")) lastSaved = line.mid(6).toInt();
      QVERIFY2(lastSaved >= 15, "the child saved too little before the kill");
      Database db(path);
      const auto s = db.sitting(sittingId);
      QVERIFY(s && s->isOpen());
      for (int pos = 0; pos < 15; ++pos) {
        int last = lastSaved - ((lastSaved - pos) % 15 + 15) % 15;  // the last i with i % 15 == pos
        const QString reported = QString::number(last % 1000), inFlight = QString::number((last + 15) % 1000);
        QVERIFY2(s->answers[pos].answer == reported || s->answers[pos].answer == inFlight,
                 qPrintable(QStringLiteral("round %1 position %2: stored %3, reported %4")
                                .arg(round)
                                .arg(pos)
                                .arg(s->answers[pos].answer, reported)));
      }
    }
    // A restarted app resumes the sitting with its answers and its clock.
    Database db(path);
    AuthService auth(db);
    ProgressService progress(auth);
    ContestService contest(auth, progress);
    contest.setBank(&*bank_);
    contest.setTicking(false);
    qint64 now = 0;
    contest.setClock([&] { return now; });
    auth.signIn(profileId);
    const Sitting before = *db.sitting(sittingId);
    const Sitting* resumed = contest.resumeOpen();
    QVERIFY(resumed);
    QCOMPARE(resumed->id, sittingId);
    QCOMPARE(resumed->elapsedMs, before.elapsedMs);
    QCOMPARE(resumed->answers[0].answer, before.answers[0].answer);
    now += 60000;
    contest.tick();
    QCOMPARE(contest.remainingMs(), 3 * kHour - before.elapsedMs - 60000);
    // One sitting at a time.
    QVERIFY_THROWS_EXCEPTION(AppError, contest.startSat(1));
  }

  void aSatModuleIs22ProblemsIn35MinutesFixedBySeed() {
    QTemporaryDir dir;
    Fixture f(dir.filePath(QStringLiteral("db.sqlite")), *bank_);
    const Sitting s = f.contest.startSat(4242, 1.5);
    QCOMPARE(s.answers.size(), 22);
    const auto drawn = problems::sat_module(*bank_, 4242);
    for (int i = 0; i < 22; ++i) QCOMPARE(s.answers[i].problemId, QString::fromStdString(drawn[i]));
    QCOMPARE(s.standardMs, 35 * 60 * 1000);
    QCOMPARE(s.timeLimitMs, qint64(52.5 * 60 * 1000));  // time and a half
    QCOMPARE(s.seed, 4242);
    QVERIFY(s.title.contains(QStringLiteral("4242")));
    f.contest.setAnswer(0, key(*bank_, s.answers[0].problemId));
    const Sitting done = f.contest.submit();
    QCOMPARE(done.score, 1);
    const SittingReport r = f.contest.report(done.id);
    int total = 0;
    for (const auto& t : r.topics) total += t.total;
    QCOMPARE(total, 22);
    QCOMPARE(r.answered, 1);
    QVERIFY(r.earlier.isEmpty());
    // A second module: the first is an earlier sitting of the same kind.
    f.contest.startSat(4243);
    const SittingReport second = f.contest.report(f.contest.submit().id);
    QCOMPARE(second.earlier.size(), 1);
    QCOMPARE(second.earlier.first().id, done.id);
    QVERIFY(!second.samePaperBefore || second.samePaperBefore->id == done.id);
  }

  void anIncompletePaperIsScoredOutOfItsProblemsWithItsTimeScaled() {
    QTemporaryDir dir;
    Fixture f(dir.filePath(QStringLiteral("db.sqlite")), *bank_);
    const Sitting s = f.contest.startAime(QStringLiteral("aime-1989"));
    QCOMPARE(s.answers.size(), 9);
    QCOMPARE(s.timeLimitMs, 108 * 60 * 1000);
    QVERIFY2(s.note.contains(QStringLiteral("scored out of 9")), qPrintable(s.note));
  }

  void aTimedSetUsesTheTeachersLimitAndCountsForTheSet() {
    QTemporaryDir dir;
    Fixture f(dir.filePath(QStringLiteral("db.sqlite")), *bank_);
    problems::ProblemSet file;
    file.set_id = "week-4";
    file.title = "Week 4 quiz";
    file.time_limit_minutes = 30;
    file.time_multiplier = 1.5;
    file.items.push_back({"math-test-0001", std::nullopt, 1.0});
    file.items.push_back({"aime-2024-I-01", std::nullopt, 1.0});
    const auto isBank = [&](std::string_view id) { return bank_->contains(id); };
    QVERIFY(problems::import_problem_set(problems::export_problem_set(file), isBank));
    ProblemSet set;
    set.title = QStringLiteral("Week 4 quiz");
    set.problemIds = {QStringLiteral("math-test-0001"), QStringLiteral("aime-2024-I-01")};
    set.fileJson = QByteArray::fromStdString(problems::export_problem_set(file));
    const qint64 setId = f.db.insertSet(set);
    // Not assigned yet: refused.
    QVERIFY_THROWS_EXCEPTION(AppError, f.contest.startSet(setId));
    f.db.assign(setId, f.me.id);
    const Sitting s = f.contest.startSet(setId);
    QCOMPARE(s.timeLimitMs, 45 * 60 * 1000);
    QCOMPARE(s.setId, setId);
    f.contest.setAnswer(0, key(*bank_, s.answers[0].problemId));
    f.contest.submit();
    const auto attempts = f.progress.attempts(f.me.id);
    QCOMPARE(attempts.size(), 1);
    QCOMPARE(attempts[0].setId, setId);
    // An untimed set is no timed test.
    set.fileJson = QByteArray::fromStdString(problems::export_problem_set({.set_id = "w5", .title = "Week 5"}));
    const qint64 untimed = f.db.insertSet(set);
    f.db.assign(untimed, f.me.id);
    QVERIFY_THROWS_EXCEPTION(AppError, f.contest.startSet(untimed));
  }

  // The seam: a teacher's timed set travels as a file and is sat under its
  // limit on the student's computer; the results file carries the answers.
  void aTeachersTimedSetFileIsSatUnderItsLimit() {
    QTemporaryDir dir;
    const auto isBank = [this](std::string_view id) { return bank_->contains(id); };
    const QString classFile = dir.filePath(QStringLiteral("class.json")), setFile = dir.filePath(QStringLiteral("quiz.json"));
    const QStringList ids = {QStringLiteral("math-test-0001"), QStringLiteral("math-test-0002")};
    {
      Database tdb(dir.filePath(QStringLiteral("teacher.sqlite")));
      AuthService tauth(tdb);
      ClassroomService tclass(tauth, isBank);
      const Profile t = tauth.createTeacher(QStringLiteral("Ms T"), QStringLiteral("correct horse battery"));
      tauth.signIn(t.id, QStringLiteral("correct horse battery"));
      const ClassInfo c = tclass.createClass(QStringLiteral("7b"));
      const Profile ada = tclass.addStudent(c.id, QStringLiteral("Ada"));
      tclass.exportClassFile(c.id, ada.id, classFile);
      const ProblemSet set = tclass.createSet(c.id, QStringLiteral("Quiz 1"), ids, std::nullopt, true, true, true,
                                              {.limitMinutes = 20, .multiplier = 1.5});
      tclass.exportSet(set.id, setFile);
    }
    Fixture f(dir.filePath(QStringLiteral("student.sqlite")), *bank_);
    ClassroomService sclass(f.auth, isBank);
    sclass.joinClass(classFile);
    const ProblemSet mine = sclass.importSet(setFile);
    QCOMPARE(f.contest.setTimeLimitMinutes(mine), 20);
    QCOMPARE(f.contest.setTimeMultiplier(mine), 1.5);
    const Sitting s = f.contest.startSet(mine.id);
    QCOMPARE(s.timeLimitMs, 30 * 60 * 1000);
    f.contest.setAnswer(0, key(*bank_, ids[0]));
    f.now += 31 * 60 * 1000;
    f.contest.tick();
    QVERIFY(!f.contest.current());
    const QString results = dir.filePath(QStringLiteral("results.json"));
    sclass.exportResults(mine.id, results);
    QFile file(results);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const auto imported = problems::import_results(file.readAll().toStdString());
    QVERIFY2(imported, imported.error.c_str());
    bool found = false;
    for (const auto& e : imported.value->entries)
      if (e.problem_id == ids[0].toStdString()) {
        found = true;
        QCOMPARE(e.verdict, problems::Verdict3::Correct);
        QCOMPARE(e.attempts, 1);
      }
    QVERIFY(found);
    QCOMPARE(imported.value->sittings.size(), 1u);
    const auto& sat = imported.value->sittings[0];
    QCOMPARE(sat.time_limit_seconds, 1800);
    QCOMPARE(sat.elapsed_seconds, 1800);
    QCOMPARE(sat.time_multiplier, 1.5);
    QCOMPARE(sat.ended, std::string("time"));
    QCOMPARE(sat.score, 1);
    QCOMPARE(sat.out_of, 2);
    // The teacher's app reads it back, signed, and says how it was sat.
    Database tdb(dir.filePath(QStringLiteral("teacher.sqlite")));
    AuthService tauth(tdb);
    ClassroomService tclass(tauth, isBank);
    for (const auto& p : tauth.profiles())
      if (p.role == Role::Teacher) tauth.signIn(p.id, QStringLiteral("correct horse battery"));
    const ResultsImportSummary summary = tclass.importResults(results);
    QCOMPARE(summary.timedSittings, QStringList{QStringLiteral("1 of 2 in 30:00 of 30:00 (1.5× time), the time ran out")});
  }

 private:
  std::optional<problems::ProblemBank> bank_;
};

QTEST_GUILESS_MAIN(TestContestService)
#include "test_contest_service.moc"
