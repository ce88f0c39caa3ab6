// The solution view: steps and their expert views are drawn from the routing
// the app sends, the page's heatmap numbers equal the counts recomputed from
// the tokens, and hostile text in a problem, an answer or model output can
// neither run script nor fetch anything.
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QtTest>

#include <QJsonArray>

#include "document_view.h"
#include "math_markdown.h"
#include "problem_document.h"
#include "solution_view.h"

using zaya::ui::DocumentView;
using zaya::ui::RouteCounts;
using zaya::ui::SolutionToken;
using zaya::ui::SolutionView;

namespace {

const char* kHostile =
    "<script>bridge.reportHeatmap(999, 'script ran')</script> "
    "<img src=x onerror=\"bridge.reportHeatmap(998, 'onerror ran')\"> "
    "[click](javascript:bridge.reportHeatmap(997,'link')) <a href=\"javascript:alert(1)\">a</a> "
    "![remote](http://127.0.0.1:9/pixel.png) <iframe src=\"http://127.0.0.1:9/\"></iframe> "
    "$\\href{javascript:alert(2)}{x}$ $\\url{http://127.0.0.1:9/u}$ \\(\\includegraphics{http://127.0.0.1:9/i.png}\\)";

QList<SolutionToken> randomTokens(int n, int layers, int experts, quint32 seed) {
  QRandomGenerator rng(seed);
  QList<SolutionToken> out;
  for (int i = 0; i < n; ++i) {
    SolutionToken t;
    t.text = QStringLiteral("t%1 ").arg(i);
    for (int l = 0; l < layers; ++l) {
      t.experts.push_back(int(rng.bounded(experts + 1)));
      t.probs.push_back(float(rng.generateDouble()));
    }
    out.push_back(t);
  }
  return out;
}

}  // namespace

class TestSolutionView : public QObject {
  Q_OBJECT
 private slots:
  void heatmapCellsEqualRecomputedCounts() {
    SolutionView view;
    view.resize(1000, 800);
    view.show();
    const int layers = 40, experts = 16;
    QSignalSpy drawn(&view, &SolutionView::updatesDrawn);
    view.reset(QStringLiteral("Solution"), QStringLiteral("test"), layers, experts, true);
    view.setThinking(QStringLiteral("Let me think."), true, 4);
    QList<QList<SolutionToken>> steps;
    for (int s = 0; s < 3; ++s) {
      steps.push_back(randomTokens(20 + 7 * s, layers, experts, 11 + s));
      view.setStep(s, QStringLiteral("**Step %1.** We have $x_%1 = %1$.").arg(s + 1), true, steps.back());
    }
    view.setFinal(QStringLiteral("42"), SolutionView::Verdict::Correct, QStringLiteral("equal as integers"));
    QVERIFY(drawn.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(view.idle(), 30000);
    QSignalSpy reported(&view, &SolutionView::heatmapReported);
    for (int s = 0; s < 3; ++s) {
      view.queryHeatmap(s);
      QVERIFY(reported.wait(10000));
      const auto counts = reported.last().at(1).value<RouteCounts>();
      QCOMPARE(reported.last().at(0).toInt(), s);
      QCOMPARE(counts, SolutionView::countRoutes(steps[s], layers, experts));
      int total = 0;
      for (const auto& row : counts) for (int c : row) total += c;
      QCOMPARE(total, int(steps[s].size()) * layers);
    }
    view.compareSteps(0, 2);
    QVERIFY(drawn.wait(10000));
  }

  void hostileTextNeitherRunsNorFetches() {
    SolutionView view;
    view.show();
    QSignalSpy reported(&view, &SolutionView::heatmapReported);
    QSignalSpy drawn(&view, &SolutionView::updatesDrawn);
    view.reset(QString::fromUtf8(kHostile), QString::fromUtf8(kHostile), 2, 2, true);
    view.setThinking(QString::fromUtf8(kHostile), false, 1);
    SolutionToken t{QString::fromUtf8(kHostile), {0, 1}, {0.5f, 0.5f}};
    view.setStep(0, QString::fromUtf8(kHostile), true, {t});
    view.setFinal(QString::fromUtf8(kHostile), SolutionView::Verdict::Incorrect, QString::fromUtf8(kHostile));
    QVERIFY(drawn.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(view.idle(), 30000);
    // The problem-statement path too.
    DocumentView doc;
    doc.show();
    QSignalSpy rendered(&doc, &DocumentView::rendered);
    const QString html = QString::fromStdString(zaya::render::render_markdown_with_math(kHostile));
    doc.setDocument(QJsonObject{{QStringLiteral("title"), QString::fromUtf8(kHostile)},
                                {QStringLiteral("sections"), QJsonArray{QJsonObject{{QStringLiteral("html"), html}}}}});
    QVERIFY(rendered.wait(60000));
    // And the answer preview, fed from what a student types.
    doc.setDocument(QJsonObject{{QStringLiteral("title"), QStringLiteral("answer")}, {QStringLiteral("preview"), true}});
    QVERIFY(rendered.wait(60000));
    doc.setPreviewHtml(zaya::ui::answerPreviewHtml(QString::fromUtf8(kHostile)));
    doc.setPreviewHtml(zaya::ui::answerPreviewHtml(QStringLiteral("</span><img src=x onerror=\"bridge.reportHeatmap(996,'x')\">")));
    QTest::qWait(500);  // give any injected handler time to fire
    for (const auto& call : reported) QVERIFY2(call.at(0).toInt() < 900, "injected script ran");
    QVERIFY2(DocumentView::blockedRequests().isEmpty(), qPrintable(DocumentView::blockedRequests().join(", ")));
  }
};

QTEST_MAIN(TestSolutionView)
#include "test_solution_view.moc"
