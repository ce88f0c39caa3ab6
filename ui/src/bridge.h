// The only way in or out of a web view: a QWebChannel object named "bridge".
// In: showDocument(json). Out: pageReady() once the page has connected, and
// rendered(katexCount, errorCount) after each document is on screen.
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
  // To the page: a JSON document {theme, title, meta, sections:[{heading, text, dollarIsMath}]}.
  void showDocument(const QString& json);
  // To the app.
  void pageBecameReady();
  void documentRendered(int katexCount, int errorCount);

 public slots:
  // Called by the page.
  void pageReady();
  void rendered(int katexCount, int errorCount);

 private:
  bool pageReady_ = false;
};

}  // namespace zaya::ui
