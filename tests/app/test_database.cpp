// Storage: schema and pragmas, forward migrations from every earlier version,
// profile backup and restore, and clear errors for a full disk, a read-only
// folder, a damaged file and a file from a newer version.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include "database.h"

using namespace zaya::app;

namespace {

// Adds rows that are valid at schema version `v` with plain SQL, as that
// version of the app would have written them.
void seedAtVersion(const QString& path, int v) {
  const QString name = QStringLiteral("seed-%1").arg(v);
  {
    auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    QVERIFY(db.open());
    QSqlQuery q(db);
    auto run = [&](const QString& sql) { QVERIFY2(q.exec(sql), qPrintable(q.lastError().text() + " " + sql)); };
    if (v >= 1) {
      run("INSERT INTO classes (id, uuid, name, hmac_key, created_at) VALUES (1, 'c-1', 'Period 3', zeroblob(32), 5)");
      run("INSERT INTO profiles (id, uuid, name, role, class_id, created_at) VALUES (1, 'u-1', 'Ada', 'student', 1, 7)");
      run("INSERT INTO attempts (profile_id, problem_id, topic, difficulty, answer, correct, millis_taken, hints_used, "
          "created_at) VALUES (1, 'math-1', 'Algebra', 2, '1/2', 1, 5000, 0, 100)");
      run("INSERT INTO settings (key, value) VALUES ('theme', 'dark')");
    }
    if (v >= 2)
      run("INSERT INTO solutions (profile_id, problem_id, mode, model, thinking, text, steps, thinking_end_token, "
          "final_answer, correct, token_count, tokens_per_second, cancelled, trace, trace_layers, trace_experts, "
          "created_at) VALUES (1, 'math-1', 'full', 'm', '', 'Step 1', '[]', 0, '2', 1, 3, 10.0, 0, x'0102', 2, 16, 9)");
    if (v >= 3)
      run("INSERT INTO problem_sets (uuid, class_id, class_uuid, title, problem_ids, allow_hints, allow_solutions, "
          "created_at) VALUES ('s-1', 1, 'c-1', 'Week 1', '[\"math-1\"]', 1, 0, 11)");
    if (v >= 3 && v < 8)
      run("INSERT INTO imported_results (class_id, set_uuid, student_uuid, student_name, problem_id, answer, correct, "
          "millis_taken, hints_used, attempted_at, imported_at) VALUES (1, 's-1', 'u-9', 'Grace', 'math-1', '3/4', 1, "
          "7000, 2, 20, 21)");
    if (v >= 8)  // as the v8 app writes it
      run("INSERT INTO imported_results (class_id, set_uuid, student_uuid, student_name, problem_id, answer, correct, "
          "millis_taken, hints_used, attempted_at, imported_at, first_answer, claimed_correct) VALUES (1, 's-1', "
          "'u-9', 'Grace', 'math-1', '3/4', 1, 7000, 2, 20, 21, '3/4', 1)");
    if (v >= 4)
      run("INSERT INTO review_items (profile_id, problem_id, topic, box, due_at, lapses, last_reviewed_at) "
          "VALUES (1, 'math-1', 'Algebra', 3, 500, 2, 100)");
  }
  QSqlDatabase::removeDatabase(name);
}

QString runWriter(const QStringList& args, int* exitCode) {
  QProcess p;
  p.start(QStringLiteral(ZAYA_TEST_DB_WRITER), args);
  if (!p.waitForFinished(30000)) return QStringLiteral("timeout");
  *exitCode = p.exitCode();
  return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
}

}  // namespace

class TestDatabase : public QObject {
  Q_OBJECT
 private slots:
  void freshDatabaseHasSchemaAndPragmas() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("sub/dir/db.sqlite")));  // folders are created
    QCOMPARE(db.schemaVersion(), Database::kSchemaVersion);
    QCOMPARE(db.journalMode().toLower(), QStringLiteral("wal"));
    QVERIFY(db.foreignKeysOn());
    QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
    const auto objects = db.schemaObjects();
    for (const char* t : {"table:profiles", "table:classes", "table:attempts", "table:solutions", "table:problem_sets",
                          "table:assignments", "table:imported_results", "table:review_items", "table:settings",
                          "table:calibration_runs", "table:calibration_counts", "index:attempts_by_profile_time",
                          "index:review_items_due", "table:sittings", "table:sitting_answers", "index:sittings_by_profile"})
      QVERIFY2(objects.contains(QLatin1String(t)), t);
  }

  void defaultPathHonoursDataDir() {
    QTemporaryDir dir;
    qputenv("ZAYA_DATA_DIR", dir.path().toUtf8());
    QCOMPARE(Database::defaultPath(), dir.filePath(QStringLiteral("zaya-tutor.sqlite")));
    qunsetenv("ZAYA_DATA_DIR");
  }

  void foreignKeysAreEnforced() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("db.sqlite")));
    Attempt a;
    a.profileId = 999;  // no such profile
    a.problemId = QStringLiteral("x");
    a.topic = QStringLiteral("Algebra");
    QVERIFY_THROWS_EXCEPTION(AppError, db.insertAttempt(a));
    QCOMPARE(db.attemptCount(999), 0);
  }

  void failedTransactionLeavesNothing() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("db.sqlite")));
    const qint64 pid = db.insertProfile({.name = QStringLiteral("Ada")});
    try {
      db.write([&] {
        Attempt a;
        a.profileId = pid;
        a.problemId = QStringLiteral("first");
        a.topic = QStringLiteral("Algebra");
        db.insertAttempt(a);
        a.difficulty = 9;  // violates CHECK
        db.insertAttempt(a);
      });
      QFAIL("expected an error");
    } catch (const AppError&) {
    }
    QCOMPARE(db.attemptCount(pid), 0);
  }

  void migratesFromEveryEarlierVersion_data() {
    QTest::addColumn<int>("from");
    for (int v = 0; v < Database::kSchemaVersion; ++v) QTest::addRow("v%d", v) << v;
  }
  void migratesFromEveryEarlierVersion() {
    QFETCH(int, from);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    { Database old(path, from); QCOMPARE(old.schemaVersion(), from); }
    seedAtVersion(path, from);
    Database db(path);
    QCOMPARE(db.schemaVersion(), Database::kSchemaVersion);
    QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
    if (from >= 1) {
      const auto p = db.profile(1);
      QVERIFY(p);
      QCOMPARE(p->name, QStringLiteral("Ada"));
      QCOMPARE(p->classId.value_or(0), 1);
      const auto attempts = db.attempts(1);
      QCOMPARE(attempts.size(), 1);
      QCOMPARE(attempts[0].answer, QStringLiteral("1/2"));
      QCOMPARE(attempts[0].millisTaken, 5000);
      QVERIFY(attempts[0].correct);
      QVERIFY(!attempts[0].setId);            // column added by v3
      QVERIFY(!attempts[0].gradeOverride);
      // Columns added by v6: no help was recorded before.
      QCOMPARE(attempts[0].explanationsUsed, 0);
      QCOMPARE(attempts[0].questionsAsked, 0);
      QVERIFY(!attempts[0].helped());
      QCOMPARE(db.setting(QStringLiteral("theme")), QStringLiteral("dark"));
    }
    if (from >= 2) QCOMPARE(db.solutionsFor(1, QStringLiteral("math-1")).size(), 1);
    if (from >= 3) QCOMPARE(db.setByUuid(QStringLiteral("s-1"))->problemIds, QStringList{QStringLiteral("math-1")});
    if (from >= 2) {
      // v6: the old solution reads with no note; a conversation turn can name it.
      const Solution old = db.solutionsFor(1, QStringLiteral("math-1")).front();
      QVERIFY(!old.answerRemoved);
      QVERIFY(old.note.isEmpty());
      QVERIFY(db.solution(old.id)->trace == QByteArray::fromHex("0102"));
      ConversationTurn turn{.action = TutorAction::Hint, .prompt = QStringLiteral("hint")};
      Solution reply{.mode = QStringLiteral("hint"), .model = QStringLiteral("m"), .text = QStringLiteral("Step 1")};
      db.saveConversationTurn(1, QStringLiteral("math-1"), turn, reply);
      QCOMPARE(db.conversationTurns(1, QStringLiteral("math-1")).size(), 1);
      QCOMPARE(db.solutionsFor(1, QStringLiteral("math-1")).size(), 2);
    }
    if (from >= 3) {
      // v8: an old imported row claimed what it shows, once, with that answer first and last.
      const auto rows = db.importedResults(1, QStringLiteral("s-1"));
      QCOMPARE(rows.size(), 1);
      QCOMPARE(rows[0].answer, QStringLiteral("3/4"));
      QCOMPARE(rows[0].firstAnswer, QStringLiteral("3/4"));
      QVERIFY(rows[0].correct && rows[0].claimedCorrect);
      QCOMPARE(rows[0].attempts, 1);
      QCOMPARE(rows[0].hintsUsed, 2);
      QVERIFY(rows[0].recordMac.isEmpty());
      QVERIFY(db.setByUuid(QStringLiteral("s-1"))->allowReference);  // v8 default: allowed, as before
    }
    if (from >= 1) {
      const auto p = db.profile(1);
      QVERIFY(p->rosterId.isEmpty() && p->resultsKey.isEmpty());
    }
    if (from >= 4) {
      const auto r = db.review(1, QStringLiteral("math-1"));
      QVERIFY(r);
      QCOMPARE(r->box, 3);
      QCOMPARE(r->lapses, 2);
    }
    // Everything added later works on the migrated file.
    if (from >= 1) {
      // v9: a timed sitting and its answers.
      Sitting sitting{.profileId = 1, .paper = QStringLiteral("aime-2024-I"), .title = QStringLiteral("2024 AIME I"),
                      .standardMs = 1000, .timeLimitMs = 1000};
      sitting.answers << SittingAnswer{.position = 0, .problemId = QStringLiteral("aime-2024-I-01")};
      const qint64 sid = db.insertSitting(sitting);
      db.saveSittingAnswer(sid, 0, QStringLiteral("7"), true, 5);
      QCOMPARE(db.openSitting(1)->answers.value(0).answer, QStringLiteral("7"));
      db.finishSitting(sid, 9, QStringLiteral("submitted"), 500, 1, {{0, true}});
      QVERIFY(!db.openSitting(1));
      QCOMPARE(db.sittings(1).value(0).score, 1);
    }
    if (from >= 1) {
      Attempt helped;
      helped.profileId = 1;
      helped.problemId = QStringLiteral("math-2");
      helped.topic = QStringLiteral("Algebra");
      helped.explanationsUsed = 2;
      helped.questionsAsked = 1;
      helped.referenceSolutionViewed = true;
      const auto back = db.attempt(db.insertAttempt(helped));
      QVERIFY(back);
      QCOMPARE(back->explanationsUsed, 2);
      QCOMPARE(back->questionsAsked, 1);
      QVERIFY(back->referenceSolutionViewed && !back->modelSolutionViewed);
      db.upsertReview({.profileId = 1, .problemId = QStringLiteral("math-1"), .topic = QStringLiteral("Algebra"), .box = 1, .dueAt = 5});
      QCOMPARE(db.dueReviews(1, 10).size(), 1);
    }
  }

  void classroomRowsCanBeRenamedLinkedAndDeleted() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("db.sqlite")));
    ClassInfo c{.name = QStringLiteral("Period 3"), .hmacKey = QByteArray(32, 'k')};
    const qint64 cid = db.insertClass(c);
    QVERIFY(db.hasClasses());
    Profile ada{.name = QStringLiteral("Ada"), .classId = cid};
    ada.resultsKey = QByteArray(32, 'a');
    const qint64 pid = db.insertProfile(ada);
    QCOMPARE(db.profile(pid)->resultsKey, QByteArray(32, 'a'));
    db.renameProfile(pid, QStringLiteral("Ada L."));
    QCOMPARE(db.profile(pid)->name, QStringLiteral("Ada L."));
    db.linkProfileToRoster(pid, QStringLiteral("roster-7"), QByteArray(32, 'r'));
    QCOMPARE(db.profile(pid)->rosterId, QStringLiteral("roster-7"));
    QCOMPARE(db.profile(pid)->resultsKey, QByteArray(32, 'r'));
    db.renameClass(cid, QStringLiteral("Period 4"));
    QCOMPARE(db.classById(cid)->name, QStringLiteral("Period 4"));

    ProblemSet set{.classId = cid, .classUuid = db.classById(cid)->uuid, .title = QStringLiteral("Week 3"),
                   .problemIds = {QStringLiteral("math-1")}};
    set.allowReference = false;
    const qint64 sid = db.insertSet(set);
    QVERIFY(!db.set(sid)->allowReference);
    ProblemSet changed = *db.set(sid);
    changed.problemIds << QStringLiteral("math-2");
    changed.allowHints = false;
    changed.allowReference = true;
    db.updateSet(changed);
    QCOMPARE(db.set(sid)->problemIds.size(), 2);
    QVERIFY(!db.set(sid)->allowHints && db.set(sid)->allowReference);
    db.renameSet(sid, QStringLiteral("Week 3b"));
    QCOMPARE(db.set(sid)->title, QStringLiteral("Week 3b"));

    ImportedResult r{.studentUuid = QStringLiteral("roster-7"), .studentName = QStringLiteral("Ada"),
                     .problemId = QStringLiteral("math-1"), .answer = QStringLiteral("2")};
    r.firstAnswer = QStringLiteral("3");
    r.claimedCorrect = true;
    r.attempts = 2;
    r.questionsAsked = 1;
    r.helpAfterDue = true;
    db.replaceImportedResults(cid, db.set(sid)->uuid, r.studentUuid, {r});
    const QString setUuid = db.set(sid)->uuid;
    db.setRecordMac(Database::RecordTable::ImportedResults, db.allImportedResults().front().id, "mac!");
    db.setRecordMac(Database::RecordTable::Classes, cid, "cmac");
    QCOMPARE(db.classById(cid)->recordMac, QByteArray("cmac"));
    // Deleting the set keeps what was imported for it.
    db.deleteSet(sid);
    QVERIFY(!db.set(sid));
    const auto kept = db.importedResults(cid, setUuid);
    QCOMPARE(kept.size(), 1);
    QCOMPARE(kept[0].firstAnswer, QStringLiteral("3"));
    QVERIFY(kept[0].claimedCorrect && !kept[0].correct && kept[0].helpAfterDue);
    QCOMPARE(kept[0].attempts, 2);
    QCOMPARE(kept[0].questionsAsked, 1);
    QCOMPARE(kept[0].recordMac, QByteArray("mac!"));
    db.deleteImportedResults(cid, setUuid);
    QVERIFY(db.allImportedResults().isEmpty());

    // Deleting a profile takes its rows with it.
    Attempt a{.profileId = pid, .problemId = QStringLiteral("math-1"), .topic = QStringLiteral("Algebra")};
    db.insertAttempt(a);
    db.deleteProfile(pid);
    QVERIFY(!db.profile(pid));
    QCOMPARE(db.attemptCount(pid), 0);
    db.deleteClass(cid);
    QVERIFY(!db.hasClasses());
  }

  void refusesNewerSchemaAndForeignFiles() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    { Database db(path); }
    {
      auto raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
      raw.setDatabaseName(path);
      QVERIFY(raw.open());
      QSqlQuery(raw).exec(QStringLiteral("PRAGMA user_version = 99"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    try {
      Database db(path);
      QFAIL("expected refusal");
    } catch (const AppError& e) {
      QCOMPARE(e.kind(), AppError::Kind::Corrupt);
      QVERIFY(e.message().contains(QStringLiteral("newer version")));
    }
    const QString junk = dir.filePath(QStringLiteral("junk.sqlite"));
    QFile f(junk);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(8192, 'z'));
    f.close();
    try {
      Database db(junk);
      QFAIL("expected refusal");
    } catch (const AppError& e) {
      QCOMPARE(e.kind(), AppError::Kind::Corrupt);
      QVERIFY(e.message().contains(QStringLiteral("junk.sqlite")));
    }
  }

  void backupAndRestoreOneProfile() {
    QTemporaryDir dir;
    Database db(dir.filePath(QStringLiteral("db.sqlite")));
    const qint64 cls = db.insertClass({.name = QStringLiteral("P3"), .hmacKey = QByteArray(32, 'k')});
    const qint64 ada = db.insertProfile({.name = QStringLiteral("Ada"), .classId = cls});
    const qint64 bob = db.insertProfile({.name = QStringLiteral("Bob")});
    const qint64 setId = db.insertSet({.classUuid = db.classById(cls)->uuid, .title = QStringLiteral("W1"),
                                       .problemIds = {QStringLiteral("a"), QStringLiteral("b")}});
    db.assign(setId, ada);
    for (int i = 0; i < 5; ++i) {
      Attempt a{.profileId = ada, .problemId = QStringLiteral("a%1").arg(i), .topic = QStringLiteral("Geometry"), .answer = QStringLiteral("%1").arg(i)};
      if (i == 2) a.setId = setId;
      if (i == 3) {  // the help columns travel too
        a.hintsUsed = 1;
        a.explanationsUsed = 2;
        a.questionsAsked = 3;
        a.modelSolutionViewed = true;
      }
      db.insertAttempt(a);
    }
    db.insertAttempt({.profileId = bob, .problemId = QStringLiteral("b"), .topic = QStringLiteral("Algebra")});
    Solution s{.profileId = ada, .problemId = QStringLiteral("a0"), .mode = QStringLiteral("full"), .text = QStringLiteral("Step 1"), .trace = QByteArray("\x01\x02\x03", 3), .traceLayers = 1, .traceExperts = 16};
    db.insertSolution(s);
    db.upsertReview({.profileId = ada, .problemId = QStringLiteral("a1"), .topic = QStringLiteral("Geometry"), .box = 2, .dueAt = 77});

    const QString file = dir.filePath(QStringLiteral("ada.zbackup"));
    db.backupProfile(ada, file);
    QVERIFY_THROWS_EXCEPTION(AppError, db.backupProfile(ada, file));  // never overwrites

    // Restore into a different, empty machine: the profile arrives whole.
    Database other(dir.filePath(QStringLiteral("other.sqlite")));
    other.insertProfile({.name = QStringLiteral("Someone else")});
    const qint64 restored = other.restoreProfile(file);
    QCOMPARE(other.profile(restored)->name, QStringLiteral("Ada"));
    QCOMPARE(other.profile(restored)->uuid, db.profile(ada)->uuid);
    const auto attempts = other.attempts(restored);
    QCOMPARE(attempts.size(), 5);
    QCOMPARE(attempts[2].setId.has_value(), true);
    QCOMPARE(other.set(*attempts[2].setId)->title, QStringLiteral("W1"));
    QCOMPARE(attempts[3].hintsUsed, 1);
    QCOMPARE(attempts[3].explanationsUsed, 2);
    QCOMPARE(attempts[3].questionsAsked, 3);
    QVERIFY(attempts[3].modelSolutionViewed && !attempts[3].referenceSolutionViewed);
    QCOMPARE(other.assignedSets(restored).size(), 1);
    QCOMPARE(other.solutionsFor(restored, QStringLiteral("a0")).size(), 1);
    const auto sol = other.solution(other.solutionsFor(restored, QStringLiteral("a0"))[0].id);
    QCOMPARE(sol->trace, s.trace);
    QCOMPARE(other.reviews(restored).size(), 1);
    QCOMPARE(other.classById(*other.profile(restored)->classId)->hmacKey, QByteArray(32, 'k'));

    // Restoring over the same profile replaces its data, leaves Bob alone.
    db.insertAttempt({.profileId = ada, .problemId = QStringLiteral("later"), .topic = QStringLiteral("Algebra")});
    QCOMPARE(db.restoreProfile(file), ada);
    QCOMPARE(db.attempts(ada).size(), 5);
    QCOMPARE(db.attempts(bob).size(), 1);
    QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));

    // A damaged backup is refused before anything is written.
    const QString bad = dir.filePath(QStringLiteral("bad.zbackup"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not a database at all, really not");
    f.close();
    try {
      db.restoreProfile(bad);
      QFAIL("expected refusal");
    } catch (const AppError& e) {
      QCOMPARE(e.kind(), AppError::Kind::InvalidInput);
    }
    QCOMPARE(db.attempts(ada).size(), 5);
  }

  void fullDiskIsReportedAndLosesNothing() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    qint64 pid = 0;
    {
      Database db(path);
      pid = db.insertProfile({.name = QStringLiteral("Ada")});
    }
    int code = -1;
    const QString out = runWriter({QStringLiteral("fill"), path, QString::number(pid), QString::number(600 * 1024)}, &code);
    QVERIFY2(code == 0, qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("error disk-full")), qPrintable(out));
    QVERIFY(out.contains(QStringLiteral("is full or the file-size limit was reached")));
    QVERIFY(out.contains(QStringLiteral("db.sqlite")));
    QSet<qint64> committed;
    for (const QString& line : out.split(QLatin1Char('\n')))
      if (line.startsWith(QStringLiteral("committed "))) committed.insert(line.section(QLatin1Char(' '), 1, 1).toLongLong());
    QVERIFY(committed.size() >= 5);
    Database db(path);
    QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
    QSet<qint64> present;
    for (const auto& a : db.attempts(pid)) present.insert(a.id);
    QCOMPARE(present, committed);
  }

  void readOnlyFolderIsReportedClearly() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("locked"));
    QVERIFY(QDir().mkpath(folder));
    QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther | QFile::ExeOther | QFile::ReadGroup | QFile::ExeGroup);
    QFile::setPermissions(folder, QFile::ReadOwner | QFile::ExeOwner | QFile::ReadOther | QFile::ExeOther | QFile::ReadGroup | QFile::ExeGroup);
    int code = -1;
    const QString out = runWriter({QStringLiteral("open"), folder + QStringLiteral("/db.sqlite")}, &code);
    QFile::setPermissions(folder, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QVERIFY2(out.contains(QStringLiteral("error read-only")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("locked")), qPrintable(out));
  }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "test_database.moc"
