// The browser's one-line excerpts: LaTeX read as text a student recognises —
// nested fractions and roots, floors and ceilings, environments, money.
#include <QtTest>

#include "problem_document.h"
#include "zaya/problems/bank.h"

using zaya::ui::plainExcerpt;

class TestProblemExcerpt : public QObject {
  Q_OBJECT
 private slots:
  void latexReadsAsText_data() {
    QTest::addColumn<QString>("latex");
    QTest::addColumn<bool>("dollarIsMath");
    QTest::addColumn<QString>("text");
    QTest::newRow("nested fraction") << R"(Simplify $\frac{\sqrt{72}}{\sqrt{10}}$.)" << true << "Simplify √72/√10.";
    QTest::newRow("fraction of sums") << R"($\dfrac{x+1}{2}$)" << true << "(x+1)/2";
    QTest::newRow("floor and ceiling") << R"(If $\lceil x\rceil+\lfloor x\rfloor+x=4.8$, solve for $x$.)" << true
                                       << "If ⌈x⌉+⌊x⌋+x=4.8, solve for x.";
    QTest::newRow("cases") << R"(Let \[f(n) = \left\{\begin{array}{cl} n^3+2n-1 & \text{if } n>1, \\ n-1 & \text{if } n \le 1. \end{array}\right.\])"
                           << true << "Let f(n) = n^3+2n-1 if n>1; n-1 if n ≤ 1.";
    QTest::newRow("escaped dollar") << R"(Paula invests \$10,000 at $10\%$ interest.)" << true << "Paula invests $10,000 at 10% interest.";
    QTest::newRow("prices are text") << "Apples cost $2 each and pears $3." << false << "Apples cost $2 each and pears $3.";
    QTest::newRow("functions and greek") << R"($\sin \theta = \frac{1}{2}$ and $\log_2 8$)" << true << "sin θ = 1/2 and log_2 8";
    QTest::newRow("degrees and binomial") << R"($\angle A = 30^\circ$, $\binom{5}{2}$)" << true << "∠ A = 30°, C(5, 2)";
    QTest::newRow("short forms") << R"($(16\sqrt[3]{a^2})^{\frac 13}$, $\sqrt x$, $\dfrac 43\cdot\frac1{x}$)" << true
                                 << "(16∛(a^2))^(1/3), √x, 4/3·1/x";
    QTest::newRow("indexed root") << R"($\sqrt[5]{32}$ and $\sqrt[4]{16}$)" << true << "(5)√32 and ∜16";
    QTest::newRow("spaced arguments") << R"(\[ \frac {\sum_{n = 1}^{44} \cos n^\circ}{\sum_{n = 1}^{44} \sin n^\circ} .\])" << true
                                      << "(Σ_(n = 1)^44 cos n°)/(Σ_(n = 1)^44 sin n°) .";
    QTest::newRow("diagram") << "Find $x$. [asy]draw((0,0)--(1,1));[/asy] Done." << true << "Find x. [diagram] Done.";
  }
  void latexReadsAsText() {
    QFETCH(QString, latex);
    QFETCH(bool, dollarIsMath);
    QFETCH(QString, text);
    QCOMPARE(plainExcerpt(latex.toStdString(), dollarIsMath, 200), text);
  }

  // No excerpt of the whole bank shows LaTeX source: no backslash, no
  // command name glued to its arguments.
  void everyExcerptOfTheBankIsText() {
    const auto dir = zaya::problems::find_problems_dir();
    QVERIFY(dir);
    const auto bank = zaya::problems::ProblemBank::load(*dir);
    static const QRegularExpression leftover(QStringLiteral("\\\\|\\b(frac|dfrac|tfrac|sqrt|cbrt|qdrt|lceil|rceil|lfloor|rfloor|cdot|mathrm|displaystyle|beginarray|endarray)\\b"));
    QStringList bad;
    for (const auto& p : bank.problems()) {
      const QString text = plainExcerpt(p.statement_latex, p.dollar_is_math, 110);
      if (leftover.match(text).hasMatch()) bad << QString::fromStdString(p.id) + QStringLiteral(": ") + text;
    }
    QVERIFY2(bad.isEmpty(), qPrintable(QStringLiteral("%1 excerpts show LaTeX, e.g.\n%2").arg(bad.size()).arg(bad.mid(0, 12).join(QLatin1Char('\n')))));
  }

  void longStatementsAreCut() {
    const QString s = plainExcerpt(std::string(500, 'a'), true, 110);
    QCOMPARE(s.size(), 110);
    QVERIFY(s.endsWith(QStringLiteral("…")));
  }
};

QTEST_GUILESS_MAIN(TestProblemExcerpt)
#include "test_problem_excerpt.moc"
