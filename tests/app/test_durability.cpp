// Killing the app at any moment loses nothing that was committed: a child
// process records attempts and is killed with SIGKILL at random moments, 100
// times; after each kill the database passes PRAGMA integrity_check and holds
// every attempt the child reported as committed.
#include <signal.h>

#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include "database.h"

using namespace zaya::app;

class TestDurability : public QObject {
  Q_OBJECT
 private slots:
  void survivesHundredKills() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("db.sqlite"));
    qint64 profileId = 0;
    {
      Database db(path);
      profileId = db.insertProfile({.name = QStringLiteral("Ada")});
    }
    QHash<qint64, QString> committed;  // attempt id -> problem id, as the children reported
    QRandomGenerator rng(20261122);
    QElapsedTimer clock;
    clock.start();
    int killedWhileWriting = 0;
    for (int round = 0; round < 100; ++round) {
      QProcess child;
      child.start(QStringLiteral(ZAYA_TEST_DB_WRITER),
                  {QStringLiteral("attempts"), path, QString::number(profileId)});
      QVERIFY2(child.waitForStarted(5000), qPrintable(child.errorString()));
      // Wait until it is writing, then let it run a random while before the kill.
      QByteArray out;
      while (!out.contains("ready\n") && child.state() == QProcess::Running) {
        child.waitForReadyRead(50);
        out += child.readAllStandardOutput();
      }
      QVERIFY2(out.contains("ready\n"), child.readAllStandardError().constData());
      QThread::usleep(rng.bounded(0, 80000));
      ::kill(pid_t(child.processId()), SIGKILL);
      QVERIFY(child.waitForFinished(5000));
      QCOMPARE(child.exitStatus(), QProcess::CrashExit);
      out += child.readAllStandardOutput();
      int lines = 0;
      for (const QByteArray& line : out.split('\n')) {
        if (!line.startsWith("committed ")) continue;
        const auto parts = line.split(' ');
        QCOMPARE(parts.size(), 3);
        committed.insert(parts[1].toLongLong(), QString::fromUtf8(parts[2]));
        ++lines;
      }
      if (lines > 0) ++killedWhileWriting;

      Database db(path);
      QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
      const auto rows = db.attempts(profileId);
      QHash<qint64, QString> present;
      for (const auto& a : rows) present.insert(a.id, a.problemId);
      for (auto it = committed.cbegin(); it != committed.cend(); ++it) {
        QVERIFY2(present.contains(it.key()), qPrintable(QStringLiteral("attempt %1 lost after kill %2").arg(it.key()).arg(round)));
        QCOMPARE(present.value(it.key()), it.value());
      }
    }
    qInfo("100 kills in %lld ms; %d rounds had committed attempts; %lld attempts checked", clock.elapsed(),
          killedWhileWriting, qint64(committed.size()));
    QVERIFY(killedWhileWriting >= 25);  // most kills hit a child that was busy writing
  }
};

QTEST_GUILESS_MAIN(TestDurability)
#include "test_durability.moc"
