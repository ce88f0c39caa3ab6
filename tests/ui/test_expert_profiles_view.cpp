// The expert profiles screen: without a model it says so and leads to the
// model manager; with a zaya-synth tiny model and a small sample of the real
// bank, "Run calibration" fills the table, and every cell carries exactly
// the ratio, routed tokens and topic tokens the calibration service reports;
// on a profile with enough tokens a label appears exactly where the rule
// (≥ 1.5× over ≥ 500 tokens) holds; Cancel keeps what was measured and offers Resume.
#include <QHeaderView>
#include <QLabel>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "app_context.h"
#include "calibration_source.h"
#include "database.h"
#include "expert_calibration.h"
#include "expert_profiles_view.h"
#include "zaya/model.h"
#include "zaya/problems/bank.h"

using zaya::app::ExpertCalibration;
using zaya::app::ExpertTopicStat;
using zaya::ui::AppContext;
using zaya::ui::ExpertProfilesView;

class TestExpertProfilesView : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::shared_ptr<const zaya::Model> model_;
  ExpertCalibration::Tokenize tokenize_;
  std::unique_ptr<zaya::problems::ProblemBank> bank_;

  // Every cell of the shown layer against the service's numbers.
  void compareLayer(ExpertProfilesView& v, const QList<ExpertTopicStat>& expected, int layer) {
    v.setLayer(layer);
    int checked = 0;
    for (const auto& s : expected) {
      if (s.layer != layer) continue;
      const int column = int(v.topics().indexOf(s.topic));
      QVERIFY2(column >= 0, qPrintable(s.topic));
      const QTableWidgetItem* item = v.table()->item(s.expert, column);
      QVERIFY(item);
      QCOMPARE(item->data(ExpertProfilesView::kRoutedRole).toLongLong(), s.routed);
      QCOMPARE(item->data(ExpertProfilesView::kTopicTokensRole).toLongLong(), s.topicTokens);
      QCOMPARE(item->data(ExpertProfilesView::kRatioRole).toDouble(), s.ratio);
      QCOMPARE(item->data(ExpertProfilesView::kLabelRole).toString(), s.label);
      QCOMPARE(item->text(), QStringLiteral("%1× · %2").arg(s.ratio, 0, 'f', 2).arg(QLocale().toString(s.routed)));
      QCOMPARE(item->font().bold(), !s.label.isEmpty());
      ++checked;
    }
    QVERIFY(checked > 0);
  }

 private slots:
  void initTestCase() {
    const QString out = dir_.filePath(QStringLiteral("tiny"));
    QProcess synth;
    synth.start(QStringLiteral(ZAYA_SYNTH), {QStringLiteral("--preset"), QStringLiteral("tiny"), QStringLiteral("--seed"),
                                             QStringLiteral("5"), QStringLiteral("--out"), out, QStringLiteral("--quiet")});
    QVERIFY(synth.waitForFinished(60000) && synth.exitCode() == 0);
    zaya::LoadOptions o;
    o.device = zaya::DeviceKind::Cpu;
    o.threads = 1;
    model_ = zaya::Model::load(out.toStdString(), o);
    // The tiny model has its own small vocabulary: one token per byte, folded into it.
    const auto vocab = model_->config().vocab_size;
    tokenize_ = [vocab](const QString& text) {
      std::vector<std::int32_t> ids;
      for (char ch : text.toUtf8()) ids.push_back(std::int32_t(static_cast<unsigned char>(ch) % vocab));
      return ids;
    };
    std::string tried;
    const auto problems = zaya::problems::find_problems_dir({}, &tried);
    QVERIFY2(problems, tried.c_str());
    bank_ = std::make_unique<zaya::problems::ProblemBank>(zaya::problems::ProblemBank::load(*problems));
  }

  void withoutAModelItLeadsToTheModelManager() {
    QTemporaryDir d;
    AppContext ctx(d.filePath(QStringLiteral("e.sqlite")));
    ExpertProfilesView v(&ctx);
    v.show();
    QVERIFY(v.messageLabel()->isVisibleTo(&v));
    QVERIFY2(v.messageLabel()->text().contains(QStringLiteral("No model installed")), qPrintable(v.messageLabel()->text()));
    QVERIFY(!v.table()->isVisibleTo(&v));
    QSignalSpy asked(&v, &ExpertProfilesView::modelManagerRequested);
    QTest::mouseClick(v.modelManagerButton(), Qt::LeftButton);
    QCOMPARE(asked.count(), 1);
  }

  void calibrationFillsTheTableWithTheServiceNumbers() {
    QTemporaryDir d;
    AppContext ctx(d.filePath(QStringLiteral("e.sqlite")));
    QVERIFY2(ctx.ok(), qPrintable(ctx.error()));
    ExpertProfilesView v(&ctx);
    v.resize(1200, 900);
    v.show();
    v.setModel(std::make_shared<zaya::app::CalibrationSource>(model_, tokenize_), QStringLiteral("tiny"));
    QVERIFY(v.table()->isVisibleTo(&v));
    QVERIFY(!v.runButton()->isEnabled());  // the bank is not there yet
    ctx.setBank(bank_.get());
    QVERIFY(v.runButton()->isEnabled());
    QCOMPARE(v.runButton()->text(), QStringLiteral("Run calibration"));
    QCOMPARE(v.layerChoice()->maximum(), int(model_->config().num_layers));
    QCOMPARE(v.table()->rowCount(), int(model_->config().num_experts));
    QCOMPARE(v.table()->columnCount(), 0);

    v.perTopicChoice()->setValue(2);
    const auto sample = ExpertCalibration::sampleProblems(*bank_, 2);
    QSignalSpy finished(&v.calibration(), &ExpertCalibration::finished);
    QTest::mouseClick(v.runButton(), Qt::LeftButton);
    QVERIFY(v.cancelButton()->isEnabled());
    QVERIFY(finished.wait(180000));
    QCOMPARE(finished.first().at(0).toInt(), int(sample.size()));
    QCOMPARE(v.progressBar()->maximum(), int(sample.size()));
    QCOMPARE(v.progressBar()->value(), int(sample.size()));
    QCOMPARE(v.runButton()->text(), QStringLiteral("Resume calibration"));
    QVERIFY(!v.cancelButton()->isEnabled());

    const auto expected = ExpertCalibration::profile(ctx.database(), QStringLiteral("tiny"), int(model_->config().num_experts));
    QVERIFY(!expected.isEmpty());
    const auto tokens = ctx.database().calibrationTokens(QStringLiteral("tiny"));
    QCOMPARE(v.table()->columnCount(), int(tokens.size()));
    for (int c = 0; c < v.table()->columnCount(); ++c) {
      const QString topic = v.topics().at(c);
      QCOMPARE(v.table()->horizontalHeaderItem(c)->text(),
               QStringLiteral("%1\n%2 tokens").arg(topic, QLocale().toString(tokens.value(topic))));
    }
    const int last = int(model_->config().num_layers) - 1;
    compareLayer(v, expected, last);
    compareLayer(v, expected, 0);
    // The labels under the table are exactly the cells where the rule holds.
    QStringList labelled;
    for (const auto& s : expected) {
      QCOMPARE(!s.label.isEmpty(), ExpertCalibration::labelApplies(s.ratio, s.topicTokens, s.routed));
      if (s.layer == 0 && !s.label.isEmpty()) labelled << QStringLiteral("Expert %1: <b>%2</b>").arg(s.expert).arg(s.label);
    }
    const QString text = v.labelsText()->text();
    if (labelled.isEmpty()) QVERIFY2(text.startsWith(QStringLiteral("No expert at layer 1 ")), qPrintable(text));
    for (const QString& l : labelled) QVERIFY2(text.contains(l), qPrintable(text));
    QCOMPARE(text.count(QStringLiteral("-leaning")), labelled.size());
  }

  void cancelKeepsWhatWasMeasuredAndOffersResume() {
    QTemporaryDir d;
    AppContext ctx(d.filePath(QStringLiteral("e.sqlite")));
    ctx.setBank(bank_.get());
    ExpertProfilesView v(&ctx);
    v.show();
    v.setModel(std::make_shared<zaya::app::CalibrationSource>(model_, tokenize_), QStringLiteral("tiny"));
    v.perTopicChoice()->setValue(200);
    QSignalSpy cancelled(&v.calibration(), &ExpertCalibration::cancelled);
    QTest::mouseClick(v.runButton(), Qt::LeftButton);
    QVERIFY(!v.runButton()->isEnabled());
    QTest::mouseClick(v.cancelButton(), Qt::LeftButton);
    QVERIFY(cancelled.wait(60000));
    QVERIFY(!v.cancelButton()->isEnabled());
    QVERIFY(v.runButton()->isEnabled());
    QVERIFY2(v.statusLabel()->text().startsWith(QStringLiteral("Stopped.")), qPrintable(v.statusLabel()->text()));
    const int done = int(ctx.database().calibratedProblems(QStringLiteral("tiny")).size());
    QVERIFY(done < int(ExpertCalibration::sampleProblems(*bank_, 200).size()));
    QCOMPARE(v.runButton()->text(), done > 0 ? QStringLiteral("Resume calibration") : QStringLiteral("Run calibration"));
  }

  void measureAgainDiscardsTheProfileAndCalibratesAfresh() {
    QTemporaryDir d;
    AppContext ctx(d.filePath(QStringLiteral("e.sqlite")));
    const int layers = int(model_->config().num_layers), experts = int(model_->config().num_experts);
    QList<qint64> counts(layers * (experts + 1), 0);
    for (int l = 0; l < layers; ++l) counts[l * (experts + 1) + experts] = 10;
    ctx.database().addCalibrationSample(QStringLiteral("tiny"), QStringLiteral("old-1"), QStringLiteral("algebra"), layers,
                                        experts + 1, counts, 10);
    ExpertProfilesView v(&ctx);
    v.show();
    v.setModel(std::make_shared<zaya::app::CalibrationSource>(model_, tokenize_), QStringLiteral("tiny"));
    QVERIFY(!v.measureAgainButton()->isEnabled());  // no bank yet
    ctx.setBank(bank_.get());
    QVERIFY(v.measureAgainButton()->isEnabled());
    v.perTopicChoice()->setValue(1);
    const auto sample = ExpertCalibration::sampleProblems(*bank_, 1);
    QSignalSpy finished(&v.calibration(), &ExpertCalibration::finished);
    QTest::mouseClick(v.measureAgainButton(), Qt::LeftButton);
    QVERIFY(finished.wait(180000));
    QCOMPARE(finished.first().at(0).toInt(), int(sample.size()));  // every problem read afresh
    const auto done = ctx.database().calibratedProblems(QStringLiteral("tiny"));
    QVERIFY(!done.contains(QStringLiteral("old-1")));
    QCOMPARE(int(done.size()), int(sample.size()));
  }

  void labelsAppearOnlyWhereTheRuleHolds() {
    QTemporaryDir d;
    AppContext ctx(d.filePath(QStringLiteral("e.sqlite")));
    const int layers = int(model_->config().num_layers), experts = int(model_->config().num_experts);
    // A stored profile with enough tokens: per layer, expert 0 takes 500 of
    // 600 algebra tokens, expert 1 takes 400 of 600 geometry tokens and 450 of
    // only 499 number theory tokens; the rest go to the skip route.
    auto counts = [&](qint64 e0, qint64 e1, qint64 skip) {
      QList<qint64> c(layers * (experts + 1), 0);
      for (int l = 0; l < layers; ++l) {
        c[l * (experts + 1) + 0] = e0;
        c[l * (experts + 1) + 1] = e1;
        c[l * (experts + 1) + experts] = skip;
      }
      return c;
    };
    auto& db = ctx.database();
    db.addCalibrationSample(QStringLiteral("m"), QStringLiteral("a1"), QStringLiteral("algebra"), layers, experts + 1, counts(500, 50, 50), 600);
    db.addCalibrationSample(QStringLiteral("m"), QStringLiteral("g1"), QStringLiteral("geometry"), layers, experts + 1, counts(100, 400, 100), 600);
    db.addCalibrationSample(QStringLiteral("m"), QStringLiteral("n1"), QStringLiteral("number_theory"), layers, experts + 1, counts(0, 450, 49), 499);
    ExpertProfilesView v(&ctx);
    v.resize(1200, 900);
    v.show();
    v.setModel(std::make_shared<zaya::app::CalibrationSource>(model_, tokenize_), QStringLiteral("m"));
    const auto expected = ExpertCalibration::profile(db, QStringLiteral("m"), experts);
    compareLayer(v, expected, 2);
    const QTableWidgetItem* algebra = v.table()->item(0, int(v.topics().indexOf(QStringLiteral("algebra"))));
    QCOMPARE(algebra->data(ExpertProfilesView::kLabelRole).toString(), QStringLiteral("algebra-leaning"));
    QVERIFY(algebra->toolTip().contains(QStringLiteral("500 of 600 tokens")));
    const QTableWidgetItem* numberTheory = v.table()->item(1, int(v.topics().indexOf(QStringLiteral("number_theory"))));
    QVERIFY(numberTheory->data(ExpertProfilesView::kRatioRole).toDouble() > 1.5);
    QVERIFY(numberTheory->data(ExpertProfilesView::kLabelRole).toString().isEmpty());  // 499 tokens
    QVERIFY(numberTheory->toolTip().contains(QStringLiteral("fewer than 500 tokens")));
    QCOMPARE(v.table()->item(2, 0)->text(), QStringLiteral("—"));  // expert 2 never chosen
    const QString labels = v.labelsText()->text();
    QVERIFY2(labels.contains(QStringLiteral("algebra-leaning")), qPrintable(labels));
    QVERIFY2(labels.contains(QStringLiteral("Expert 0: <b>algebra-leaning</b> (%1× · 500 of 600 tokens)").arg(algebra->data(ExpertProfilesView::kRatioRole).toDouble(), 0, 'f', 2)), qPrintable(labels));
    QVERIFY2(!labels.contains(QStringLiteral("number_theory-leaning")), qPrintable(labels));
    QVERIFY2(!labels.contains(QStringLiteral("geometry-leaning")), qPrintable(labels));
  }
};

QTEST_MAIN(TestExpertProfilesView)
#include "test_expert_profiles_view.moc"
