// The practice screen when the student's data is not safe: a read-only data
// folder, a full disk, a truncated file and one zeroed 4 KiB page. Each time
// the banner above the screens is visible (saved as a PNG when
// ZAYA_SCREENSHOT_DIR is set) and a checked answer that was not saved is named
// in it; the zeroed page opens the file read-only.
//
// The read-only folder and the full disk run in a child (this program again,
// with ZAYA_TEST_CHILD): the child drops root (root writes to any folder) or
// lowers its file-size limit (RLIMIT_FSIZE) without touching this process.
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_context.h"
#include "backup_box.h"
#include "document_view.h"
#include "main_window.h"
#include "practice_view.h"
#include "problem_panel.h"
#include "settings_view.h"
#include "storage_banner.h"

using zaya::ui::MainWindow;

namespace {

const QString kProblem = QStringLiteral("aime-2024-I-01");
constexpr int kSeeded = 1500;
constexpr uid_t kNobody = 65534;

QString databaseIn(const QString& folder) { return folder + QStringLiteral("/zaya-tutor.sqlite"); }

// A student who answered kSeeded problems, and today's backup of that.
void seed(const QString& folder) {
  qputenv("ZAYA_DATA_DIR", folder.toUtf8());
  zaya::ui::AppContext ctx;
  QVERIFY2(ctx.ok(), qPrintable(ctx.error()));
  ctx.database().write([&] {
    for (int i = 0; i < kSeeded; ++i) {
      zaya::app::NewAttempt a;
      a.problemId = QStringLiteral("math-test-%1").arg(i);
      a.topic = QStringLiteral("Algebra");
      a.difficulty = 2;
      a.answer = QStringLiteral("\\frac{%1}{7} + a long enough answer to fill some pages").arg(i);
      a.correct = i % 2 == 0;
      ctx.progress().recordAttempt(a);
    }
  });
  QDir(zaya::app::StorageGuard::backupFolder(ctx.database().path())).removeRecursively();
  QVERIFY(!zaya::app::StorageGuard::makeDailyBackup(ctx.database(), QDate::currentDate()).isEmpty());
}

int attemptsIn(const QString& folder) {
  zaya::app::Database db(databaseIn(folder), zaya::app::Database::Access::ReadOnly);
  return db.attemptCount(1);
}

void chownTree(const QString& folder, uid_t uid) {
  ::chown(QFile::encodeName(folder).constData(), uid, uid);
  for (const QString& name : QDir(folder).entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot)) {
    const QString path = folder + QLatin1Char('/') + name;
    if (QFileInfo(path).isDir())
      chownTree(path, uid);
    else
      ::chown(QFile::encodeName(path).constData(), uid, uid);
  }
}

}  // namespace

class TestStorageBanner : public QObject {
  Q_OBJECT

  QTemporaryDir base_;

  // Opens the window on `folder`, shows the practice screen with kProblem and
  // checks its answer after `beforeCheck`; the banner must then name the
  // answer as not saved. Saves storage-<name>.png.
  void checkAnswer(const QString& name, const QString& folder, const std::function<void()>& beforeCheck = {},
                   const std::function<void(MainWindow&)>& after = {}) {
    qputenv("ZAYA_DATA_DIR", folder.toUtf8());
    MainWindow w;
    QSignalSpy loaded(&w, &MainWindow::bankLoaded);
    w.show();
    QVERIFY(loaded.wait(60000));
    QVERIFY(loaded.first().at(0).toBool());
    auto* panel = w.practiceView()->panel();
    QSignalSpy rendered(panel->statementView(), &zaya::ui::DocumentView::rendered);
    w.openProblem(kProblem);
    QTRY_VERIFY_WITH_TIMEOUT(panel->problem() && QString::fromStdString(panel->problem()->id) == kProblem, 30000);
    rendered.wait(20000);
    if (beforeCheck) beforeCheck();
    const auto verdict = panel->check(QString::fromStdString(panel->problem()->answer));
    QVERIFY(verdict.equivalent);
    auto* banner = w.storageBanner();
    QTRY_VERIFY_WITH_TIMEOUT(banner->text().contains(kProblem), 20000);
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->text().contains(QStringLiteral("was not saved")), qPrintable(banner->text()));
    qInfo("%s: %s", qPrintable(name), qPrintable(banner->text()));
    if (after) after(w);
    const QString shots = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR");
    if (!shots.isEmpty()) {
      QDir().mkpath(shots);
      QVERIFY(w.grab().save(shots + QStringLiteral("/storage-") + name + QStringLiteral(".png")));
    }
  }

  // Runs this program's `function` in a child with `env` added; passes when it passes.
  void runChild(const QString& function, const QProcessEnvironment& env) {
    QProcess child;
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QCoreApplication::applicationFilePath(), {function});
    QVERIFY(child.waitForFinished(170000));
    const QString out = QString::fromUtf8(child.readAll());
    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("PASS   : TestStorageBanner::") + function), qPrintable(out));
    for (const QString& line : out.split(QLatin1Char('\n')))
      if (line.startsWith(QStringLiteral("QINFO  : TestStorageBanner::") + function + QStringLiteral("() ") + function.chopped(5)) ||
          line.contains(QStringLiteral("() read-only: ")) || line.contains(QStringLiteral("() full-disk: ")))
        qInfo("child %s", qPrintable(line.section(QStringLiteral("() "), 1)));
  }

 private slots:
  void initTestCase() {
    QVERIFY(base_.isValid());
    ::chmod(QFile::encodeName(base_.path()).constData(), 0755);  // the unprivileged child reaches its folder
  }

  void zeroedPageOpensReadOnly() {
    const QString folder = base_.filePath(QStringLiteral("zeroed"));
    seed(folder);
    QFile f(databaseIn(folder));
    QVERIFY(f.open(QIODevice::ReadWrite));
    const qint64 pages = f.size() / 4096;
    QVERIFY(pages >= 16);
    QVERIFY(f.seek(pages / 2 * 4096));
    QCOMPARE(f.write(QByteArray(4096, '\0')), qint64(4096));
    f.close();
    checkAnswer(QStringLiteral("zeroed-page"), folder, {}, [&](MainWindow& w) {
      auto* ctx = w.appContext();
      QVERIFY(ctx->ok());
      QVERIFY(ctx->database().isReadOnly());
      QVERIFY2(w.storageBanner()->text().contains(QStringLiteral("damaged")), qPrintable(w.storageBanner()->text()));
      QVERIFY(w.storageBanner()->restoreButton()->isVisible());
      // The offered backup brings every answer back and practice saves again.
      w.storageBanner()->restoreButton()->click();
      QVERIFY(!ctx->database().isReadOnly());
      QCOMPARE(ctx->database().attemptCount(ctx->studentId()), kSeeded);
      QVERIFY2(w.storageBanner()->text().contains(QStringLiteral("kept as")), qPrintable(w.storageBanner()->text()));
      QVERIFY(!w.storageBanner()->restoreButton()->isVisible());
    });
  }

  void restoreFromTheSettingsScreen() {
    const QString folder = base_.filePath(QStringLiteral("restore"));
    seed(folder);
    qputenv("ZAYA_DATA_DIR", folder.toUtf8());
    MainWindow w;
    QSignalSpy loaded(&w, &MainWindow::bankLoaded);
    w.show();
    QVERIFY(loaded.wait(60000));
    QVERIFY(w.storageBanner()->text().isEmpty());  // nothing to say while all is well
    // A status-bar message is shown over the model status, not squeezed out behind it.
    QLabel* status = nullptr;
    for (auto* l : w.statusBar()->findChildren<QLabel*>())
      if (l->accessibleName() == QStringLiteral("Model and device status")) status = l;
    QVERIFY(status && status->isVisible());
    w.statusBar()->showMessage(QStringLiteral("A passing message"));
    QVERIFY(!status->isVisible());
    w.statusBar()->clearMessage();
    QVERIFY(status->isVisible());
    auto* ctx = w.appContext();
    zaya::app::NewAttempt later;
    later.problemId = kProblem;
    later.answer = QStringLiteral("205");
    ctx->progress().recordAttempt(later);  // answered after the backup
    QCOMPARE(ctx->database().attemptCount(ctx->studentId()), kSeeded + 1);
    QVERIFY(w.showView(QStringLiteral("settings")));
    auto* box = w.settingsView()->backups();
    QCOMPARE(box->list()->count(), 1);
    QVERIFY(box->list()->itemText(0).contains(QStringLiteral("daily backup")));
    box->restoreButton()->click();
    QCOMPARE(ctx->database().attemptCount(ctx->studentId()), kSeeded);
    QVERIFY2(box->resultLabel()->text().contains(QStringLiteral("kept as")), qPrintable(box->resultLabel()->text()));
    QVERIFY2(w.storageBanner()->text().contains(QStringLiteral("kept as")), qPrintable(w.storageBanner()->text()));
    // The replaced data is listed too, and restoring it brings the later answer back.
    QCOMPARE(box->list()->count(), 2);
    QVERIFY(box->list()->itemText(0).contains(QStringLiteral("kept when a backup was restored")));
    box->list()->setCurrentIndex(0);
    box->restoreButton()->click();
    QCOMPARE(ctx->database().attemptCount(ctx->studentId()), kSeeded + 1);
    const QString shots = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR");
    if (!shots.isEmpty()) QVERIFY(w.grab().save(shots + QStringLiteral("/storage-restored-from-settings.png")));
  }

  void truncatedDatabase() {
    const QString folder = base_.filePath(QStringLiteral("truncated"));
    seed(folder);
    const QString path = databaseIn(folder);
    QVERIFY(QFile::resize(path, QFileInfo(path).size() / 2));
    checkAnswer(QStringLiteral("truncated"), folder);
  }

  void readOnlyDataFolder() {
    const QString folder = base_.filePath(QStringLiteral("read-only"));
    seed(folder);
    const QString shots = base_.filePath(QStringLiteral("child-shots"));
    const QString home = base_.filePath(QStringLiteral("child-home"));
    QVERIFY(QDir().mkpath(shots) && QDir().mkpath(home));
    ::chmod(QFile::encodeName(shots).constData(), 0777);
    ::chmod(QFile::encodeName(home).constData(), 0777);
    if (::geteuid() == 0) chownTree(folder, kNobody);
    ::chmod(QFile::encodeName(folder).constData(), 0500);
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ZAYA_TEST_CHILD"), QStringLiteral("read-only"));
    env.insert(QStringLiteral("ZAYA_DATA_DIR"), folder);
    env.insert(QStringLiteral("ZAYA_SCREENSHOT_DIR"), shots);
    env.insert(QStringLiteral("HOME"), home);
    env.remove(QStringLiteral("XDG_RUNTIME_DIR"));
    runChild(QStringLiteral("readOnlyDataFolderChild"), env);
    ::chmod(QFile::encodeName(folder).constData(), 0700);
    if (::geteuid() == 0) chownTree(folder, 0);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(attemptsIn(folder), kSeeded);
    const QString wanted = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR");
    if (!wanted.isEmpty()) {
      QDir().mkpath(wanted);
      QFile::remove(wanted + QStringLiteral("/storage-read-only.png"));
      QVERIFY(QFile::copy(shots + QStringLiteral("/storage-read-only.png"), wanted + QStringLiteral("/storage-read-only.png")));
    }
  }

  void readOnlyDataFolderChild() {
    if (qEnvironmentVariable("ZAYA_TEST_CHILD") != QLatin1String("read-only")) QSKIP("runs as the child of readOnlyDataFolder");
    QVERIFY(::geteuid() != 0);
    checkAnswer(QStringLiteral("read-only"), qEnvironmentVariable("ZAYA_DATA_DIR"), {}, [](MainWindow& w) {
      QVERIFY(w.appContext()->ok());  // the earlier progress is still shown
      QVERIFY2(w.storageBanner()->text().contains(QStringLiteral("read-only")), qPrintable(w.storageBanner()->text()));
    });
  }

  void fullDisk() {
    const QString folder = base_.filePath(QStringLiteral("full"));
    seed(folder);
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ZAYA_TEST_CHILD"), QStringLiteral("full-disk"));
    env.insert(QStringLiteral("ZAYA_DATA_DIR"), folder);
    runChild(QStringLiteral("fullDiskChild"), env);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(attemptsIn(folder), kSeeded);  // nothing half written
  }

  void fullDiskChild() {
    if (qEnvironmentVariable("ZAYA_TEST_CHILD") != QLatin1String("full-disk")) QSKIP("runs as the child of fullDisk");
    rlimit saved{};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto fill = [&] {
      // From here no file of this process may grow: the database's journal is
      // where the next answer would go. Only the soft limit, so it comes back.
      std::signal(SIGXFSZ, SIG_IGN);
      rlimit full = saved;
      full.rlim_cur = 0;
      QCOMPARE(::setrlimit(RLIMIT_FSIZE, &full), 0);
    };
    checkAnswer(QStringLiteral("full-disk"), qEnvironmentVariable("ZAYA_DATA_DIR"), fill, [&](MainWindow& w) {
      QCOMPARE(::setrlimit(RLIMIT_FSIZE, &saved), 0);
      QVERIFY2(w.storageBanner()->text().contains(QStringLiteral("disk is full")), qPrintable(w.storageBanner()->text()));
    });
  }
};

int main(int argc, char** argv) {
  // The read-only child runs unprivileged, as the test of the database does:
  // root may write into any folder.
  if (qEnvironmentVariable("ZAYA_TEST_CHILD") == QLatin1String("read-only") && ::geteuid() == 0) {
    if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) {
      std::perror("dropping privileges");
      return 3;
    }
  }
  QApplication app(argc, argv);
  TestStorageBanner test;
  return QTest::qExec(&test, argc, argv);
}

#include "test_storage_banner.moc"
