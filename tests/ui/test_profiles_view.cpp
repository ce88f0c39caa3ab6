// Several students on one computer: two profiles answer the same problem
// differently, and each sees only their own marks, streak, review queue and
// history, after switching and after a restart; the app asks who is working
// at start when more than one student practises here, and says that
// profiles are not private from each other.
#include <QAction>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTableWidget>
#include <QtTest>

#include "app_context.h"
#include "main_window.h"
#include "practice_view.h"
#include "problem_panel.h"
#include "profile_view.h"
#include "progress_view.h"
#include "zaya/problems/bank.h"

using namespace zaya;
using zaya::ui::MainWindow;

namespace {
struct Seen {
  QString standing;
  int attempts = 0;
  int streak = 0;
  int queued = 0;
  int lapses = -1;
  int history = 0;
};

// What the signed-in student sees of problem `id`, read as the screens read it.
Seen seenBy(MainWindow& w, const QString& id) {
  ui::AppContext* ctx = w.appContext();
  const qint64 me = ctx->studentId();
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  Seen s;
  const auto statuses = ctx->progress().problemStatuses(me, now);
  s.attempts = statuses.value(id).attempts;
  s.standing = QString::number(int(statuses.value(id).standing));
  s.streak = ctx->progress().streak(me, now).current;
  for (const auto& r : ctx->progress().reviewQueue(me))
    if (r.problemId == id) {
      ++s.queued;
      s.lapses = r.lapses;
    }
  w.progressView()->refresh();
  s.history = w.progressView()->historyTable()->rowCount();
  return s;
}
}  // namespace

class TestProfilesView : public QObject {
  Q_OBJECT

 private slots:
  void twoStudentsKeepTheirOwnWorkAcrossSwitchesAndRestarts() {
    QString problemId, key;
    qint64 ada = 0, ben = 0;
    {
      MainWindow w;
      w.show();
      QSignalSpy loaded(&w, &MainWindow::bankLoaded);
      QVERIFY(loaded.wait(30000));
      ui::AppContext* ctx = w.appContext();
      QVERIFY(ctx->ok());
      QVERIFY(!ctx->needsStudentChoice());  // one student: no question
      ui::ProfileView* pv = w.profileView();
      ada = ctx->studentId();
      QVERIFY(pv->renameProfile(ada, QStringLiteral("Ada")));
      QVERIFY(pv->privacyNote()->text().contains(QStringLiteral("not private from each other")));
      QCOMPARE(pv->privacyNote()->textFormat(), Qt::PlainText);

      // Ada answers wrong.
      const problems::Problem& p = w.appContext()->bank()->problems().front();
      problemId = QString::fromStdString(p.id);
      key = QString::fromStdString(p.answer);
      w.openProblem(problemId);
      auto* panel = w.practiceView()->panel();
      emit panel->answerChecked(problemId, QStringLiteral("wrong-answer"), false, QString(), 30000);

      // Ben joins and answers right.
      QVERIFY2(pv->createProfile(QStringLiteral("Ben")), qPrintable(pv->message()));
      QVERIFY(!pv->createProfile(QStringLiteral("ben")));  // names are unique
      for (const auto& s : ctx->profiles().students())
        if (s.name == QStringLiteral("Ben")) ben = s.id;
      QVERIFY(ben > 0);
      QVERIFY(pv->switchTo(ben));
      QCOMPARE(ctx->studentId(), ben);
      QVERIFY(panel->tutor()->conversationKey().startsWith(QString::number(ben) + QLatin1Char('/')));
      emit panel->answerChecked(problemId, key, true, QString(), 20000);

      const Seen asBen = seenBy(w, problemId);
      QCOMPARE(asBen.attempts, 1);
      QCOMPARE(asBen.history, 1);
      QCOMPARE(asBen.streak, 1);
      QVERIFY(pv->switchTo(ada));
      const Seen asAda = seenBy(w, problemId);
      QCOMPARE(asAda.attempts, 1);
      QCOMPARE(asAda.history, 1);
      QCOMPARE(asAda.queued, 1);
      QVERIFY(asAda.lapses >= 1);  // the miss is Ada's
      QVERIFY(asBen.standing != asAda.standing);
      QVERIFY(asBen.lapses != asAda.lapses);
      QCOMPARE(w.progressView()->historyTable()->findItems(QStringLiteral("wrong-answer"), Qt::MatchContains).size(), 1);
      // A student profile cannot read the other's work through any service.
      QVERIFY_THROWS_EXCEPTION(app::AppError, ctx->progress().attempts(ben));
      QVERIFY(pv->switchTo(ben));  // Ben worked last
    }
    {
      // Restart: the app asks who is working, and remembers who worked last.
      MainWindow w;
      w.show();
      QSignalSpy loaded(&w, &MainWindow::bankLoaded);
      QVERIFY(loaded.wait(30000));
      ui::AppContext* ctx = w.appContext();
      QVERIFY(ctx->needsStudentChoice());
      QCOMPARE(w.findChild<QStackedWidget*>()->currentWidget(), static_cast<QWidget*>(w.profileView()));
      QCOMPARE(ctx->studentId(), ben);
      QCOMPARE(w.profileView()->profileList()->count(), 2);
      if (const QString shots = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR"); !shots.isEmpty()) {
        QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("profiles-light.png"))));
        w.setTheme(QStringLiteral("dark"));
        QTest::qWait(300);  // the palette change reaches every widget
        QVERIFY(w.grab().save(QDir(shots).filePath(QStringLiteral("profiles-dark.png"))));
        w.setTheme(QStringLiteral("light"));
      }
      const Seen asBen = seenBy(w, problemId);
      QCOMPARE(asBen.attempts, 1);
      QCOMPARE(asBen.queued, 0);  // a first right answer: nothing to review
      QSignalSpy chosen(w.profileView(), &ui::ProfileView::chosen);
      QVERIFY(w.profileView()->switchTo(ada));
      QVERIFY(!ctx->needsStudentChoice());
      const Seen asAda = seenBy(w, problemId);
      QCOMPARE(asAda.attempts, 1);
      QVERIFY(asAda.lapses >= 1);
      QCOMPARE(asAda.history, 1);
      // Deleting: not the one working now; another one, with a backup first.
      QVERIFY(!w.profileView()->deleteProfile(ada));
      const QString backup = QDir(qEnvironmentVariable("ZAYA_DATA_DIR")).filePath(QStringLiteral("ben.zaya-profile"));
      QVERIFY2(w.profileView()->deleteProfile(ben, backup), qPrintable(w.profileView()->message()));
      QVERIFY(QFile::exists(backup));
      QCOMPARE(ctx->profiles().students().size(), 1);
      QVERIFY(!ctx->database().profile(ben));
    }
  }

  // Runs after the test above: Ada is the one profile left.
  void theThemeAndFontSizeAreEachStudentsOwn() {
    qint64 ada = 0, cy = 0;
    {
      MainWindow w;
      w.show();
      QSignalSpy loaded(&w, &MainWindow::bankLoaded);
      QVERIFY(loaded.wait(30000));
      ui::AppContext* ctx = w.appContext();
      ui::ProfileView* pv = w.profileView();
      ada = ctx->studentId();
      QVERIFY2(pv->createProfile(QStringLiteral("Cy")), qPrintable(pv->message()));
      for (const auto& s : ctx->profiles().students())
        if (s.name == QStringLiteral("Cy")) cy = s.id;
      QCOMPARE(w.theme(), QStringLiteral("light"));
      QAction* dark = nullptr;
      for (QAction* a : w.findChildren<QAction*>())
        if (a->data().toString() == QStringLiteral("dark")) dark = a;
      QVERIFY(dark);
      dark->trigger();  // Ada's choice
      QCOMPARE(w.theme(), QStringLiteral("dark"));
      QVERIFY(pv->switchTo(cy));
      QCOMPARE(w.theme(), QStringLiteral("light"));  // Cy never chose: the computer's
      QVERIFY(pv->switchTo(ada));
      QCOMPARE(w.theme(), QStringLiteral("dark"));
    }
    MainWindow w;  // restart: the one who worked last brings their theme
    w.show();
    QSignalSpy loaded(&w, &MainWindow::bankLoaded);
    QVERIFY(loaded.wait(30000));
    QCOMPARE(w.appContext()->studentId(), ada);
    QCOMPARE(w.theme(), QStringLiteral("dark"));
    QVERIFY(w.profileView()->switchTo(cy));
    QCOMPARE(w.theme(), QStringLiteral("light"));
    QVERIFY(w.profileView()->switchTo(ada));
  }
};

QTEST_MAIN(TestProfilesView)
#include "test_profiles_view.moc"
