// The rules of assigned sets (set_rules.h): the strictest open set wins, the
// key of an assigned problem waits for a first attempt, the rules lift after
// the due date, and the tutor itself refuses what they forbid.
#include <QTemporaryDir>
#include <QtTest>

#include "database.h"
#include "set_rules.h"

using namespace zaya::app;

namespace {
ProblemSet set(const QString& title, const QStringList& ids, bool hints, bool solutions, bool reference,
               std::optional<qint64> due = std::nullopt) {
  ProblemSet s;
  s.title = title;
  s.problemIds = ids;
  s.allowHints = hints;
  s.allowSolutions = solutions;
  s.allowReference = reference;
  s.dueAt = due;
  return s;
}
const QString kP = QStringLiteral("math-test-0001");
}  // namespace

class TestSetRules : public QObject {
  Q_OBJECT
 private slots:
  void unassignedProblemsAreFree() {
    const SetRules r = setRulesFor({set(QStringLiteral("Week 3"), {QStringLiteral("other")}, false, false, false)}, kP, false, 0);
    QCOMPARE(r, SetRules{});
  }

  void theStrictestOpenSetWinsAndSaysWhy() {
    const QList<ProblemSet> sets = {set(QStringLiteral("Week 2"), {kP}, true, true, true),
                                    set(QStringLiteral("Week 3"), {kP}, false, true, false)};
    const SetRules r = setRulesFor(sets, kP, true, 0);
    QVERIFY(!r.hintsAllowed && r.modelSolutionsAllowed && !r.referenceAllowed);
    QCOMPARE(r.hintsReason, QStringLiteral("Your teacher turned off hints for Week 3."));
    QVERIFY(r.referenceReason.contains(QStringLiteral("Week 3")));
    QCOMPARE(refusalFor(r, TutorAction::Hint), r.hintsReason);
    QCOMPARE(refusalFor(r, TutorAction::Explain), r.hintsReason);
    QCOMPARE(refusalFor(r, TutorAction::Question), r.hintsReason);
    QCOMPARE(refusalFor(r, TutorAction::CheckWorking), r.hintsReason);
    QVERIFY(refusalFor(r, TutorAction::Solution).isEmpty());
  }

  void theKeyOfAnAssignedProblemWaitsForAnAttempt() {
    const QList<ProblemSet> sets = {set(QStringLiteral("Week 2"), {kP}, true, true, true)};
    QVERIFY(!setRulesFor(sets, kP, false, 0).referenceAllowed);
    QVERIFY(setRulesFor(sets, kP, false, 0).referenceReason.contains(QStringLiteral("after your first answer")));
    QVERIFY(setRulesFor(sets, kP, true, 0).referenceAllowed);
  }

  void rulesLiftAfterTheDueDate() {
    const QList<ProblemSet> sets = {set(QStringLiteral("Week 3"), {kP}, false, false, false, 1000)};
    QVERIFY(!setRulesFor(sets, kP, false, 999).hintsAllowed);
    QVERIFY(!setRulesFor(sets, kP, false, 1000).modelSolutionsAllowed);
    QCOMPARE(setRulesFor(sets, kP, false, 1001), SetRules{});
  }

  void readFromTheDatabase() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("db.sqlite")));
    Profile p;
    p.name = QStringLiteral("Ada");
    const qint64 pid = db.insertProfile(p);
    ProblemSet s = set(QStringLiteral("Week 3"), {kP}, false, true, true);
    s.classUuid = QStringLiteral("c");
    db.assign(db.insertSet(s), pid);
    QVERIFY(!setRulesFor(db, pid, kP, 0).hintsAllowed);
    QVERIFY(!setRulesFor(db, pid, kP, 0).referenceAllowed);
    db.insertAttempt({.profileId = pid, .problemId = kP, .topic = QStringLiteral("Algebra"), .answer = QStringLiteral("3")});
    QVERIFY(setRulesFor(db, pid, kP, 0).referenceAllowed);
    // Another profile on the same computer has no such set.
    Profile other;
    other.name = QStringLiteral("Ben");
    QCOMPARE(setRulesFor(db, db.insertProfile(other), kP, 0), SetRules{});
  }
};

QTEST_GUILESS_MAIN(TestSetRules)
#include "test_set_rules.moc"
