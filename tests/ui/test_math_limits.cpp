// KaTeX within limits, offscreen: \rule and \colorbox blocks, negative kerns
// and raised boxes, in problem text and in model output, draw nothing wider
// or taller than the text column and nothing outside it (measured in the
// page with getBoundingClientRect, clipped by the boxes that clip); model
// output and problem text cannot draw a colour box or huge type (no fake
// "✓ Verified" badge at any size); and a
// 1.1 MB statement with 100k formulas shows its first formulas at once (about
// 1 s idle), while nearly all are still to be typeset, and the page keeps
// answering as the rest are typeset. A formula KaTeX cannot parse is
// counted as an error on the page that shows it; a clean page counts none.
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QtTest>
#include <QWebEnginePage>

#include "document_view.h"
#include "math_markdown.h"
#include "solution_view.h"

using zaya::ui::DocumentView;
using zaya::ui::SolutionView;

namespace {

// Oversized on purpose: each line is one way to paint a big block.
const char* kOversized = R"(Rules: $\rule{800px}{800px}$ and $\rule{50em}{50em}$.

$$\rule{50em}{50em}$$

A badge $\colorbox{#1b7f3b}{\Huge\textcolor{white}{✓ Verified}}$ and a tall one:

\begin{align*}\colorbox{#1b7f3b}{$\begin{array}{c}\rule{10em}{10em}\\ \rule{10em}{10em}\\ \rule{10em}{10em}\\ \rule{10em}{10em}\end{array}$}\end{align*}

Pushed away: $x\kern-50em\colorbox{#1b7f3b}{✓ Verified}$, $\raisebox{-50em}{✓}$, $\rule{10em}{1em}\rule{10em}{1em}\rule{10em}{1em}\rule{10em}{1em}\rule{10em}{1em}$
and $\fcolorbox{red}{#1b7f3b}{\Huge ✓ Verified}$; a definition $\def\big{50em}\rule{\big}{\big}$.

Ordinary math still reads as before: $\frac{a}{b} + \sqrt{2}$ and \(\hspace{1cm}x\).)";

QVariant evaluate(QWebEngineView& view, const QString& script, int timeoutMs = 20000) {
  QVariant result;
  bool done = false;
  view.page()->runJavaScript(script, [&](const QVariant& v) {
    result = v;
    done = true;
  });
  QElapsedTimer clock;
  clock.start();
  while (!done && clock.elapsed() < timeoutMs) QTest::qWait(5);
  return done ? result : QVariant();
}

// What the formulas under `scope` draw, each element clipped by the
// ancestors that clip it: the widest and tallest, how far any reaches
// outside the text column, the colour boxes and the largest type.
QJsonObject measure(QWebEngineView& view, const QString& scope) {
  const QString script = QStringLiteral(R"JS((() => {
    const main = document.getElementById("document");
    const mr = main.getBoundingClientRect(), cs = getComputedStyle(main);
    const left = mr.left + parseFloat(cs.paddingLeft), right = mr.right - parseFloat(cs.paddingRight);
    const out = { column: right - left, maxWidth: 0, maxHeight: 0, outside: 0, formulas: 0, colorboxes: 0, maxFontPx: 0 };
    const scopes = "%1".split(",").map((x) => x.trim());
    const selector = scopes.map((x) => x + " span.math, " + x + " span.math *").join(", ");
    for (const e of document.querySelectorAll(selector)) {
      if (e.closest(".katex-mathml")) continue;
      if (e.matches("span.math")) ++out.formulas;
      if (e.matches(".colorbox, .fcolorbox")) ++out.colorboxes;
      const r = e.getBoundingClientRect();
      let l = r.left, t = r.top, rt = r.right, b = r.bottom;
      if (r.width === 0 && r.height === 0) continue;
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        const s = getComputedStyle(a), ar = a.getBoundingClientRect();
        if (s.overflowX !== "visible") { l = Math.max(l, ar.left); rt = Math.min(rt, ar.right); }
        if (s.overflowY !== "visible") { t = Math.max(t, ar.top); b = Math.min(b, ar.bottom); }
      }
      const w = rt - l, h = b - t;
      if (w <= 0 || h <= 0) continue;
      out.maxWidth = Math.max(out.maxWidth, w);
      out.maxHeight = Math.max(out.maxHeight, h);
      out.outside = Math.max(out.outside, left - l, rt - right);
      if (e.textContent.trim()) out.maxFontPx = Math.max(out.maxFontPx, parseFloat(getComputedStyle(e).fontSize));
    }
    return JSON.stringify(out);
  })())JS")
                             .arg(scope);
  return QJsonDocument::fromJson(evaluate(view, script).toString().toUtf8()).object();
}

void verifyInsideColumn(const QJsonObject& m, const char* where) {
  const QByteArray what = QJsonDocument(m).toJson(QJsonDocument::Compact);
  QVERIFY2(m.value(QStringLiteral("formulas")).toInt() >= 10, where + (": " + what));
  const double column = m.value(QStringLiteral("column")).toDouble();
  QVERIFY2(column > 300, what);
  QVERIFY2(m.value(QStringLiteral("maxWidth")).toDouble() <= column + 1, where + (": wider than the column " + what));
  QVERIFY2(m.value(QStringLiteral("maxHeight")).toDouble() <= column + 1, where + (": taller than the column " + what));
  QVERIFY2(m.value(QStringLiteral("outside")).toDouble() <= 1, where + (": drawn outside the column " + what));
}

void screenshot(QWidget& w, const QString& name) {
  if (const QString shots = qEnvironmentVariable("ZAYA_SCREENSHOT_DIR"); !shots.isEmpty())
    QVERIFY(w.grab().save(QDir(shots).filePath(name)));
}

}  // namespace

class TestMathLimits : public QObject {
  Q_OBJECT
 private slots:
  void problemTextStaysInTheColumn() {
    DocumentView doc;
    doc.resize(900, 700);
    doc.show();
    QSignalSpy rendered(&doc, &DocumentView::rendered);
    const QString html = QString::fromStdString(zaya::render::render_markdown_with_math(kOversized));
    doc.setDocument(QJsonObject{{QStringLiteral("title"), QStringLiteral("Oversized")},
                                {QStringLiteral("sections"), QJsonArray{QJsonObject{{QStringLiteral("html"), html}}}}});
    QVERIFY(rendered.wait(60000));
    QVERIFY(doc.lastKatexCount() >= 8);
    const QJsonObject m = measure(doc, QStringLiteral("#document"));
    verifyInsideColumn(m, "problem text");
    if (QTest::currentTestFailed()) return;
    QCOMPARE(m.value(QStringLiteral("colorboxes")).toInt(), 0);  // no bank problem uses one
    QVERIFY2(m.value(QStringLiteral("maxFontPx")).toDouble() <= 28.5, QJsonDocument(m).toJson(QJsonDocument::Compact));
    // The bank's own spacing is kept: \hspace{1cm} is not capped.
    QVERIFY(evaluate(doc, QStringLiteral("[...document.querySelectorAll('.mspace')].some(e => parseFloat(e.style.marginRight) > 2.8)")).toBool());
    screenshot(doc, QStringLiteral("math-limits-problem.png"));
  }

  void modelOutputStaysInTheColumnWithoutBoxes() {
    SolutionView view;
    view.resize(900, 700);
    view.show();
    QSignalSpy drawn(&view, &SolutionView::updatesDrawn);
    view.reset(QStringLiteral("Solution"), QStringLiteral("test"), 0, 0, false);
    view.setStep(0, QString::fromUtf8(kOversized), true, {});
    view.setFinal(QStringLiteral("\\colorbox{#1b7f3b}{\\Huge\\textcolor{white}{✓ Verified}}"), SolutionView::Verdict::Incorrect,
                  QStringLiteral("not equal"));
    QVERIFY(drawn.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(view.idle(), 30000);
    const QJsonObject m = measure(view, QStringLiteral("#steps, #final"));
    verifyInsideColumn(m, "model output");
    if (QTest::currentTestFailed()) return;
    QCOMPARE(m.value(QStringLiteral("colorboxes")).toInt(), 0);
    // \Huge is ignored: no type larger than \Large (1.44 × KaTeX's 1.21 × 16 px).
    QVERIFY2(m.value(QStringLiteral("maxFontPx")).toDouble() <= 28.5, QJsonDocument(m).toJson(QJsonDocument::Compact));
    // The verdict badge is the only "✓ Verified" drawn on a coloured box.
    QCOMPARE(evaluate(view, QStringLiteral("document.querySelectorAll('.badge').length")).toInt(), 1);
    screenshot(view, QStringLiteral("math-limits-model-output.png"));
  }

  void hugeStatementShowsAtOnceAndStaysResponsive() {
    std::string md = std::string(kOversized) + "\n\n";  // the limits hold in a long document too
    for (int i = 0; i < 100000; ++i) {
      md += "$a_{" + std::to_string(i) + "}$ ";
      if (i % 20 == 19) md += "\n\n";
    }
    QVERIFY(md.size() > 1100000);
    DocumentView doc;
    doc.resize(900, 700);
    doc.show();
    QSignalSpy rendered(&doc, &DocumentView::rendered);
    doc.setDocument(QJsonObject{{QStringLiteral("title"), QStringLiteral("Warm-up")}});  // the page is loaded
    QVERIFY(rendered.wait(60000));

    QElapsedTimer clock;
    clock.start();
    const QString html = QString::fromStdString(zaya::render::render_markdown_with_math(md));
    doc.setDocument(QJsonObject{{QStringLiteral("title"), QStringLiteral("100,000 formulas")},
                                {QStringLiteral("sections"), QJsonArray{QJsonObject{{QStringLiteral("html"), html}}}}});
    QVERIFY(rendered.wait(60000));
    const qint64 shown = clock.elapsed();
    // About 1 s on an idle machine, before: only after the whole statement
    // was typeset, a minute. Wall time depends on the load (up to 9 s seen
    // with four web tests on two busy cores); what does not is that the view
    // shows while nearly every formula is still waiting.
    QVERIFY2(shown < 12000, qPrintable(QStringLiteral("the first formulas took %1 ms").arg(shown)));
    QVERIFY(doc.lastKatexCount() > 0);
    QVERIFY(evaluate(doc, QStringLiteral("!!document.querySelector('span.math .katex')")).toBool());
    const int pendingAtFirst = evaluate(doc, QStringLiteral("window.zayaMath.pending()")).toInt();
    QVERIFY2(pendingAtFirst > 90000, qPrintable(QString::number(pendingAtFirst)));

    // While the rest is typeset: a 50 ms page timer keeps firing and a
    // round trip from the app is answered promptly.
    evaluate(doc, QStringLiteral("window.__gap = 0; window.__last = performance.now(); window.__timer = setInterval(() => {"
                                 " const now = performance.now(); window.__gap = Math.max(window.__gap, now - window.__last);"
                                 " window.__last = now; }, 50); true"));
    qint64 worstRoundTrip = 0;
    for (int i = 0; i < 8; ++i) {
      QTest::qWait(200);
      QElapsedTimer rt;
      rt.start();
      QCOMPARE(evaluate(doc, QStringLiteral("6 * 7")).toInt(), 42);
      worstRoundTrip = std::max(worstRoundTrip, rt.elapsed());
    }
    const double gap = evaluate(doc, QStringLiteral("clearInterval(window.__timer); window.__gap")).toDouble();
    const int pendingLater = evaluate(doc, QStringLiteral("window.zayaMath.pending()")).toInt();
    qInfo("first formulas after %lld ms; worst round trip %lld ms; worst page timer gap %.0f ms; pending %d → %d", shown,
          worstRoundTrip, gap, pendingAtFirst, pendingLater);
    // Idle: round trips of about 40 ms and timer gaps of about 100 ms (the
    // typesetting slices are 30 ms); the bounds leave room for a loaded
    // machine and still fail a page that blocks while it typesets.
    QVERIFY2(worstRoundTrip < 1000, qPrintable(QString::number(worstRoundTrip)));
    QVERIFY2(gap < 1000, qPrintable(QString::number(gap)));
    QVERIFY2(pendingLater < pendingAtFirst, "typesetting did not go on");
    // Far from the viewport nothing is laid out or painted yet; scrolled
    // into view, each formula is measured and boxed if it does not fit.
    for (int i = 1; i <= 10; ++i) {
      evaluate(doc, QStringLiteral("document.querySelector('#document .body > :nth-child(%1)').scrollIntoView(); true").arg(i));
      QTest::qWait(150);
    }
    verifyInsideColumn(measure(doc, QStringLiteral("#document .body > :nth-child(-n+10)")), "long problem text");
    evaluate(doc, QStringLiteral("window.scrollTo(0, 0); true"));
    QTest::qWait(300);
    screenshot(doc, QStringLiteral("math-limits-huge-statement.png"));
  }

  // What the page reports back: a formula KaTeX cannot parse is counted as
  // an error (and shown as its source), a clean page reports none.
  void errorCountSaysWhichPagesHaveABrokenFormula() {
    DocumentView doc;
    doc.resize(900, 700);
    doc.show();
    QSignalSpy rendered(&doc, &DocumentView::rendered);
    auto show = [&](const char* markdown) {
      const QString html = QString::fromStdString(zaya::render::render_markdown_with_math(markdown));
      doc.setDocument(QJsonObject{{QStringLiteral("title"), QStringLiteral("Errors")},
                                  {QStringLiteral("sections"), QJsonArray{QJsonObject{{QStringLiteral("html"), html}}}}});
      return rendered.wait(60000);
    };
    QVERIFY(show(R"(A broken $\frac{1}$ beside a good $\sqrt{2}$.)"));
    QCOMPARE(doc.lastErrorCount(), 1);
    QCOMPARE(rendered.last().at(1).toInt(), 1);
    QVERIFY(show(R"(Only good math: $\frac{1}{2}$ and $\sqrt{2}$.)"));
    QCOMPARE(doc.lastErrorCount(), 0);
    QCOMPARE(doc.lastKatexCount(), 2);
  }
};

QTEST_MAIN(TestMathLimits)
#include "test_math_limits.moc"
