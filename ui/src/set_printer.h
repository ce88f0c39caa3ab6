// Prints a problem set to PDF: a worksheet (header with the title, "Name"
// and "Date" lines, the problems numbered in order with their diagrams and
// room to work under each) or an answer key (each problem's number, a short
// statement, the key and the bank's reference solution). Math is typeset by
// KaTeX in a locked web page (resources/web/print.html, no loads but qrc: and
// data:) and paginated there; every page says "Page n of N".
//
// What to print is a PrintRequest (print_request.h): worksheet or answer
// key, title, subtitle, instructions and the problems in order;
// printRequestForSet() makes one from a stored set. Use from any screen:
//   auto* printer = new SetPrinter(this);
//   connect(printer, &SetPrinter::finished, this, [printer](bool ok, const QString& pathOrMessage) {
//     ...; printer->deleteLater();
//   });
//   printer->print(request, QStringLiteral("/home/me/Week 3 — worksheet.pdf"));
// or, with a file dialog and the outcome shown on a message line:
//   printSetWithDialog(this, request, [line](const QString& text, bool isError) { line->showMessage(text, isError); });
//
// The PDF is written to a temporary file beside the target and renamed over
// it only when complete: a failed print (folder not writable, disk full, the
// page not rendering) leaves any old file as it was and reports why.
#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

#include "print_request.h"

class QSaveFile;
class QTimer;
class QWidget;

namespace zaya::ui {

class Bridge;
class LockedPage;

class SetPrinter : public QObject {
  Q_OBJECT
 public:
  explicit SetPrinter(QObject* parent = nullptr);
  ~SetPrinter() override;

  // Starts printing; finished() follows (also on failure, never an
  // exception). One print at a time: a second call while one runs reports
  // failure at once and leaves the running one alone.
  void print(const PrintRequest& request, const QString& pdfPath);
  bool isBusy() const { return busy_; }

  // Of the last print: formulas typeset, formulas KaTeX could not typeset
  // (shown as red source text) and the pages of the PDF; -1 when it did not
  // get as far as laying out its pages.
  int lastErrorCount() const { return lastErrors_; }
  int lastKatexCount() const { return lastKatex_; }
  int lastPageCount() const { return lastPages_; }

  // How long the page may take to typeset and lay out before the print fails.
  void setTimeoutMs(int ms) { timeoutMs_ = ms; }

 signals:
  // ok: the PDF's path; else a message saying what went wrong, for the user.
  void finished(bool ok, const QString& pathOrMessage);

 private:
  void ensurePage();
  void pushDocument();
  void onLaidOut(int generation, int katexCount, int errorCount, int pageCount);
  void onPdf(const QByteArray& pdf);
  void fail(const QString& message);
  void succeed();

  LockedPage* page_ = nullptr;
  Bridge* bridge_ = nullptr;
  QTimer* timeout_ = nullptr;
  std::unique_ptr<QSaveFile> out_;
  PrintRequest request_;
  QString path_;
  bool busy_ = false;
  int generation_ = 0;
  int timeoutMs_ = 60000;
  int lastErrors_ = -1;
  int lastKatex_ = -1;
  int lastPages_ = -1;
};

// Asks for the PDF's file name (suggestedPdfName() in the last folder used),
// prints, and hands the outcome to `report` (text, isError). The printer
// lives until it has finished, as a child of `parent`.
void printSetWithDialog(QWidget* parent, const PrintRequest& request,
                        const std::function<void(const QString& text, bool isError)>& report);
// The same without the dialog (what the dialog leads to; tests call it).
// False when the print could not start (`report` is then told why, once control returns to the event loop).
bool printSetTo(QObject* parent, const PrintRequest& request, const QString& pdfPath,
                const std::function<void(const QString& text, bool isError)>& report);

}  // namespace zaya::ui
