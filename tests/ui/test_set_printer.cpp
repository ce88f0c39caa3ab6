// Printing problem sets to PDF, offscreen, read back with poppler-utils: a
// worksheet of ten MATH problems (one with a diagram) shows every
// statement's words, the "Page n of N" footer on each page and KaTeX's own
// fonts embedded, with no formula left untypeset; the answer key holds each
// problem's key, the option text of a multiple-choice key and the reference
// solution (or says the bank has none); a title with markup prints as typed;
// a print that cannot write reports why and leaves no file, and an old file
// is never replaced by a half-written one.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "locked_page.h"
#include "math_markdown.h"
#include "set_printer.h"
#include "zaya/problems/bank.h"

using namespace zaya;
using ui::PrintRequest;
using ui::SetPrinter;

namespace {

// Ten MATH problems with a lot of math (sums, sequences, aligned equations,
// radicals, a piecewise function) and one whose statement is a figure
// (math-test-1338, a grid whose diagram is in the bank as SVG). Integer keys, so the
// answer key's text can be compared as written.
const QStringList kMathIds{
    QStringLiteral("math-test-2628"), QStringLiteral("math-test-2994"), QStringLiteral("math-test-2713"),
    QStringLiteral("math-test-2235"), QStringLiteral("math-test-0479"), QStringLiteral("math-test-2970"),
    QStringLiteral("math-test-1338"), QStringLiteral("math-test-2199"), QStringLiteral("math-test-0037"),
    QStringLiteral("math-test-0874")};

QString run(const QString& program, const QStringList& args, bool* ok = nullptr) {
  QProcess p;
  p.start(program, args);
  const bool done = p.waitForFinished(20000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
  if (ok) *ok = done;
  return QString::fromUtf8(p.readAllStandardOutput());
}

// The text of a PDF with every run of white space as one space.
QString pdfText(const QString& pdf) { return run(QStringLiteral("pdftotext"), {pdf, QStringLiteral("-")}).simplified(); }

int pdfPages(const QString& pdf) {
  static const QRegularExpression pages(QStringLiteral("Pages:\\s+(\\d+)"));
  return pages.match(run(QStringLiteral("pdfinfo"), {pdf})).captured(1).toInt();
}

// Plain words of a statement: outside its formulas and diagrams, letters only.
QStringList plainWords(const problems::Problem& p, int count) {
  const std::string& latex = p.statement_latex;
  QString s;
  std::size_t at = 0;
  for (const auto& span : render::find_math_spans(latex, p.dollar_is_math)) {
    s += QString::fromStdString(latex.substr(at, span.begin - at)) + QLatin1Char(' ');
    at = span.end;
  }
  s += QString::fromStdString(latex.substr(at));
  static const QRegularExpression asy(QStringLiteral("\\[asy\\].*?\\[/asy\\]"), QRegularExpression::DotMatchesEverythingOption);
  s.remove(asy);
  static const QRegularExpression word(QStringLiteral("(?<![\\\\\\w])[A-Za-z]{3,}(?![\\w{])"));
  QStringList words;
  for (auto it = word.globalMatch(s); it.hasNext() && words.size() < count;) words << it.next().captured();
  return words;
}

}  // namespace

class TestSetPrinter : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  std::unique_ptr<problems::ProblemBank> bank_;
  bool poppler_ = false;

  PrintRequest mathSet(PrintRequest::Kind kind) {
    PrintRequest r;
    r.kind = kind;
    r.title = QStringLiteral("Week 3 — sequences and series");
    r.subtitle = QStringLiteral("Due 10 Dec 2026");
    r.instructions = QStringLiteral("Show your working. Write each answer as an integer, e.g. $a_1 + a_2 = 7$.");
    r.pageSize = QPageSize(QPageSize::A4);
    for (const QString& id : kMathIds) r.problems << *bank_->find(id.toStdString());
    return r;
  }

  // Prints and waits; the outcome as finished() said it.
  std::pair<bool, QString> print(SetPrinter& printer, const PrintRequest& r, const QString& path) {
    QSignalSpy done(&printer, &SetPrinter::finished);
    printer.print(r, path);
    if (!done.wait(30000)) return {false, QStringLiteral("no answer from the printer")};
    return {done.first().at(0).toBool(), done.first().at(1).toString()};
  }

  void keep(const QString& pdf) {
    // For the docs' screenshots: ZAYA_PRINT_DIR=... keeps the PDFs made here.
    if (const QString keepDir = qEnvironmentVariable("ZAYA_PRINT_DIR"); !keepDir.isEmpty()) {
      const QString to = QDir(keepDir).filePath(QFileInfo(pdf).fileName());
      QFile::remove(to);
      QFile::copy(pdf, to);
    }
  }

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const auto problemsDir = problems::find_problems_dir({});
    QVERIFY(problemsDir);
    bank_ = std::make_unique<problems::ProblemBank>(problems::ProblemBank::load(*problemsDir));
    for (const QString& id : kMathIds) QVERIFY2(bank_->find(id.toStdString()), qPrintable(id));
    poppler_ = true;
    for (const char* tool : {"pdftotext", "pdffonts", "pdftoppm", "pdfinfo"})
      poppler_ = poppler_ && !QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty();
  }

  void worksheetOfTenMathProblems() {
    if (!poppler_) QSKIP("pdftotext, pdffonts, pdftoppm and pdfinfo are needed: install poppler-utils (tools/setup.sh)");
    const problems::Problem* graph = bank_->find("math-test-1338");
    QVERIFY(!graph->diagrams.empty() && graph->diagrams.front().available());
    SetPrinter printer;
    const QString pdf = dir_.filePath(QStringLiteral("worksheet.pdf"));
    const auto [ok, said] = print(printer, mathSet(PrintRequest::Kind::Worksheet), pdf);
    QVERIFY2(ok, qPrintable(said));
    QCOMPARE(said, pdf);
    keep(pdf);
    QCOMPARE(printer.lastErrorCount(), 0);
    QVERIFY(printer.lastKatexCount() > 40);
    QVERIFY(printer.lastPageCount() >= 2);
    // The page's sheets are the PDF's pages, one for one.
    QCOMPARE(pdfPages(pdf), printer.lastPageCount());

    const QString text = pdfText(pdf);
    QVERIFY2(text.contains(QStringLiteral("Week 3 — sequences and series")), qPrintable(text.left(400)));
    QVERIFY(text.contains(QStringLiteral("Due 10 Dec 2026")));
    QVERIFY(text.contains(QStringLiteral("Show your working.")));
    QVERIFY(text.contains(QStringLiteral("Name:")) && text.contains(QStringLiteral("Date:")));
    for (int n = 1; n <= printer.lastPageCount(); ++n)
      QVERIFY2(text.contains(QStringLiteral("Page %1 of %2").arg(n).arg(printer.lastPageCount())), qPrintable(text.right(300)));
    for (const QString& id : kMathIds) {
      const QStringList words = plainWords(*bank_->find(id.toStdString()), 5);
      QVERIFY2(words.size() >= 2, qPrintable(id));
      for (const QString& w : words) QVERIFY2(text.contains(w), qPrintable(id + QStringLiteral(": ") + w));
    }
    QVERIFY(!text.contains(QStringLiteral("Diagram not available")));
    QVERIFY(!text.contains(QStringLiteral("\\frac")));  // math was typeset, not printed as source

    // KaTeX's own fonts, embedded.
    int katexFonts = 0;
    for (const QString& line : run(QStringLiteral("pdffonts"), {pdf}).split(QLatin1Char('\n'))) {
      if (!line.contains(QStringLiteral("KaTeX"))) continue;
      const QStringList cols = line.simplified().split(QLatin1Char(' '));
      QVERIFY(cols.size() >= 6);
      QCOMPARE(cols.at(cols.size() - 5), QStringLiteral("yes"));  // emb
      ++katexFonts;
    }
    QVERIFY(katexFonts >= 2);

    // Page 1 renders.
    bool rendered = false;
    const QString prefix = dir_.filePath(QStringLiteral("worksheet-page"));
    run(QStringLiteral("pdftoppm"), {QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("60"), QStringLiteral("-f"),
                                     QStringLiteral("1"), QStringLiteral("-l"), QStringLiteral("1"), QStringLiteral("-singlefile"), pdf,
                                     prefix},
        &rendered);
    QVERIFY(rendered);
    const QImage page(prefix + QStringLiteral(".png"));
    QVERIFY(!page.isNull());
    QVERIFY(page.width() > 400 && page.height() > page.width());  // A4 portrait at 60 dpi
    // Nothing of the web page but the paper: no blocked loads.
    QVERIFY2(ui::blockedWebRequests().isEmpty(), qPrintable(ui::blockedWebRequests().join(QLatin1Char(' '))));
  }

  void answerKeyHoldsEveryKey() {
    if (!poppler_) QSKIP("pdftotext is needed: install poppler-utils (tools/setup.sh)");
    PrintRequest r = mathSet(PrintRequest::Kind::AnswerKey);
    // A teacher's own multiple-choice problem without a solution, and a bank problem without one.
    const problems::CustomProblem custom{"How many apples are in $3$ boxes of $4$?", "C",
                                         {{"A", "seven apples"}, {"B", "nine apples"}, {"C", "twelve apples"}, {"D", "fifteen apples"}},
                                         {}, std::nullopt, std::nullopt};
    r.problems << ui::problemFromCustom("custom-1", custom);
    const problems::Problem* unsolved = nullptr;
    for (const auto& p : bank_->problems())
      if (!p.has_solution() && !p.is_multiple_choice()) {
        unsolved = &p;
        break;
      }
    if (unsolved) r.problems << *unsolved;
    SetPrinter printer;
    const QString pdf = dir_.filePath(QStringLiteral("answer-key.pdf"));
    const auto [ok, said] = print(printer, r, pdf);
    QVERIFY2(ok, qPrintable(said));
    keep(pdf);
    QCOMPARE(printer.lastErrorCount(), 0);
    const QString text = pdfText(pdf);
    QVERIFY(text.contains(QStringLiteral("Answer key")));
    QVERIFY(!text.contains(QStringLiteral("Name:")));
    for (const QString& id : kMathIds) {
      const problems::Problem* p = bank_->find(id.toStdString());
      const QString answer = QString::fromStdString(p->answer);
      QVERIFY2(QRegularExpression(QStringLiteral("Answer: %1(?!\\d)").arg(QRegularExpression::escape(answer))).match(text).hasMatch(),
               qPrintable(id + QStringLiteral(" ") + answer));
    }
    QVERIFY(text.contains(QStringLiteral("Answer: C) twelve apples")));
    QVERIFY(text.contains(QStringLiteral("No reference solution in the set")));
    if (unsolved) QVERIFY(text.contains(QStringLiteral("No reference solution in the bank")));
    // The reference solutions are there: words of the first one.
    QVERIFY(text.contains(QStringLiteral("Solution")));
    QVERIFY(text.contains(QStringLiteral("Cauchy-Schwarz")) || text.contains(QStringLiteral("QM-AM")) ||
            text.contains(QStringLiteral("equality")));
    for (int n = 1; n <= printer.lastPageCount(); ++n)
      QVERIFY(text.contains(QStringLiteral("Page %1 of %2").arg(n).arg(printer.lastPageCount())));
  }

  void titleWithMarkupPrintsAsTyped() {
    if (!poppler_) QSKIP("pdftotext is needed: install poppler-utils (tools/setup.sh)");
    PrintRequest r;
    r.title = QStringLiteral("<b>Week 3</b> & <script>");
    r.instructions = QStringLiteral("Read <img src=x onerror=alert(1)> as text & go. A formula KaTeX refuses: $\\nosuchmacro{x}$.");
    r.pageSize = QPageSize(QPageSize::Letter);
    r.problems << *bank_->find("math-test-0001");
    SetPrinter printer;
    const QString pdf = dir_.filePath(QStringLiteral("markup.pdf"));
    const auto [ok, said] = print(printer, r, pdf);
    QVERIFY2(ok, qPrintable(said));
    const QString text = pdfText(pdf);
    QVERIFY2(text.contains(QStringLiteral("<b>Week 3</b> & <script>")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("Read <img src=x onerror=alert(1)> as text & go.")));
    QCOMPARE(printer.lastPageCount(), 1);
    QCOMPARE(printer.lastErrorCount(), 1);  // shown as its source, in red, and counted
    QVERIFY(text.contains(QStringLiteral("\\nosuchmacro{x}")));
    QVERIFY(text.contains(QStringLiteral("Page 1 of 1")));
    QCOMPARE(ui::suggestedPdfName(r), QStringLiteral("_b_Week 3__b_ & _script_ — worksheet.pdf"));
  }

  // A long solution breaks between paragraphs onto the next page; a problem
  // taller than a whole page gets a page of its own, scaled down, not cut.
  void longBlocksFitThePage() {
    if (!poppler_) QSKIP("pdftotext and pdfinfo are needed: install poppler-utils (tools/setup.sh)");
    PrintRequest key;
    key.kind = PrintRequest::Kind::AnswerKey;
    key.title = QStringLiteral("Long solutions");
    key.pageSize = QPageSize(QPageSize::A4);
    for (const char* id : {"math-test-0001", "math-test-3305", "math-test-2444"}) key.problems << *bank_->find(id);
    SetPrinter printer;
    const QString keyPdf = dir_.filePath(QStringLiteral("long-key.pdf"));
    auto [ok, said] = print(printer, key, keyPdf);
    QVERIFY2(ok, qPrintable(said));
    QString text = pdfText(keyPdf);
    keep(keyPdf);
    QVERIFY(text.contains(QStringLiteral("Solution (continued)")));
    QCOMPARE(pdfPages(keyPdf), printer.lastPageCount());

    PrintRequest sheet;
    sheet.title = QStringLiteral("One very long problem");
    sheet.pageSize = QPageSize(QPageSize::A4);
    problems::CustomProblem custom;
    for (int i = 1; i <= 70; ++i) custom.statement_latex += "Paragraph " + std::to_string(i) + " of a long problem, $x_{" + std::to_string(i) + "}$.\n\n";
    custom.statement_latex += "Last words here.";
    sheet.problems << ui::problemFromCustom("custom-long", custom);
    const QString sheetPdf = dir_.filePath(QStringLiteral("long-sheet.pdf"));
    std::tie(ok, said) = print(printer, sheet, sheetPdf);
    QVERIFY2(ok, qPrintable(said));
    QCOMPARE(printer.lastPageCount(), 2);  // the header, then the problem on a page of its own
    keep(sheetPdf);
    QCOMPARE(pdfPages(sheetPdf), 2);
    text = pdfText(sheetPdf);
    QVERIFY(text.contains(QStringLiteral("Paragraph 1 of a long problem")));
    QVERIFY(text.contains(QStringLiteral("Last words here.")));  // scaled, so nothing is cut
    QVERIFY(text.contains(QStringLiteral("Page 2 of 2")));
  }

  void failedPrintLeavesNoFile() {
    PrintRequest r;
    r.title = QStringLiteral("Week 3");
    r.problems << *bank_->find("math-test-0001");
    SetPrinter printer;
    // A folder that cannot exist: its parent is a file.
    const QString blocker = dir_.filePath(QStringLiteral("not-a-folder"));
    {
      QFile f(blocker);
      QVERIFY(f.open(QIODevice::WriteOnly));
    }
    const QString bad = blocker + QStringLiteral("/worksheet.pdf");
    auto [ok, said] = print(printer, r, bad);
    QVERIFY(!ok);
    QVERIFY2(said.contains(QStringLiteral("Cannot write")) && said.contains(QStringLiteral("worksheet.pdf")), qPrintable(said));
    QVERIFY(!QFileInfo::exists(bad));

    // A print that fails after it started (here: out of time) leaves the old file as it was, and nothing beside it.
    QDir folder(dir_.filePath(QStringLiteral("old")));
    QVERIFY(folder.mkpath(QStringLiteral(".")));
    const QString old = folder.filePath(QStringLiteral("week.pdf"));
    {
      QFile f(old);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("the old worksheet");
    }
    printer.setTimeoutMs(1);
    std::tie(ok, said) = print(printer, r, old);
    QVERIFY(!ok);
    QVERIFY2(said.contains(QStringLiteral("took too long")), qPrintable(said));
    QFile f(old);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("the old worksheet"));
    QCOMPARE(folder.entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("week.pdf")});

    // The same printer prints again afterwards.
    printer.setTimeoutMs(60000);
    std::tie(ok, said) = print(printer, r, old);
    QVERIFY2(ok, qPrintable(said));
    f.close();
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().startsWith("%PDF"));
    QCOMPARE(folder.entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("week.pdf")});
  }

  void paperFollowsTheLocale() {
    QCOMPARE(ui::defaultPaperSize(QLocale(QLocale::English, QLocale::UnitedStates)).id(), QPageSize::Letter);
    QCOMPARE(ui::defaultPaperSize(QLocale(QLocale::French, QLocale::Canada)).id(), QPageSize::Letter);
    QCOMPARE(ui::defaultPaperSize(QLocale(QLocale::English, QLocale::UnitedKingdom)).id(), QPageSize::A4);
    QCOMPARE(ui::defaultPaperSize(QLocale(QLocale::German, QLocale::Germany)).id(), QPageSize::A4);
  }
};

QTEST_MAIN(TestSetPrinter)
#include "test_set_printer.moc"
