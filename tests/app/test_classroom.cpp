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
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QtTest>

#include "classroom_service.h"
#include "progress_service.h"

using namespace zaya::app;
namespace problems = zaya::problems;

namespace {
const QString kTeacherPassword = QStringLiteral("correct horse battery");
bool isBankId(std::string_view id) { return id.rfind("math-test-", 0) == 0; }
// The teacher's checker over a three-problem bank (keys 1/2, 7 and 3).
std::optional<bool> grade(const QString& problemId, const QString& answer) {
  static const QHash<QString, QString> keys = {{QStringLiteral("math-test-0001"), QStringLiteral("1/2")},
                                               {QStringLiteral("math-test-0002"), QStringLiteral("7")},
                                               {QStringLiteral("math-test-0003"), QStringLiteral("3")}};
  if (!keys.contains(problemId)) return std::nullopt;
  return answer.trimmed() == keys.value(problemId);
}

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

    // A check walked away from signs nobody in.
    auth.signOut();
    {
      std::unique_ptr<PendingSignIn> p(auth.beginSignIn(t.id, kTeacherPassword, nullptr));
      QSignalSpy done(p.get(), &PendingSignIn::finished);
      p->cancel();
      QVERIFY2(QThreadPool::globalInstance()->waitForDone(5000), "the derivation did not stop when cancelled");
      QCoreApplication::processEvents();
      QVERIFY(done.isEmpty());  // an abandoned check reports nothing
      QVERIFY(!auth.current());
    }

    // A stored count that is not the documented 600,000 (here one that would
    // take an hour) is refused at once, before any derivation.
    PasswordRecord huge = *db.password(t.id);
    huge.iterations = 2147483647;
    db.setPassword(t.id, huge);
    QElapsedTimer clock;
    clock.start();
    const auto refused = signInAndWait(t.id, kTeacherPassword);
    QVERIFY(clock.elapsed() < 1000);
    QCOMPARE(refused.value(0).toBool(), false);
    QVERIFY2(refused.value(1).toString().contains(QStringLiteral("600000")), qPrintable(refused.value(1).toString()));
    QVERIFY(!auth.current());
  }

  // Overwriting the stored hash: a cheap hash of a new password is refused; a
  // valid 600,000-iteration hash of another password opens teacher mode, but
  // every earlier record then shows as tampered, as does a row edited in SQLite.
  void replacedPasswordHashAndEditedRowsShowAsTampered() {
    Database db(dir_.filePath(QStringLiteral("tamper.sqlite")));
    AuthService auth(db);
    ClassroomService classroom(auth, isBankId);
    const Profile t = auth.createTeacher(QStringLiteral("Ms Noether"), kTeacherPassword);
    auth.signIn(t.id, kTeacherPassword);
    QCOMPARE(auth.recordsKey().size(), 32);
    const ClassInfo cls = classroom.createClass(QStringLiteral("Period 3"));
    const Profile ada = classroom.addStudent(cls.id, QStringLiteral("Ada"));
    classroom.createSet(cls.id, QStringLiteral("Week 1"), {QStringLiteral("math-test-0001")}, std::nullopt, true, false);
    QCOMPARE(classroom.tamperedRecordCount(), 0);
    // A row edited behind the app's back.
    {
      auto raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper-raw"));
      raw.setDatabaseName(db.path());
      QVERIFY(raw.open());
      QVERIFY(QSqlQuery(raw).exec(QStringLiteral("UPDATE profiles SET name = 'Eve' WHERE id = %1").arg(ada.id)));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper-raw"));
    QCOMPARE(classroom.tamperedRecordCount(), 1);
    auth.signOut();

    // A 1-iteration hash of a new password: refused.
    PasswordRecord cheap = AuthService::hashPassword(QStringLiteral("student password"), 1);
    db.setPassword(t.id, cheap);
    QCOMPARE(kindOf([&] { auth.signIn(t.id, QStringLiteral("student password")); }), AppError::Kind::PermissionDenied);
    QVERIFY(!auth.current());
    // A valid 600,000-iteration hash of another password: opens, but nothing verifies.
    db.setPassword(t.id, AuthService::hashPassword(QStringLiteral("student password")));
    auth.signIn(t.id, QStringLiteral("student password"));
    QVERIFY(auth.isTeacher());
    QCOMPARE(classroom.tamperedRecordCount(), 3);  // the class, the roster entry, the set
  }

  void firstUseIsRefusedWhileClassesExistAndPasswordChangeKeepsRecordsValid() {
    Database db(dir_.filePath(QStringLiteral("first-use.sqlite")));
    AuthService auth(db);
    ClassroomService classroom(auth, isBankId);
    const Profile t = auth.createTeacher(QStringLiteral("Ms Noether"), kTeacherPassword);
    auth.signIn(t.id, kTeacherPassword);
    const ClassInfo cls = classroom.createClass(QStringLiteral("Period 3"));
    classroom.addStudent(cls.id, QStringLiteral("Ada"));
    QCOMPARE(kindOf([&] { classroom.changeTeacherPassword(QStringLiteral("wrong password"), QStringLiteral("new password 1")); }),
             AppError::Kind::PermissionDenied);
    classroom.changeTeacherPassword(kTeacherPassword, QStringLiteral("new password 1"));
    QCOMPARE(classroom.tamperedRecordCount(), 0);
    auth.signOut();
    QCOMPARE(kindOf([&] { auth.signIn(t.id, kTeacherPassword); }), AppError::Kind::PermissionDenied);
    auth.signIn(t.id, QStringLiteral("new password 1"));
    QCOMPARE(classroom.tamperedRecordCount(), 0);
    auth.signOut();
    // The teacher demoted in the database: first-use setup stays closed.
    db.deleteProfile(t.id);
    QVERIFY(!auth.hasTeacher());
    QCOMPARE(kindOf([&] { auth.createTeacher(QStringLiteral("Mallory"), QStringLiteral("12345678")); }),
             AppError::Kind::PermissionDenied);
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
    ClassroomService tclass(tauth, isBankId, grade);
    const Profile teacher = tauth.createTeacher(QStringLiteral("Ms Noether"), kTeacherPassword);
    tauth.signIn(teacher.id, kTeacherPassword);
    const ClassInfo cls = tclass.createClass(QStringLiteral("Period 3"));
    const Profile adaEntry = tclass.addStudent(cls.id, QStringLiteral("Ada"));
    const Profile carlEntry = tclass.addStudent(cls.id, QStringLiteral("Carl"));
    QVERIFY(adaEntry.isRoster && adaEntry.resultsKey.size() == 32 && adaEntry.resultsKey != carlEntry.resultsKey);
    QCOMPARE(kindOf([&] { tclass.createSet(cls.id, QStringLiteral("Bad"), {QStringLiteral("not-in-bank")}, std::nullopt, true, true); }),
             AppError::Kind::InvalidInput);
    const QStringList ids = {QStringLiteral("math-test-0001"), QStringLiteral("math-test-0002"), QStringLiteral("math-test-0003")};
    const ProblemSet set = tclass.createSet(cls.id, QStringLiteral("Week 1"), ids, QDate::currentDate().addDays(7), true, false);
    const QString setFile = dir_.filePath(QStringLiteral("week1.zset"));
    const QStringList classFiles = tclass.exportAllClassFiles(cls.id, dir_.filePath(QStringLiteral("class-files")));
    QCOMPARE(classFiles.size(), 2);
    const QString classFile = classFiles.filter(QStringLiteral("Ada")).value(0);
    QVERIFY(!classFile.isEmpty());
    // Each student's file holds that student's own key, not the class key.
    const QJsonObject cf = QJsonDocument::fromJson(readAll(classFile)).object();
    QCOMPARE(cf.value("student_id").toString(), adaEntry.uuid);
    QCOMPARE(QByteArray::fromBase64(cf.value("key").toString().toLatin1()), adaEntry.resultsKey);
    QVERIFY(!readAll(classFile).contains(cls.hmacKey.toBase64()));
    tclass.exportSet(set.id, setFile);

    // Student's computer.
    Database sdb(dir_.filePath(QStringLiteral("student.sqlite")));
    AuthService sauth(sdb);
    ProgressService sprogress(sauth);
    ClassroomService sclass(sauth, isBankId);
    const Profile ada = sauth.createStudent(QStringLiteral("Ada Lovelace"));
    sauth.signIn(ada.id);
    QCOMPARE(kindOf([&] { sclass.importSet(setFile); }), AppError::Kind::InvalidInput);  // must join first
    const ClassFileInfo info = sclass.readClassFile(classFile);
    QCOMPARE(info.studentName, QStringLiteral("Ada"));
    QCOMPARE(sclass.joinClass(classFile).uuid, cls.uuid);
    QCOMPARE(sdb.profile(ada.id)->rosterId, adaEntry.uuid);
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
    QCOMPARE(summary.disagreements, 0);
    QVERIFY(!summary.replacedEarlier);
    ClassGrid g = tclass.grid(set.id);
    QCOMPARE(g.problemIds, ids);
    QCOMPARE(g.studentNames, (QStringList{QStringLiteral("Ada"), QStringLiteral("Carl")}));
    QCOMPARE(g.studentUuids[0], adaEntry.uuid);
    QCOMPARE(g.cells[0][0].state, GridCell::State::Correct);
    QCOMPARE(g.cells[0][0].answer, QStringLiteral("1/2"));
    QCOMPARE(g.cells[0][0].firstAnswer, QStringLiteral("5"));
    QCOMPARE(g.cells[0][0].attempts, 2);
    QCOMPARE(g.cells[0][0].hintsUsed, 1);
    QCOMPARE(g.cells[0][0].seconds, 50.0);
    QCOMPARE(g.cells[0][1].state, GridCell::State::Incorrect);
    QCOMPARE(g.cells[0][2].state, GridCell::State::Unanswered);
    QCOMPARE(g.cells[1][0].state, GridCell::State::Missing);  // Carl sent nothing yet
    ClassGridModel model;
    model.setGrid(g);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), 4);
    QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("✓ 0:50 · 2 attempts · 1 hint"));
    const QString tip = model.data(model.index(0, 0), Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("First answer: 5")) && tip.contains(QStringLiteral("attempts: 2")), qPrintable(tip));
    QCOMPARE(model.data(model.index(1, 0)).toString(), QString());  // Carl: nothing yet
    QCOMPARE(model.data(model.index(0, 3)).toString(), QStringLiteral("1 of 3"));
    QCOMPARE(model.headerData(3, Qt::Horizontal).toString(), QStringLiteral("Score"));
    // Importing again replaces, not duplicates.
    QVERIFY(tclass.importResults(resultsFile).replacedEarlier);
    QCOMPARE(tdb.importedResults(cls.id, set.uuid).size(), 2);
    // Renaming the student keeps the row.
    tclass.renameStudent(adaEntry.id, QStringLiteral("Ada L."));
    g = tclass.grid(set.id);
    QCOMPARE(g.studentNames.value(0), QStringLiteral("Ada L."));
    QCOMPARE(g.cells[0][0].state, GridCell::State::Correct);
    QCOMPARE(g.studentNames.size(), 2);

    // An edited results file is rejected and changes nothing.
    QJsonObject o = QJsonDocument::fromJson(readAll(resultsFile)).object();
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
      QVERIFY2(e.message().contains(QStringLiteral("own key")), qPrintable(e.message()));
    }
    QCOMPARE(tclass.grid(set.id).cells[0][1].state, GridCell::State::Incorrect);
    // Edited and re-signed with Ada's own key (what Ada could do): imported,
    // but the teacher's checker re-grades it and shows the disagreement.
    {
      auto forged = problems::import_results(edited.toStdString(), nullptr);
      QVERIFY(forged);
      forged.value->integrity_tag = ClassroomService::resultsTag(*forged.value, adaEntry.resultsKey).toStdString();
      writeAll(editedFile, QByteArray::fromStdString(problems::export_results(*forged.value)));
      const ResultsImportSummary s = tclass.importResults(editedFile);
      QCOMPARE(s.disagreements, 1);
      QCOMPARE(s.correct, 1);
      const ClassGrid forgedGrid = tclass.grid(set.id);
      QCOMPARE(forgedGrid.cells[0][1].state, GridCell::State::Incorrect);  // re-graded: 12 is not 7
      QVERIFY(forgedGrid.cells[0][1].claimedCorrect && forgedGrid.cells[0][1].disagrees);
      ClassGridModel m;
      m.setGrid(forgedGrid);
      QVERIFY(m.data(m.index(0, 1)).toString().contains(QStringLiteral("⚠")));
      QVERIFY(m.data(m.index(0, 1), Qt::ToolTipRole).toString().contains(QStringLiteral("The file says correct; re-graded here: incorrect")));
      // Signed with Ada's key but claiming to be Carl: refused.
      forged.value->student_id = carlEntry.uuid.toStdString();
      forged.value->student_name = "Carl";
      forged.value->integrity_tag = ClassroomService::resultsTag(*forged.value, adaEntry.resultsKey).toStdString();
      writeAll(editedFile, QByteArray::fromStdString(problems::export_results(*forged.value)));
      QCOMPARE(kindOf([&] { tclass.importResults(editedFile); }), AppError::Kind::InvalidInput);
      QCOMPARE(tclass.grid(set.id).cells[1][0].state, GridCell::State::Missing);
    }
    // An imported row edited in SQLite shows as tampered.
    {
      auto raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("results-raw"));
      raw.setDatabaseName(tdb.path());
      QVERIFY(raw.open());
      QVERIFY(QSqlQuery(raw).exec(QStringLiteral("UPDATE imported_results SET correct = 1 WHERE problem_id = 'math-test-0002'")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("results-raw"));
    const ClassGrid tamperedGrid = tclass.grid(set.id);
    QVERIFY(tamperedGrid.cells[0][1].tampered);
    QVERIFY(!tamperedGrid.cells[0][0].tampered);
    QCOMPARE(tamperedGrid.tamperedRecords, 1);
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
    badClass.replace("\"version\": 2", "\"version\": 7");
    writeAll(editedFile, badClass);
    QCOMPARE(kindOf([&] { sclass.joinClass(editedFile); }), AppError::Kind::InvalidInput);
    // Deleting the set keeps its imported results unless asked.
    tclass.deleteSet(set.id, false);
    QCOMPARE(tdb.importedResults(cls.id, set.uuid).size(), 2);
  }

  // The CSV: one column per field, RFC 4180 (checked by a parser here),
  // formulas neutralised, and no score a spreadsheet reads as a date.
  void csvIsRfc4180WithOneColumnPerField() {
    Database tdb(dir_.filePath(QStringLiteral("csv-teacher.sqlite")));
    AuthService tauth(tdb);
    ClassroomService tclass(tauth, isBankId, grade);
    const Profile teacher = tauth.createTeacher(QStringLiteral("Ms Noether"), kTeacherPassword);
    tauth.signIn(teacher.id, kTeacherPassword);
    const ClassInfo cls = tclass.createClass(QStringLiteral("Period 3"));
    const Profile evil = tclass.addStudent(cls.id, QStringLiteral("=HYPERLINK(\"x\"), \"Bob\""));
    const QStringList ids = {QStringLiteral("math-test-0001"), QStringLiteral("math-test-0002")};
    const ProblemSet set = tclass.createSet(cls.id, QStringLiteral("Week 2"), ids, std::nullopt, true, false);
    const QString classFile = dir_.filePath(QStringLiteral("csv-class.json"));
    tclass.exportClassFile(cls.id, evil.id, classFile);
    const QString setFile = dir_.filePath(QStringLiteral("csv-set.json"));
    tclass.exportSet(set.id, setFile);
    Database sdb(dir_.filePath(QStringLiteral("csv-student.sqlite")));
    AuthService sauth(sdb);
    ProgressService sprogress(sauth);
    ClassroomService sclass(sauth, isBankId);
    sauth.signIn(sauth.createStudent(QStringLiteral("Bob")).id);
    sclass.joinClass(classFile);
    const ProblemSet mine = sclass.importSet(setFile);
    sprogress.recordAttempt({.problemId = ids[0], .topic = QStringLiteral("Algebra"), .answer = QStringLiteral("-1, \"2\""), .correct = false, .millisTaken = 4000, .setId = mine.id});
    sprogress.recordAttempt({.problemId = ids[0], .topic = QStringLiteral("Algebra"), .answer = QStringLiteral("1/2"), .correct = true, .millisTaken = 6000, .setId = mine.id});
    const QString resultsFile = dir_.filePath(QStringLiteral("csv-results.json"));
    sclass.exportResults(mine.id, resultsFile);
    tclass.importResults(resultsFile);
    const QString csv = dir_.filePath(QStringLiteral("grid.csv"));
    tclass.exportCsv(set.id, csv);
    const QByteArray bytes = readAll(csv);
    // A strict RFC 4180 parser: CRLF records, quoted fields with doubled quotes.
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false, inQuotes = false;
    const QString text = QString::fromUtf8(bytes);
    for (qsizetype i = 0; i < text.size(); ++i) {
      const QChar c = text[i];
      if (inQuotes) {
        if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
          field += u'"';
          ++i;
        } else if (c == u'"') {
          inQuotes = false;
        } else {
          field += c;
        }
        continue;
      }
      if (c == u'"') {
        QVERIFY2(field.isEmpty() && !quoted, "a quote inside an unquoted field");
        inQuotes = quoted = true;
      } else if (c == u',') {
        row << field;
        field.clear();
        quoted = false;
      } else if (c == u'\r') {
        QVERIFY2(i + 1 < text.size() && text[i + 1] == u'\n', "CR without LF");
        row << field;
        rows << row;
        row.clear();
        field.clear();
        quoted = false;
        ++i;
      } else {
        QVERIFY2(c != u'\n', "a bare LF ends a record");
        QVERIFY2(!quoted, "text after a closing quote");
        field += c;
      }
    }
    QVERIFY(!inQuotes);
    QVERIFY2(row.isEmpty() && field.isEmpty(), "the last record must end with CRLF");
    QCOMPARE(rows.size(), 2);
    const QStringList header = rows[0];
    for (const auto& r : rows) QCOMPARE(r.size(), header.size());
    const auto col = [&](const QString& name) { return int(header.indexOf(name)); };
    const QStringList& bob = rows[1];
    QVERIFY(bob[col(QStringLiteral("student"))].startsWith(QStringLiteral("'=HYPERLINK")));  // neutralised
    QCOMPARE(bob[col(QStringLiteral("student id"))], evil.uuid);
    QCOMPARE(bob[col(QStringLiteral("math-test-0001 verdict"))], QStringLiteral("correct"));
    QCOMPARE(bob[col(QStringLiteral("math-test-0001 first answer"))], QStringLiteral("'-1, \"2\""));
    QCOMPARE(bob[col(QStringLiteral("math-test-0001 last answer"))], QStringLiteral("1/2"));
    QCOMPARE(bob[col(QStringLiteral("math-test-0001 attempts"))], QStringLiteral("2"));
    QCOMPARE(bob[col(QStringLiteral("math-test-0001 active seconds"))], QStringLiteral("10"));
    QCOMPARE(bob[col(QStringLiteral("math-test-0001 hints"))], QStringLiteral("0"));
    QCOMPARE(bob[col(QStringLiteral("math-test-0001 model solution"))], QStringLiteral("no"));
    QCOMPARE(bob[col(QStringLiteral("math-test-0002 verdict"))], QStringLiteral("unanswered"));
    QCOMPARE(bob[col(QStringLiteral("correct"))], QStringLiteral("1"));
    QCOMPARE(bob[col(QStringLiteral("problems"))], QStringLiteral("2"));
    // No score cell looks like a date ("1/2", "2026-…").
    const QRegularExpression dateLike(QStringLiteral(R"(^\d{1,4}[/.-]\d{1,2}([/.-]\d{1,4})?$)"));
    for (const QString& name : {QStringLiteral("correct"), QStringLiteral("problems")})
      QVERIFY2(!dateLike.match(bob[col(name)]).hasMatch(), qPrintable(bob[col(name)]));
  }
  void rosterFromCsvOfNames() {
    Database db(dir_.filePath(QStringLiteral("roster.sqlite")));
    AuthService auth(db);
    ClassroomService classroom(auth, isBankId);
    const Profile t = auth.createTeacher(QStringLiteral("Ms Noether"), kTeacherPassword);
    auth.signIn(t.id, kTeacherPassword);
    const ClassInfo cls = classroom.createClass(QStringLiteral("Period 3"));
    classroom.addStudent(cls.id, QStringLiteral("Ada"));
    const QString csv = dir_.filePath(QStringLiteral("roster.csv"));
    writeAll(csv, "\xef\xbb\xbfid,Name\r\n1,\"Lovelace, Ada\"\r\n2,Ben\r\n3,ada\r\n4,\r\n5,\"Zo\xc3\xab \"\"Z\"\"\"\n");
    const QList<Profile> added = classroom.importRosterCsv(cls.id, csv);
    QStringList names;
    for (const auto& p : added) names << p.name;
    QCOMPARE(names, (QStringList{QStringLiteral("Lovelace, Ada"), QStringLiteral("Ben"), QStringLiteral("Zoë \"Z\"")}));
    QCOMPARE(classroom.students(cls.id).size(), 4);  // "ada" was on the roster already
    for (const auto& p : added) QVERIFY(p.isRoster && p.resultsKey.size() == 32);
  }
};

QTEST_GUILESS_MAIN(TestClassroom)
#include "test_classroom.moc"
