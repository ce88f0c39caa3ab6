// Teacher/student separation and the files between them: a student session
// cannot change a grade or read another student's attempts through any
// service call; a results file edited after export is rejected; the class
// grid and its CSV show what was imported.
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPasswordDigestor>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include "classroom_service.h"
#include "progress_service.h"

using namespace zaya::app;

namespace {
const QString kTeacherPassword = QStringLiteral("correct horse battery");
bool isBankId(std::string_view id) { return id.rfind("math-test-", 0) == 0; }

template <class F>
AppError::Kind kindOf(F&& f) {
  try {
    f();
  } catch (const AppError& e) {
    return e.kind();
  }
  return AppError::Kind(-1);
}

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
void writeAll(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(bytes);
}
}  // namespace

class TestClassroom : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void passwordIsSlowSaltedHash() {
    Database db(dir_.filePath(QStringLiteral("pw.sqlite")));
    AuthService auth(db);
    const Profile t = auth.createTeacher(QStringLiteral("Ms Noether"), kTeacherPassword);
    const auto rec = db.password(t.id);
    QVERIFY(rec);
    QVERIFY(rec->iterations >= 600000);
    QCOMPARE(rec->salt.size(), 16);
    QCOMPARE(rec->hash.size(), 32);
    QVERIFY(!rec->hash.contains(kTeacherPassword.toUtf8()));
    QCOMPARE(kindOf([&] { auth.signIn(t.id, QStringLiteral("wrong password")); }), AppError::Kind::PermissionDenied);
    QVERIFY(!auth.current());
    auth.signIn(t.id, kTeacherPassword);
    QVERIFY(auth.isTeacher());
    QVERIFY(constantTimeEquals("abc", "abc"));
    QVERIFY(!constantTimeEquals("abc", "abd"));
    QVERIFY(!constantTimeEquals("abc", "ab"));
  }

  // The stoppable derivation is PBKDF2 itself (RFC 7914's vector and Qt's
  // own digestor agree), and a background sign-in signs in, refuses, or —
  // once cancelled — stops within moments even at 2^31 - 1 iterations.
  void backgroundSignInCanBeAbandoned() {
    QCOMPARE(deriveKeyPbkdf2Sha256("passwd", "salt", 1, 64)->toHex(),
             QByteArray("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"));
    for (int iterations : {2, 4096, 4097, 9000})
      QCOMPARE(*deriveKeyPbkdf2Sha256("pw", "NaCl-salt-16byte", iterations, 40),
               QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, "pw", "NaCl-salt-16byte", iterations, 40));

    Database db(dir_.filePath(QStringLiteral("pending.sqlite")));
    AuthService auth(db);
    const Profile t = auth.createTeacher(QStringLiteral("Ms Noether"), kTeacherPassword);
    const Profile s = auth.createStudent(QStringLiteral("Ada"));
    auto signInAndWait = [&](qint64 id, const QString& pw) -> QList<QVariant> {
      QObject owner;
      PendingSignIn* pending = auth.beginSignIn(id, pw, &owner);
      QSignalSpy done(pending, &PendingSignIn::finished);
      if (!done.wait(30000)) return {};
      return done.first();
    };
    QCOMPARE(signInAndWait(t.id, QStringLiteral("wrong password")).value(0).toBool(), false);
    QVERIFY(!auth.current());
    QCOMPARE(signInAndWait(t.id, kTeacherPassword).value(0).toBool(), true);
    QVERIFY(auth.isTeacher());
    QCOMPARE(signInAndWait(s.id, {}).value(0).toBool(), true);
    QCOMPARE(auth.current()->id, s.id);
    const auto unknown = signInAndWait(99999, kTeacherPassword);
    QVERIFY(!unknown.value(0).toBool() && unknown.value(1).toString().contains(QStringLiteral("No profile")));

    // A stored count that would take an hour.
    PasswordRecord huge = *db.password(t.id);
    huge.iterations = 2147483647;
    db.setPassword(t.id, huge);
    auth.signOut();
    QElapsedTimer clock;
    clock.start();
    std::unique_ptr<PendingSignIn> p(auth.beginSignIn(t.id, kTeacherPassword, nullptr));
    QSignalSpy done(p.get(), &PendingSignIn::finished);
    QVERIFY(clock.elapsed() < 200);  // returned at once
    QVERIFY(!done.wait(1000));       // still deriving
    QVERIFY(p->isRunning());
    p->cancel();
    QVERIFY2(QThreadPool::globalInstance()->waitForDone(2000), "the derivation did not stop when cancelled");
    QCoreApplication::processEvents();
    QVERIFY(done.isEmpty());  // an abandoned check reports nothing
    QVERIFY(!auth.current());
  }

  void studentCannotReachOthersOrGrades() {
    Database db(dir_.filePath(QStringLiteral("roles.sqlite")));
    AuthService auth(db);
    ProgressService progress(auth);
    ClassroomService classroom(auth, isBankId);
    const Profile teacher = auth.createTeacher(QStringLiteral("Ms Noether"), kTeacherPassword);
    auth.signIn(teacher.id, kTeacherPassword);
    const ClassInfo cls = classroom.createClass(QStringLiteral("Period 3"));
    const Profile ada = classroom.addStudent(cls.id, QStringLiteral("Ada"));
    const Profile bob = classroom.addStudent(cls.id, QStringLiteral("Bob"));
    const ProblemSet set = classroom.createSet(cls.id, QStringLiteral("Week 1"), {QStringLiteral("math-test-0001")}, std::nullopt, true, false);
    auth.signOut();

    // Nothing works signed out.
    QCOMPARE(kindOf([&] { progress.attempts(ada.id); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { progress.recordAttempt({.problemId = QStringLiteral("math-test-0001"), .topic = QStringLiteral("Algebra")}); }),
             AppError::Kind::PermissionDenied);

    auth.signIn(bob.id);
    const Attempt bobs = progress.recordAttempt({.problemId = QStringLiteral("math-test-0001"), .topic = QStringLiteral("Algebra"), .answer = QStringLiteral("7"), .correct = false});
    auth.signIn(ada.id);  // no password for students
    const Attempt adas = progress.recordAttempt({.problemId = QStringLiteral("math-test-0001"), .topic = QStringLiteral("Algebra"), .answer = QStringLiteral("3"), .correct = false});
    QCOMPARE(progress.attempts(ada.id).size(), 1);
    // Every read of Bob's data is refused to Ada.
    QCOMPARE(kindOf([&] { progress.attempts(bob.id); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { progress.mastery(bob.id, 0); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { progress.streak(bob.id, 0); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { progress.activity(bob.id, QDate(2020, 1, 1), QDate(2030, 1, 1)); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { progress.timeOnTaskMillis(bob.id); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { progress.accuracyOverTime(bob.id); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { progress.dueReviews(bob.id, 0); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { progress.reviewQueue(bob.id); }), AppError::Kind::PermissionDenied);
    // Grades: not her own, not anyone's.
    QCOMPARE(kindOf([&] { progress.setGrade(adas.id, true); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { progress.setGrade(bobs.id, true); }), AppError::Kind::PermissionDenied);
    QVERIFY(!db.attempt(adas.id)->gradeOverride);
    // Teacher operations.
    QCOMPARE(kindOf([&] { classroom.createClass(QStringLiteral("Mine")); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { classroom.classes(); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { classroom.students(cls.id); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { classroom.grid(set.id); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { classroom.exportCsv(set.id, dir_.filePath("x.csv")); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { classroom.importResults(dir_.filePath("x.json")); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { classroom.addStudent(cls.id, QStringLiteral("Eve")); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { auth.createTeacher(QStringLiteral("Ada the teacher"), QStringLiteral("12345678")); }), AppError::Kind::PermissionDenied);
    QCOMPARE(kindOf([&] { auth.changePassword(kTeacherPassword, QStringLiteral("new password")); }), AppError::Kind::PermissionDenied);

    // The teacher can do all of it.
    auth.signIn(teacher.id, kTeacherPassword);
    QCOMPARE(progress.attempts(bob.id).size(), 1);
    progress.setGrade(adas.id, true);
    QCOMPARE(db.attempt(adas.id)->effectiveCorrect(), true);
    QCOMPARE(classroom.students(cls.id).size(), 2);
  }

  void setAndResultsRoundTripWithIntegrity() {
    // Teacher's computer.
    Database tdb(dir_.filePath(QStringLiteral("teacher.sqlite")));
    AuthService tauth(tdb);
    ClassroomService tclass(tauth, isBankId);
    const Profile teacher = tauth.createTeacher(QStringLiteral("Ms Noether"), kTeacherPassword);
    tauth.signIn(teacher.id, kTeacherPassword);
    const ClassInfo cls = tclass.createClass(QStringLiteral("Period 3"));
    tclass.addStudent(cls.id, QStringLiteral("Ada"));
    tclass.addStudent(cls.id, QStringLiteral("Carl"));
    QCOMPARE(kindOf([&] { tclass.createSet(cls.id, QStringLiteral("Bad"), {QStringLiteral("not-in-bank")}, std::nullopt, true, true); }),
             AppError::Kind::InvalidInput);
    const QStringList ids = {QStringLiteral("math-test-0001"), QStringLiteral("math-test-0002"), QStringLiteral("math-test-0003")};
    const ProblemSet set = tclass.createSet(cls.id, QStringLiteral("Week 1"), ids, QDate(2026, 12, 1), true, false);
    const QString classFile = dir_.filePath(QStringLiteral("period3.zclass"));
    const QString setFile = dir_.filePath(QStringLiteral("week1.zset"));
    tclass.exportClassFile(cls.id, classFile);
    tclass.exportSet(set.id, setFile);

    // Student's computer.
    Database sdb(dir_.filePath(QStringLiteral("student.sqlite")));
    AuthService sauth(sdb);
    ProgressService sprogress(sauth);
    ClassroomService sclass(sauth, isBankId);
    const Profile ada = sauth.createStudent(QStringLiteral("Ada"));
    sauth.signIn(ada.id);
    QCOMPARE(kindOf([&] { sclass.importSet(setFile); }), AppError::Kind::InvalidInput);  // must join first
    QCOMPARE(sclass.joinClass(classFile).uuid, cls.uuid);
    const ProblemSet mine = sclass.importSet(setFile);
    QCOMPARE(mine.problemIds, ids);
    QCOMPARE(sclass.mySets().size(), 1);
    sprogress.recordAttempt({.problemId = ids[0], .topic = QStringLiteral("Algebra"), .answer = QStringLiteral("5"), .correct = false, .millisTaken = 30000, .setId = mine.id});
    sprogress.recordAttempt({.problemId = ids[0], .topic = QStringLiteral("Algebra"), .answer = QStringLiteral("1/2"), .correct = true, .millisTaken = 20000, .hintsUsed = 1, .setId = mine.id});
    sprogress.recordAttempt({.problemId = ids[1], .topic = QStringLiteral("Geometry"), .answer = QStringLiteral("12"), .correct = false, .millisTaken = 50000, .setId = mine.id});
    const QString resultsFile = dir_.filePath(QStringLiteral("ada-week1.zresults"));
    sclass.exportResults(mine.id, resultsFile);

    // Back on the teacher's computer.
    const ResultsImportSummary summary = tclass.importResults(resultsFile);
    QCOMPARE(summary.studentName, QStringLiteral("Ada"));
    QCOMPARE(summary.answered, 2);
    QCOMPARE(summary.correct, 1);
    QVERIFY(!summary.replacedEarlier);
    const ClassGrid g = tclass.grid(set.id);
    QCOMPARE(g.problemIds, ids);
    QCOMPARE(g.studentNames, (QStringList{QStringLiteral("Ada"), QStringLiteral("Carl")}));
    QCOMPARE(g.cells[0][0].state, GridCell::State::Correct);
    QCOMPARE(g.cells[0][0].answer, QStringLiteral("1/2"));
    QCOMPARE(g.cells[0][0].hintsUsed, 1);
    QCOMPARE(g.cells[0][0].seconds, 50.0);
    QCOMPARE(g.cells[0][1].state, GridCell::State::Incorrect);
    QCOMPARE(g.cells[0][2].state, GridCell::State::Unanswered);
    QCOMPARE(g.cells[1][0].state, GridCell::State::Missing);  // Carl sent nothing yet
    ClassGridModel model;
    model.setGrid(g);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), 4);
    QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("✓ 0:50 · 1 hint"));
    QVERIFY(model.data(model.index(0, 0), Qt::ToolTipRole).toString().startsWith(QStringLiteral("Answer: 1/2\nTime: 0:50 min")));
    QCOMPARE(model.data(model.index(1, 0)).toString(), QString());  // Carl: nothing yet
    QCOMPARE(model.data(model.index(0, 3)).toString(), QStringLiteral("1/3"));
    QCOMPARE(model.headerData(3, Qt::Horizontal).toString(), QStringLiteral("Score"));
    const QString csv = dir_.filePath(QStringLiteral("grid.csv"));
    tclass.exportCsv(set.id, csv);
    QCOMPARE(QString::fromUtf8(readAll(csv)),
             QStringLiteral("student,math-test-0001,math-test-0002,math-test-0003,score\n"
                            "Ada,correct,incorrect,unanswered,1/3\n"
                            "Carl,,,,0/3\n"));
    // Importing again replaces, not duplicates.
    QVERIFY(tclass.importResults(resultsFile).replacedEarlier);
    QCOMPARE(tdb.importedResults(cls.id, set.uuid).size(), 2);

    // An edited results file is rejected and changes nothing.
    QJsonObject o = QJsonDocument::fromJson(readAll(resultsFile)).object();
    QVERIFY2(o.contains(QStringLiteral("answers")), readAll(resultsFile).constData());
    QByteArray edited = readAll(resultsFile);
    QVERIFY(edited.contains("\"incorrect\""));
    edited.replace("\"incorrect\"", "\"correct\"");
    const QString editedFile = dir_.filePath(QStringLiteral("edited.zresults"));
    writeAll(editedFile, edited);
    try {
      tclass.importResults(editedFile);
      QFAIL("an edited results file was accepted");
    } catch (const AppError& e) {
      QCOMPARE(e.kind(), AppError::Kind::InvalidInput);
      QVERIFY(e.message().contains(QStringLiteral("integrity tag does not match")));
    }
    QCOMPARE(tclass.grid(set.id).cells[0][1].state, GridCell::State::Incorrect);
    // A file with its signature removed is rejected too.
    o.remove(QStringLiteral("integrity"));
    writeAll(editedFile, QJsonDocument(o).toJson());
    QCOMPARE(kindOf([&] { tclass.importResults(editedFile); }), AppError::Kind::InvalidInput);
    // Garbage is rejected with the file named.
    writeAll(editedFile, "{not json");
    try {
      tclass.importResults(editedFile);
      QFAIL("garbage accepted");
    } catch (const AppError& e) {
      QVERIFY(e.message().contains(QStringLiteral("edited.zresults")));
    }
    // A tampered class file is refused.
    QByteArray badClass = readAll(classFile);
    badClass.replace("\"version\": 1", "\"version\": 7");
    writeAll(editedFile, badClass);
    QCOMPARE(kindOf([&] { sclass.joinClass(editedFile); }), AppError::Kind::InvalidInput);
  }
};

QTEST_GUILESS_MAIN(TestClassroom)
#include "test_classroom.moc"
