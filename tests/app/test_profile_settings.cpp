// The student's own settings (theme, font size) are kept per profile, with
// the computer's value as the fallback, so an install from before profiles
// keeps its look; the engine's settings stay the computer's.
#include <QTemporaryDir>
#include <QtTest>

#include "auth_service.h"
#include "database.h"
#include "profile_service.h"
#include "tutor_settings.h"

using namespace zaya::app;

class TestProfileSettings : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;

 private slots:
  void theStudentsOwnSettingsArePerProfile() {
    Database db(dir_.filePath(QStringLiteral("c.sqlite")));
    AuthService auth(db);
    ProfileService profiles(auth);
    TutorSettings before;  // one theme for the computer, as before profiles
    before.theme = QStringLiteral("dark");
    before.fontSize = 14;
    before.save(db);
    const Profile ada = profiles.create(QStringLiteral("Ada"));
    const Profile ben = profiles.create(QStringLiteral("Ben"));
    profiles.switchTo(ada.id);
    TutorSettings s = TutorSettings::load(db);
    QCOMPARE(s.theme, QStringLiteral("dark"));  // the computer's until Ada chooses
    s.theme = QStringLiteral("light");
    s.fontSize = 18;
    s.maxTokens = 2048;  // the computer's, not the student's
    s.save(db);
    profiles.switchTo(ben.id);
    const TutorSettings b = TutorSettings::load(db);
    QCOMPARE(b.theme, QStringLiteral("dark"));
    QCOMPARE(b.fontSize, 14);
    QCOMPARE(b.maxTokens, 2048);
    profiles.switchTo(ada.id);
    QCOMPARE(TutorSettings::load(db).theme, QStringLiteral("light"));
    QCOMPARE(TutorSettings::load(db).fontSize, 18);
  }
};

QTEST_GUILESS_MAIN(TestProfileSettings)
#include "test_profile_settings.moc"
