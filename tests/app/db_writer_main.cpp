// zaya-test-db-writer: a child process for the durability tests.
//
//   zaya-test-db-writer attempts DB PROFILE_ID
//     Records attempts forever; after each COMMIT has returned it prints
//     "committed <id> <problem_id>" (one write(2), so a kill never splits it).
//   zaya-test-db-writer fill DB PROFILE_ID LIMIT_BYTES
//     Limits the size of any file it writes (RLIMIT_FSIZE) and records large
//     attempts until a write fails; prints the committed ones, then
//     "error <kind> <message>". Exit 0 when the error was reported as disk-full.
//   zaya-test-db-writer sitting DB PROFILE_ID
//     Signs the profile in, resumes its running timed sitting through
//     ContestService and types answers into it forever, as the contest screen
//     does: answer i goes to position i % N and is the number i % 1000. After
//     each save has returned it prints "saved <i>"; every tenth save it also
//     ticks the clock.
//   zaya-test-db-writer open DB
//     Opens the database (as an unprivileged user when started as root) and
//     prints "opened" or "error <kind> <message>".
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QRandomGenerator>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "auth_service.h"
#include "contest_service.h"
#include "database.h"
#include "progress_service.h"

using zaya::app::AppError;
using zaya::app::Attempt;
using zaya::app::Database;

namespace {

void say(const QString& line) {
  const QByteArray bytes = (line + QLatin1Char('\n')).toUtf8();
  ssize_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.constData() + off, size_t(bytes.size() - off));
    if (n <= 0) std::_Exit(3);
    off += n;
  }
}

Attempt makeAttempt(qint64 profileId, int i, int answerBytes) {
  Attempt a;
  a.profileId = profileId;
  a.problemId = QStringLiteral("p-%1-%2").arg(::getpid()).arg(i);
  a.topic = QStringLiteral("Algebra");
  a.difficulty = 1 + i % 5;
  a.answer = QString(answerBytes, QLatin1Char('x'));
  a.correct = i % 2 == 0;
  a.millisTaken = 1000 + i;
  a.hintsUsed = i % 3;
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s attempts|fill|open DB [PROFILE_ID [LIMIT_BYTES]]\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  const QString path = QString::fromLocal8Bit(argv[2]);
  try {
    if (mode == "open") {
      if (::geteuid() == 0) {
        // Root ignores file permissions; test them as an ordinary user.
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
          say(QStringLiteral("cannot drop privileges"));
          return 4;
        }
      }
      Database db(path);
      say(QStringLiteral("opened"));
      return 0;
    }
    if (argc < 4) return 2;
    const qint64 profileId = std::atoll(argv[3]);
    if (mode == "attempts") {
      Database db(path);
      say(QStringLiteral("ready"));
      for (int i = 0;; ++i) {
        const int bytes = int(QRandomGenerator::global()->bounded(10, 4000));
        const qint64 id = db.insertAttempt(makeAttempt(profileId, i, bytes));
        say(QStringLiteral("committed %1 p-%2-%3").arg(id).arg(::getpid()).arg(i));
      }
    }
    if (mode == "sitting") {
      Database db(path);
      zaya::app::AuthService auth(db);
      zaya::app::ProgressService progress(auth);
      zaya::app::ContestService contest(auth, progress);
      contest.setTicking(false);
      auth.signIn(profileId);
      const auto* sitting = contest.resumeOpen();
      if (!sitting) return 6;
      const int n = int(sitting->answers.size());
      say(QStringLiteral("ready"));
      for (int i = 0;; ++i) {
        contest.setAnswer(i % n, QString::number(i % 1000));
        say(QStringLiteral("saved %1").arg(i));
        if (i % 10 == 9) contest.tick();
      }
    }
    if (mode == "fill" && argc >= 5) {
      Database db(path);
      ::signal(SIGXFSZ, SIG_IGN);  // get EFBIG from write() instead of being killed
      rlimit limit{};
      limit.rlim_cur = limit.rlim_max = rlim_t(std::atoll(argv[4]));
      if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 5;
      for (int i = 0;; ++i) {
        try {
          const qint64 id = db.insertAttempt(makeAttempt(profileId, i, 20000));
          say(QStringLiteral("committed %1 p-%2-%3").arg(id).arg(::getpid()).arg(i));
        } catch (const AppError& e) {
          say(QStringLiteral("error %1 %2").arg(zaya::app::kindName(e.kind()), e.message()));
          return e.kind() == AppError::Kind::DiskFull ? 0 : 1;
        }
      }
    }
  } catch (const AppError& e) {
    say(QStringLiteral("error %1 %2").arg(zaya::app::kindName(e.kind()), e.message()));
    return 1;
  }
  return 2;
}
