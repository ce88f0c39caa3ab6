#include "set_printer.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocale>
#include <QPageLayout>
#include <QPointer>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>
#include <QUrl>
#include <QWebChannel>

#include "bridge.h"
#include "locked_page.h"

namespace zaya::ui {

namespace {

// Portrait with 15 mm margins: room for a printer's unprintable edge, and the
// sheets print.js lays out fill exactly what is left.
QPageLayout layoutFor(const PrintRequest& request) {
  const QPageSize size = request.pageSize.isValid() ? request.pageSize : defaultPaperSize(QLocale::system());
  return QPageLayout(size, QPageLayout::Portrait, QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
}

// The printable area in CSS pixels (96 per inch, 72 points per inch).
QSizeF sheetPixels(const QPageLayout& layout) {
  const QRectF points = layout.paintRect(QPageLayout::Point);
  return points.size() * (96.0 / 72.0);
}

}  // namespace

SetPrinter::SetPrinter(QObject* parent) : QObject(parent), timeout_(new QTimer(this)) {
  timeout_->setSingleShot(true);
  connect(timeout_, &QTimer::timeout, this,
          [this] { fail(tr("Printing took too long: the page did not finish typesetting the problems.")); });
}

SetPrinter::~SetPrinter() {
  // An unfinished print leaves no file behind: QSaveFile removes its temporary file.
  if (out_) out_->cancelWriting();
}

void SetPrinter::ensurePage() {
  if (page_) return;
  bridge_ = new Bridge(this);
  page_ = new LockedPage(QStringLiteral("/web/print.html"), this);
  auto* channel = new QWebChannel(page_);
  channel->registerObject(QStringLiteral("bridge"), bridge_);
  page_->setWebChannel(channel);
  connect(bridge_, &Bridge::pageBecameReady, this, [this] {
    if (busy_) pushDocument();
  });
  connect(bridge_, &Bridge::printDocumentLaidOut, this, &SetPrinter::onLaidOut);
  connect(page_, &QWebEnginePage::renderProcessTerminated, this, [this](QWebEnginePage::RenderProcessTerminationStatus, int code) {
    // The page is gone: the next print starts a new one.
    page_->deleteLater();
    bridge_->deleteLater();
    page_ = nullptr;
    bridge_ = nullptr;
    fail(tr("The print page stopped unexpectedly (exit code %1); nothing was written.").arg(code));
  });
  connect(page_, &QWebEnginePage::loadFinished, this, [this](bool ok) {
    if (!ok) fail(tr("The print page could not be loaded; nothing was written."));
  });
  page_->load(QUrl(QStringLiteral("qrc:///web/print.html")));
}

void SetPrinter::print(const PrintRequest& request, const QString& pdfPath) {
  if (busy_) {
    QMetaObject::invokeMethod(
        this, [this] { emit finished(false, tr("Another print is still running; try again when it has finished.")); },
        Qt::QueuedConnection);
    return;
  }
  busy_ = true;
  request_ = request;
  path_ = pdfPath;
  lastErrors_ = lastKatex_ = lastPages_ = -1;
  if (request.problems.isEmpty()) return fail(tr("There are no problems to print."));
  if (pdfPath.isEmpty()) return fail(tr("No file name was given for the PDF."));
  // Opened now, so that a folder we cannot write to is reported before any
  // typesetting; the bytes go to a temporary file beside the target, renamed
  // over it only by commit().
  out_ = std::make_unique<QSaveFile>(pdfPath);
  out_->setDirectWriteFallback(false);
  if (!out_->open(QIODevice::WriteOnly))
    return fail(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(pdfPath), out_->errorString()));
  timeout_->start(timeoutMs_);
  ensurePage();
  if (bridge_->isPageReady()) pushDocument();
}

void SetPrinter::pushDocument() {
  const QJsonObject doc = printDocument(request_, sheetPixels(layoutFor(request_)), ++generation_);
  emit bridge_->showPrintDocument(QString::fromUtf8(QJsonDocument(doc).toJson(QJsonDocument::Compact)));
}

void SetPrinter::onLaidOut(int generation, int katexCount, int errorCount, int pageCount) {
  if (!busy_) return;
  if (generation == -1) return fail(tr("The problems could not be laid out in pages; nothing was written."));
  if (generation != generation_) return;  // a print that timed out finished late
  lastKatex_ = katexCount;
  lastErrors_ = errorCount;
  lastPages_ = pageCount;
  if (pageCount <= 0) return fail(tr("The problems could not be laid out in pages; nothing was written."));
  QPointer<SetPrinter> self(this);
  const int printing = generation_;
  page_->printToPdf(
      [self, printing](const QByteArray& pdf) {
        if (self && self->busy_ && printing == self->generation_) self->onPdf(pdf);
      },
      layoutFor(request_));
}

void SetPrinter::onPdf(const QByteArray& pdf) {
  if (pdf.isEmpty()) return fail(tr("The PDF could not be made; nothing was written."));
  if (out_->write(pdf) != pdf.size() || !out_->commit()) {
    const QString why = out_->errorString();
    return fail(tr("Cannot write %1: %2. Nothing was written; a file already there is as it was.")
                    .arg(QDir::toNativeSeparators(path_), why));
  }
  out_.reset();
  succeed();
}

void SetPrinter::fail(const QString& message) {
  if (!busy_) return;
  busy_ = false;
  timeout_->stop();
  if (out_) out_->cancelWriting();
  out_.reset();
  // Queued: a caller that connects to finished() after print() returns still hears it.
  QMetaObject::invokeMethod(this, [this, message] { emit finished(false, message); }, Qt::QueuedConnection);
}

void SetPrinter::succeed() {
  busy_ = false;
  timeout_->stop();
  emit finished(true, path_);
}

// --- the screens' helper ------------------------------------------------------

bool printSetTo(QObject* parent, const PrintRequest& request, const QString& pdfPath,
                const std::function<void(const QString& text, bool isError)>& report) {
  auto* printer = new SetPrinter(parent);
  const bool key = request.kind == PrintRequest::Kind::AnswerKey;
  const QString shown = QDir::toNativeSeparators(pdfPath);
  QObject::connect(printer, &SetPrinter::finished, printer, [printer, key, shown, report](bool ok, const QString& text) {
    if (report) {
      if (!ok) {
        report(text, true);
      } else {
        QString done = (key ? SetPrinter::tr("Answer key written to %1 (%n page(s)).", nullptr, printer->lastPageCount())
                            : SetPrinter::tr("Worksheet written to %1 (%n page(s)).", nullptr, printer->lastPageCount()))
                           .arg(shown);
        if (printer->lastErrorCount() > 0)
          done += QLatin1Char(' ') + SetPrinter::tr("%n formula(s) could not be typeset and show as TeX source.", nullptr,
                                                    printer->lastErrorCount());
        report(done, false);
      }
    }
    printer->deleteLater();
  });
  printer->print(request, pdfPath);
  return printer->isBusy();
}

void printSetWithDialog(QWidget* parent, const PrintRequest& request,
                        const std::function<void(const QString& text, bool isError)>& report) {
  static QString lastFolder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  const bool key = request.kind == PrintRequest::Kind::AnswerKey;
  const QString file = QFileDialog::getSaveFileName(
      parent, key ? SetPrinter::tr("Print answer key to PDF") : SetPrinter::tr("Print worksheet to PDF"),
      QDir(lastFolder).filePath(suggestedPdfName(request)), SetPrinter::tr("PDF files (*.pdf)"));
  if (file.isEmpty()) return;
  lastFolder = QFileInfo(file).absolutePath();
  printSetTo(parent, request, file.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive) ? file : file + QStringLiteral(".pdf"),
             report);
}

}  // namespace zaya::ui
