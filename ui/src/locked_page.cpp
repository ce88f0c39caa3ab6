#include "locked_page.h"

#include <QMutex>
#include <QWebEngineProfile>
#include <QWebEngineSettings>
#include <QWebEngineUrlRequestInterceptor>

namespace zaya::ui {
namespace {

// Blocks every request that is not for the app's own resources (qrc:) or an
// inline data: image, and remembers it.
class ResourceOnlyInterceptor : public QWebEngineUrlRequestInterceptor {
 public:
  void interceptRequest(QWebEngineUrlRequestInfo& info) override {
    const QString scheme = info.requestUrl().scheme();
    if (scheme == QLatin1String("qrc") || scheme == QLatin1String("data")) return;
    info.block(true);
    QMutexLocker lock(&mutex);
    blocked << info.requestUrl().toString();
  }
  QMutex mutex;
  QStringList blocked;
};

ResourceOnlyInterceptor& interceptor() {
  static auto* instance = [] {
    auto* i = new ResourceOnlyInterceptor;
    QWebEngineProfile::defaultProfile()->setUrlRequestInterceptor(i);
    return i;
  }();
  return *instance;
}

}  // namespace

LockedPage::LockedPage(const QString& allowedPath, QObject* parent)
    : QWebEnginePage(parent), allowedPath_(allowedPath) {
  lockDown(this);
}

// Refuses every navigation except the page's own document, so a link in a
// problem or in model output can never take the page anywhere.
bool LockedPage::acceptNavigationRequest(const QUrl& url, NavigationType, bool isMainFrame) {
  return isMainFrame && url.scheme() == QLatin1String("qrc") && url.path() == allowedPath_;
}

void lockDown(QWebEnginePage* page) {
  interceptor();
  auto* s = page->settings();
  s->setAttribute(QWebEngineSettings::LocalContentCanAccessRemoteUrls, false);
  s->setAttribute(QWebEngineSettings::LocalContentCanAccessFileUrls, false);
  s->setAttribute(QWebEngineSettings::JavascriptCanOpenWindows, false);
  s->setAttribute(QWebEngineSettings::JavascriptCanAccessClipboard, false);
  s->setAttribute(QWebEngineSettings::AutoLoadImages, true);
}

QStringList blockedWebRequests() {
  QMutexLocker lock(&interceptor().mutex);
  return interceptor().blocked;
}

}  // namespace zaya::ui
