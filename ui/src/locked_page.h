// The lock every web page of the app is under: a page that may show only its
// own qrc: document (no navigation, no new windows), and one profile-wide
// request interceptor that lets through qrc: and data: loads and blocks
// everything else. DocumentView and the print page (SetPrinter) share both.
#pragma once

#include <QStringList>
#include <QWebEnginePage>

namespace zaya::ui {

class LockedPage : public QWebEnginePage {
 public:
  // `allowedPath`: the one qrc: document the page may show ("/web/page.html").
  LockedPage(const QString& allowedPath, QObject* parent);

 protected:
  bool acceptNavigationRequest(const QUrl& url, NavigationType, bool isMainFrame) override;
  QWebEnginePage* createWindow(WebWindowType) override { return nullptr; }

 private:
  QString allowedPath_;
};

// Installs the interceptor on the default profile (once) and sets the
// page's settings that keep local content local.
void lockDown(QWebEnginePage* page);

// Requests any page tried to make outside the app's resources (all of them
// were blocked).
QStringList blockedWebRequests();

}  // namespace zaya::ui
