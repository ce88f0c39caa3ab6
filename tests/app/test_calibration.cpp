// Expert calibration on a zaya-synth tiny model: the stored counts add up to
// tokens × layers, a second pass skips the problems already done, cancel
// stops cleanly, and the label rule holds exactly at its thresholds.
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "database.h"
#include "expert_calibration.h"
#include "zaya/model.h"
#include "zaya/problems/bank.h"

using namespace zaya::app;

namespace {

std::shared_ptr<const zaya::Model> makeTiny(const QString& out) {
  QProcess synth;
  synth.start(QStringLiteral(ZAYA_SYNTH), {QStringLiteral("--preset"), QStringLiteral("tiny"), QStringLiteral("--seed"), QStringLiteral("5"),
                                           QStringLiteral("--out"), out, QStringLiteral("--quiet")});
  if (!synth.waitForFinished(60000) || synth.exitCode() != 0) return nullptr;
  zaya::LoadOptions o;
  o.device = zaya::DeviceKind::Cpu;
  o.threads = 1;
  return zaya::Model::load(out.toStdString(), o);
}

const QList<CalibrationProblem> kProblems = {
    {QStringLiteral("p1"), QStringLiteral("algebra"), QStringLiteral("Solve $x^2 - 5x + 6 = 0$.")},
    {QStringLiteral("p2"), QStringLiteral("geometry"), QStringLiteral("A circle has radius 3. What is its area?")},
    {QStringLiteral("p3"), QStringLiteral("algebra"), QStringLiteral("If $2y + 7 = 19$, what is $y$?")},
    {QStringLiteral("p4"), QStringLiteral("number_theory"), QStringLiteral("What is the remainder of $2^{10}$ divided by 7?")},
};

qint64 sumTokens(const QHash<QString, qint64>& t) {
  qint64 n = 0;
  for (auto v : t) n += v;
  return n;
}

}  // namespace

class TestCalibration : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::shared_ptr<const zaya::Model> model_;
  ExpertCalibration::Tokenize tokenize_;

  bool run(ExpertCalibration& c, const QList<CalibrationProblem>& problems, QList<QVariant>* result) {
    QSignalSpy done(&c, &ExpertCalibration::finished);
    QSignalSpy failed(&c, &ExpertCalibration::failed);
    c.start(model_, tokenize_, QStringLiteral("tiny"), problems);
    for (int i = 0; i < 600 && done.isEmpty() && failed.isEmpty(); ++i) QTest::qWait(50);
    if (done.isEmpty()) return false;
    *result = done.first();
    return true;
  }

 private slots:
  void initTestCase() {
    model_ = makeTiny(dir_.filePath(QStringLiteral("tiny")));
    QVERIFY(model_);
    // The tiny model has its own small vocabulary: one token per byte, folded into it.
    const auto vocab = model_->config().vocab_size;
    tokenize_ = [vocab](const QString& text) {
      std::vector<std::int32_t> ids;
      for (char ch : text.toUtf8()) ids.push_back(std::int32_t(static_cast<unsigned char>(ch) % vocab));
      return ids;
    };
  }

  void countsAddUpAndResumeSkipsDoneProblems() {
    QTemporaryDir d;
    Database db(d.filePath(QStringLiteral("db.sqlite")));
    ExpertCalibration c(&db);
    QSignalSpy progress(&c, &ExpertCalibration::progress);
    QList<QVariant> r;
    QVERIFY(run(c, kProblems.mid(0, 2), &r));
    QCOMPARE(r[0].toInt(), 2);
    QCOMPARE(r[1].toInt(), 0);
    QCOMPARE(progress.count(), 2);
    QCOMPARE(progress.last()[0].toInt(), 2);

    // Second pass over all four: the two done ones are skipped.
    progress.clear();
    QVERIFY(run(c, kProblems, &r));
    QCOMPARE(r[0].toInt(), 2);
    QCOMPARE(r[1].toInt(), 2);
    QCOMPARE(progress.count(), 2);
    QCOMPARE(db.calibratedProblems(QStringLiteral("tiny")), (QSet<QString>{"p1", "p2", "p3", "p4"}));

    qint64 tokens = 0;
    QHash<QString, qint64> perTopic;
    for (const auto& p : kProblems) {
      const qint64 n = qint64(tokenize_(p.statement).size());
      tokens += n;
      perTopic[p.topic] += n;
    }
    const QHash<QString, qint64> stored = db.calibrationTokens(QStringLiteral("tiny"));
    QCOMPARE(stored, perTopic);
    QCOMPARE(sumTokens(stored), tokens);
    const int layers = int(model_->config().num_layers);
    qint64 all = 0;
    QHash<QString, qint64> perTopicLayer0;
    for (const auto& cell : db.calibrationCells(QStringLiteral("tiny"))) {
      all += cell.count;
      if (cell.layer == 0) perTopicLayer0[cell.topic] += cell.count;
      QVERIFY(cell.expert >= 0 && cell.expert <= model_->config().num_experts);
    }
    QCOMPARE(all, tokens * layers);
    QCOMPARE(perTopicLayer0, perTopic);  // every token routed once per layer (skip included)

    // The profile's ratios follow from the counts.
    const auto stats = ExpertCalibration::profile(db, QStringLiteral("tiny"), int(model_->config().num_experts));
    QVERIFY(!stats.isEmpty());
    for (const auto& s : stats) {
      QVERIFY(s.expert < model_->config().num_experts);
      QCOMPARE(s.topicTokens, perTopic.value(s.topic));
      QVERIFY(s.label.isEmpty());  // far fewer than 500 tokens per topic
    }
  }

  void cancelStopsAndALaterPassFinishes() {
    QTemporaryDir d;
    Database db(d.filePath(QStringLiteral("db.sqlite")));
    ExpertCalibration c(&db);
    QSignalSpy cancelled(&c, &ExpertCalibration::cancelled);
    c.start(model_, tokenize_, QStringLiteral("tiny"), kProblems);
    c.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 30000);
    QVERIFY(!c.isRunning());
    const int done = int(db.calibratedProblems(QStringLiteral("tiny")).size());
    QList<QVariant> r;
    QVERIFY(run(c, kProblems, &r));
    QCOMPARE(r[0].toInt() + r[1].toInt(), 4);
    QCOMPARE(r[1].toInt(), done);
  }

  void sampleTakesTheFirstProblemsOfEachTopic() {
    QTemporaryDir d;
    QVERIFY(QDir().mkpath(d.filePath(QStringLiteral("data"))));
    QFile f(d.filePath(QStringLiteral("data/x.normalized.jsonl")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    const char* rows[][2] = {{"x-1", "Algebra"}, {"x-2", "Geometry"}, {"x-3", "Algebra"}, {"x-4", "Algebra"}, {"x-5", "Geometry"}, {"x-6", "Geometry"}};
    for (const auto& r : rows)
      f.write(QStringLiteral(R"({"id": "%1", "source": "X", "statement_latex": "Problem %1?", "answer": "2", "subject": "%2"})"
                             "\n")
                  .arg(QLatin1String(r[0]), QLatin1String(r[1]))
                  .toUtf8());
    f.close();
    const auto bank = zaya::problems::ProblemBank::load(d.path().toStdString());
    const auto sample = ExpertCalibration::sampleProblems(bank, 2);
    QStringList ids, topics;
    for (const auto& p : sample) {
      ids << p.id;
      topics << p.topic;
    }
    QCOMPARE(ids, (QStringList{"x-1", "x-2", "x-3", "x-5"}));
    QCOMPARE(topics, (QStringList{"Algebra", "Geometry", "Algebra", "Geometry"}));
    QCOMPARE(sample.first().statement, QStringLiteral("Problem x-1?"));
  }

  void labelRuleAtItsThresholds() {
    QVERIFY(ExpertCalibration::labelApplies(1.5, 500, 50));
    QVERIFY(!ExpertCalibration::labelApplies(1.4999, 500, 50));
    QVERIFY(!ExpertCalibration::labelApplies(1.5, 499, 50));
    QVERIFY(!ExpertCalibration::labelApplies(3.84, 2092, 2));  // a leaning on two tokens is noise
    QVERIFY(!ExpertCalibration::labelApplies(1.5, 500, 49));
    QVERIFY(ExpertCalibration::labelApplies(3.0, 100000, 600));
    QVERIFY(!ExpertCalibration::labelApplies(0.0, 100000, 0));
  }

  void profileRatiosAndLabels() {
    QTemporaryDir d;
    Database db(d.filePath(QStringLiteral("db.sqlite")));
    // One layer, two experts + skip. [e0, e1, skip] per topic.
    db.addCalibrationSample(QStringLiteral("m"), QStringLiteral("a1"), QStringLiteral("algebra"), 1, 3, {500, 50, 50}, 600);
    db.addCalibrationSample(QStringLiteral("m"), QStringLiteral("g1"), QStringLiteral("geometry"), 1, 3, {100, 400, 100}, 600);
    db.addCalibrationSample(QStringLiteral("m"), QStringLiteral("n1"), QStringLiteral("number_theory"), 1, 3, {0, 450, 49}, 499);
    const auto stats = ExpertCalibration::profile(db, QStringLiteral("m"), 2);
    QCOMPARE(stats.size(), 6);  // 2 experts × 3 topics, no skip class
    auto find = [&](int e, const QString& t) {
      for (const auto& s : stats)
        if (s.expert == e && s.topic == t) return s;
      return ExpertTopicStat{};
    };
    // e0: 600 of 1699 tokens overall; on algebra 500 of 600.
    const auto a0 = find(0, QStringLiteral("algebra"));
    QCOMPARE(a0.routed, 500);
    QCOMPARE(a0.topicTokens, 600);
    QVERIFY(qAbs(a0.ratio - (500.0 / 600.0) / (600.0 / 1699.0)) < 1e-12);
    QCOMPARE(a0.label, QStringLiteral("algebra-leaning"));
    // A rare expert: 1.8× on algebra over 600 tokens, but only 10 of them routed to it → no label.
    db.addCalibrationSample(QStringLiteral("rare"), QStringLiteral("a1"), QStringLiteral("algebra"), 1, 3, {10, 300, 290}, 600);
    db.addCalibrationSample(QStringLiteral("rare"), QStringLiteral("g1"), QStringLiteral("geometry"), 1, 3, {1, 300, 299}, 600);
    const auto rare = ExpertCalibration::profile(db, QStringLiteral("rare"), 2);
    const auto rareAlgebra = std::find_if(rare.begin(), rare.end(), [](const ExpertTopicStat& s) {
      return s.expert == 0 && s.topic == QLatin1String("algebra");
    });
    QVERIFY(rareAlgebra != rare.end());
    QVERIFY(rareAlgebra->ratio > 1.8);
    QCOMPARE(rareAlgebra->topicTokens, 600);
    QCOMPARE(rareAlgebra->routed, 10);
    QVERIFY(rareAlgebra->label.isEmpty());
    // e1 on number theory: high ratio but only 499 tokens → no label.
    const auto n1 = find(1, QStringLiteral("number_theory"));
    QVERIFY(n1.ratio > 1.5);
    QCOMPARE(n1.topicTokens, 499);
    QVERIFY(n1.label.isEmpty());
    // e1 on geometry: 400/600 against 900/1699 → 1.258, below 1.5 → no label.
    const auto g1 = find(1, QStringLiteral("geometry"));
    QVERIFY(qAbs(g1.ratio - (400.0 / 600.0) / (900.0 / 1699.0)) < 1e-12);
    QVERIFY(g1.label.isEmpty());
    QCOMPARE(find(0, QStringLiteral("number_theory")).ratio, 0.0);
  }
};

QTEST_GUILESS_MAIN(TestCalibration)
#include "test_calibration.moc"
