// A web view that renders documents (problem statements, solutions) with
// KaTeX from the app's resources. Content goes in only through the bridge;
// the page may not navigate, open windows or load anything remote.
#pragma once

#include <QJsonObject>
#include <QWebEngineView>

namespace zaya::ui {

class Bridge;

class DocumentView : public QWebEngineView {
  Q_OBJECT
 public:
  explicit DocumentView(QWidget* parent = nullptr);

  // Shows a document; if the page is still loading it is shown once ready.
  void setDocument(const QJsonObject& document);
  void setTheme(const QString& theme);  // "light" | "dark"
  // Replaces the answer preview box of the current document (documents with
  // "preview": true) without re-rendering the rest.
  void setPreviewHtml(const QString& html);
  // Asks the page what its preview box shows; answered by previewReported().
  void queryPreview();
  Bridge* bridge() const { return bridge_; }
  int lastKatexCount() const { return lastKatex_; }
  // Requests any web view tried to make outside the app's resources (all of
  // them were blocked). Tests read it to prove nothing was fetched.
  static QStringList blockedRequests();
  int lastErrorCount() const { return lastErrors_; }

 signals:
  void rendered(int katexCount, int errorCount);
  // {shown, text, lines, marked: [line numbers], note, katex}
  void previewReported(const QJsonObject& preview);

 private:
  void push();
  Bridge* bridge_;
  QJsonObject document_;
  QString theme_ = QStringLiteral("light");
  int generation_ = 0;  // bumped per document sent; stale "rendered" answers are ignored
  int lastKatex_ = -1;
  int lastErrors_ = -1;
};

}  // namespace zaya::ui
