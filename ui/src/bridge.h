// The only way in or out of a web view: a QWebChannel object named "bridge".
// In: showDocument(json), showPreview(html). Out: pageReady() once the page has connected, and
// rendered(generation, katexCount, errorCount) after each document is on
// screen, echoing the document's generation number; askAboutStep(step) when a
// step's "Ask about this step" is pressed. The print page (print.js) takes
// showPrintDocument(json) and answers printLaidOut(generation, katexCount,
// errorCount, pageCount) once every formula, image and page is in place.
#pragma once

#include <QObject>
#include <QString>

namespace zaya::ui {

class Bridge : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;
  bool isPageReady() const { return pageReady_; }

 signals:
  // To the page: a JSON document {theme, fontScale, title, meta, preview,
  // sections:[{heading, kind, html}]}; section HTML comes from the app's
  // markdown renderer (render/math_markdown.h), never from raw input.
  void showDocument(const QString& json);
  // To the page: HTML for the answer preview box (renderer output).
  void showPreview(const QString& html);
  // To the page: "light" or "dark".
  void themeChanged(const QString& theme);
  // To the page: one update of the solution view (see resources/web/solution.js).
  void solutionUpdate(const QString& json);
  void solutionDrawn(int generation);
  void heatmapReported(int step, const QString& json);
  void stateReported(const QString& json);
  // To the page: report what the preview box shows (answered by reportPreview).
  void previewQueried();
  // To the print page: a worksheet or answer key to lay out in pages (set_printer.cpp).
  void showPrintDocument(const QString& json);
  // To the app.
  void pageBecameReady();
  // The student pressed a step's "Ask about this step" (1-based).
  void stepQuestionRequested(int step);
  void previewReported(const QString& json);
  void documentRendered(int generation, int katexCount, int errorCount);
  void printDocumentLaidOut(int generation, int katexCount, int errorCount, int pageCount);

 public slots:
  // Called by the page.
  void pageReady();
  void rendered(int generation, int katexCount, int errorCount);
  void solutionRendered(int generation) { emit solutionDrawn(generation); }
  // The counts the page drew for a step's heatmap, [layers][experts + 1].
  void reportHeatmap(int step, const QString& json) { emit heatmapReported(step, json); }
  // What the solution page shows (step count, thinking collapsed, badge...).
  void reportState(const QString& json) { emit stateReported(json); }
  void askAboutStep(int step) { emit stepQuestionRequested(step); }
  // What the preview box shows (its lines, the marked ones, the note under them).
  void reportPreview(const QString& json) { emit previewReported(json); }
  // The print page is typeset and paginated, ready for printToPdf.
  void printLaidOut(int generation, int katexCount, int errorCount, int pageCount) {
    emit printDocumentLaidOut(generation, katexCount, errorCount, pageCount);
  }

 private:
  bool pageReady_ = false;
};

}  // namespace zaya::ui
