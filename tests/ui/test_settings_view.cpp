// The settings screen: values changed through the controls are saved and a
// new AppContext on the same database reads them back; in the main window
// the theme, font size and sampling apply at once; "Test connection" reaches
// a local OpenAI-compatible server and reports a closed port with the
// reason; remote mode marks the expert views unavailable.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include "app_context.h"
#include "expert_profiles_view.h"
#include "main_window.h"
#include "openai_server.h"
#include "practice_view.h"
#include "problem_panel.h"
#include "remote_backend.h"
#include "settings_view.h"
#include "tutor_settings.h"

using zaya::app::TutorSettings;
using zaya::testing::OpenAiServer;
using zaya::ui::AppContext;
using zaya::ui::SettingsView;

namespace {

// Picks the combo entry with `data` the way a keyboard user does (which emits `activated`).
void choose(QComboBox* combo, const QString& data) {
  const int target = combo->findData(data);
  QVERIFY(target >= 0);
  combo->setFocus();
  while (combo->currentIndex() != target) {
    const int before = combo->currentIndex();
    QTest::keyClick(combo, combo->currentIndex() < target ? Qt::Key_Down : Qt::Key_Up);
    QVERIFY(combo->currentIndex() != before);
  }
}

void typeInto(QLineEdit* field, const QString& text) {
  field->setFocus();
  field->selectAll();
  QTest::keyClicks(field, text);
  QTest::keyClick(field, Qt::Key_Return);  // editingFinished
}

quint16 closedPort() {
  QTcpServer probe;
  if (!probe.listen(QHostAddress::LocalHost)) return 0;
  return probe.serverPort();  // closed again when probe goes
}

}  // namespace

class TestSettingsView : public QObject {
  Q_OBJECT
 private slots:
  void changesAreSavedAndReadBack() {
    QTemporaryDir d;
    const QString db = d.filePath(QStringLiteral("s.sqlite"));
    {
      AppContext ctx(db);
      QVERIFY2(ctx.ok(), qPrintable(ctx.error()));
      SettingsView v(&ctx);
      v.show();
      QCOMPARE(v.settings(), TutorSettings{});  // a new database: the defaults
      QSignalSpy changed(&v, &SettingsView::settingsChanged);
      QVERIFY(v.modelSamplingSwitch()->isChecked());
      v.modelSamplingSwitch()->click();
      v.temperatureField()->setValue(0.35);
      v.topPField()->setValue(0.8);
      // Typed: saved once, when Return completes the number.
      v.maxTokensField()->setFocus();
      v.maxTokensField()->selectAll();
      QTest::keyClicks(v.maxTokensField(), QStringLiteral("2048"));
      QCOMPARE(changed.count(), 3);
      QTest::keyClick(v.maxTokensField(), Qt::Key_Return);
      QCOMPARE(changed.count(), 4);
      v.thinkingBudgetField()->setValue(0);
      v.fontSizeField()->setValue(14);
      choose(v.themeChoice(), QStringLiteral("dark"));
      choose(v.quantizationChoice(), QStringLiteral("q4"));  // one step from the default
      choose(v.deviceChoice(), QStringLiteral("cpu"));
      QTest::mouseClick(v.remoteSwitch(), Qt::LeftButton);
      QVERIFY(v.remoteSwitch()->isChecked());
      typeInto(v.remoteUrlField(), QStringLiteral("http://classroom.local:8000"));
      typeInto(v.remoteModelField(), QStringLiteral("zaya-served"));
      QSignalSpy keySaved(&v, &SettingsView::apiKeyChanged);
      typeInto(v.apiKeyField(), QStringLiteral("sk-class-42"));
      QCOMPARE(keySaved.count(), 1);
      QCOMPARE(changed.count(), 12);  // one save per changed value
      const auto before = changed.last().at(1).value<TutorSettings>();
      QCOMPARE(before.remoteModel, QStringLiteral("Zyphra/ZAYA1-8B"));
    }
    AppContext again(db);
    const TutorSettings s = TutorSettings::load(again.database());
    QVERIFY(!s.modelSampling);
    QCOMPARE(s.temperature, 0.35);
    QCOMPARE(s.topP, 0.8);
    QCOMPARE(s.maxTokens, 2048);
    QCOMPARE(s.thinkingBudget, 0);
    QCOMPARE(s.fontSize, 14);
    QCOMPARE(s.theme, QStringLiteral("dark"));
    QCOMPARE(s.quantization, QStringLiteral("q4"));
    QCOMPARE(s.device, QStringLiteral("cpu"));
    QVERIFY(s.remote);
    QCOMPARE(s.remoteUrl, QStringLiteral("http://classroom.local:8000"));
    QCOMPARE(s.remoteModel, QStringLiteral("zaya-served"));
    QCOMPARE(zaya::app::api_key::load(TutorSettings::apiKeyFile()), QStringLiteral("sk-class-42"));
    QVERIFY(!again.database().setting(QStringLiteral("settings.remote.url")).isEmpty());
    // The screen on the reopened database shows them.
    SettingsView v(&again);
    QCOMPARE(v.settings(), s);
    QCOMPARE(v.temperatureField()->value(), 0.35);
    QVERIFY(!v.modelSamplingSwitch()->isChecked());
    QCOMPARE(v.themeChoice()->currentData().toString(), QStringLiteral("dark"));
    QCOMPARE(v.apiKeyField()->text(), QStringLiteral("sk-class-42"));
    QCOMPARE(v.fontSizeField()->value(), 14);
    QFile::remove(TutorSettings::apiKeyFile());
  }

  void theMainWindowAppliesThemeFontAndSampling() {
    zaya::ui::MainWindow w;
    w.show();
    QVERIFY(w.showView(QStringLiteral("settings")));
    SettingsView* v = w.settingsView();
    QCOMPARE(w.theme(), QStringLiteral("light"));
    QVERIFY(qApp->palette().color(QPalette::Window).lightness() > 128);
    choose(v->themeChoice(), QStringLiteral("dark"));
    QCOMPARE(w.theme(), QStringLiteral("dark"));
    QVERIFY(qApp->palette().color(QPalette::Window).lightness() < 128);
    const double systemPoints = QApplication::font().pointSizeF();
    QLabel* heading = nullptr;
    for (QLabel* l : v->findChildren<QLabel*>())
      if (l->text() == QStringLiteral("Settings")) heading = l;
    QVERIFY(heading);
    QVERIFY(heading->font().bold());
    QCOMPARE(heading->font().pointSizeF(), systemPoints * 1.15);
    v->fontSizeField()->setValue(15);
    QCOMPARE(QApplication::font().pointSizeF(), 15.0);
    // Headings grow with the body text rather than keeping their first size
    // (Qt posts the font change to every widget: it arrives in the event loop).
    QTRY_COMPARE(heading->font().pointSizeF(), 15.0 * 1.15);
    QVERIFY(heading->font().bold());
    v->maxTokensField()->setValue(1024);
    v->temperatureField()->setValue(0.2);
    v->thinkingBudgetField()->setValue(-1);
    // The tutor behind the practice screen holds the settings its requests are made with.
    auto* tutor = w.practiceView()->panel()->tutor();
    QCOMPARE(tutor->settings().maxTokens, 1024);
    QCOMPARE(tutor->settings().temperature, 0.2);
    // The sampling switch reaches the requests the practice screen sends.
    QVERIFY(tutor->settings().modelSampling);
    v->modelSamplingSwitch()->click();
    QVERIFY(!tutor->settings().modelSampling);
    v->modelSamplingSwitch()->click();
    QVERIFY(tutor->settings().modelSampling);
    QCOMPARE(tutor->settings().thinkingBudget, -1);
    QCOMPARE(v->thinkingBudgetField()->text(), QStringLiteral("No limit"));
    // The theme picked in the View menu is the one Settings shows and saves.
    w.setTheme(QStringLiteral("light"));
    QCOMPARE(v->themeChoice()->currentData().toString(), QStringLiteral("light"));
    // Back to the defaults for the other tests sharing this data folder.
    choose(v->themeChoice(), QStringLiteral("light"));
    v->fontSizeField()->setValue(v->fontSizeField()->minimum());
    QCOMPARE(v->fontSizeField()->text(), QStringLiteral("System default"));
    QCOMPARE(TutorSettings::load(w.appContext()->database()).fontSize, 0);
    QTRY_COMPARE(heading->font().pointSizeF(), systemPoints * 1.15);
  }

  void testConnectionReachesTheServerAndReportsAClosedPort() {
    OpenAiServer server;
    QTemporaryDir d;
    AppContext ctx(d.filePath(QStringLiteral("s.sqlite")));
    SettingsView v(&ctx);
    v.show();
    QVERIFY(!v.testButton()->isEnabled());  // no address yet
    QTest::mouseClick(v.remoteSwitch(), Qt::LeftButton);
    typeInto(v.remoteUrlField(), server.url().toString());
    typeInto(v.apiKeyField(), QStringLiteral("sk-test-7"));
    QVERIFY(v.testButton()->isEnabled());
    QSignalSpy tested(&v, &SettingsView::connectionTested);
    QTest::mouseClick(v.testButton(), Qt::LeftButton);
    QVERIFY(tested.wait(15000));
    QVERIFY2(tested.last().at(0).toBool(), qPrintable(tested.last().at(1).toString()));
    QVERIFY2(v.testResultLabel()->text().startsWith(QStringLiteral("Connected")), qPrintable(v.testResultLabel()->text()));
    QCOMPARE(server.requests, 1);
    QVERIFY(server.lastRequest.startsWith("POST /v1/chat/completions"));
    QVERIFY(server.lastRequest.contains("Authorization: Bearer sk-test-7"));
    QVERIFY(server.lastRequest.contains("\"model\":\"Zyphra/ZAYA1-8B\""));

    const quint16 port = closedPort();
    QVERIFY(port != 0);
    typeInto(v.remoteUrlField(), QStringLiteral("http://127.0.0.1:%1").arg(port));
    QTest::mouseClick(v.testButton(), Qt::LeftButton);
    QVERIFY(tested.wait(15000));
    QVERIFY(!tested.last().at(0).toBool());
    QVERIFY2(v.testResultLabel()->text().startsWith(QStringLiteral("No connection: ")), qPrintable(v.testResultLabel()->text()));
    QVERIFY2(v.testResultLabel()->text().contains(QStringLiteral("connection refused")), qPrintable(v.testResultLabel()->text()));
    QVERIFY(!v.testResultLabel()->text().contains(QStringLiteral("sk-test-7")));

    server.mode = QStringLiteral("401");
    typeInto(v.remoteUrlField(), server.url().toString());
    QTest::mouseClick(v.testButton(), Qt::LeftButton);
    QVERIFY(tested.wait(15000));
    QVERIFY(!tested.last().at(0).toBool());
    QVERIFY2(v.testResultLabel()->text().contains(QStringLiteral("HTTP 401")), qPrintable(v.testResultLabel()->text()));
    QFile::remove(TutorSettings::apiKeyFile());
  }

  void remoteModeMarksTheExpertViewsUnavailable() {
    OpenAiServer server;
    zaya::ui::MainWindow w;
    w.show();
    SettingsView* v = w.settingsView();
    QVERIFY(v->remoteNote()->text().contains(QStringLiteral("expert views are unavailable")));
    QSignalSpy loaded(&w, &zaya::ui::MainWindow::modelLoaded);
    QVERIFY(!v->remoteUrlField()->isEnabled());  // until remote mode is on
    QTest::mouseClick(v->remoteSwitch(), Qt::LeftButton);
    typeInto(v->remoteUrlField(), server.url().toString());
    QVERIFY(!loaded.isEmpty());
    QVERIFY2(loaded.last().at(0).toBool(), qPrintable(loaded.last().at(1).toString()));
    QVERIFY2(loaded.last().at(1).toString().contains(QStringLiteral("remote")), qPrintable(loaded.last().at(1).toString()));
    QVERIFY2(w.statusText().startsWith(QStringLiteral("Remote server: ")), qPrintable(w.statusText()));
    auto* experts = w.expertProfilesView();
    QVERIFY(w.showView(QStringLiteral("experts")));
    QVERIFY2(experts->messageLabel()->text().contains(QStringLiteral("unavailable")), qPrintable(experts->messageLabel()->text()));
    QVERIFY(!experts->table()->isVisibleTo(experts));
    QVERIFY(!experts->modelManagerButton()->isVisibleTo(experts));
    // Remote off again: the expert screen is back to its local state, the status too.
    QTest::mouseClick(v->remoteSwitch(), Qt::LeftButton);
    QVERIFY(!experts->messageLabel()->text().contains(QStringLiteral("remote server")));
    QVERIFY(!w.statusText().startsWith(QStringLiteral("Remote server: ")));
  }
};

QTEST_MAIN(TestSettingsView)
#include "test_settings_view.moc"
