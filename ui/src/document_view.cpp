#include "document_view.h"

#include <QJsonDocument>
#include <QWebChannel>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineSettings>
#include <QWebEngineUrlRequestInterceptor>
#include <QMutex>

#include "bridge.h"

namespace zaya::ui {
namespace {

// Refuses every navigation except the app's own page, so a link in a problem
// or in model output can never take the view anywhere.
class LockedPage : public QWebEnginePage {
 public:
  using QWebEnginePage::QWebEnginePage;

 protected:
  bool acceptNavigationRequest(const QUrl& url, NavigationType, bool isMainFrame) override {
    return isMainFrame && url.scheme() == QLatin1String("qrc") && url.path() == QLatin1String("/web/page.html");
  }
  QWebEnginePage* createWindow(WebWindowType) override { return nullptr; }
};

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

QStringList DocumentView::blockedRequests() {
  QMutexLocker lock(&interceptor().mutex);
  return interceptor().blocked;
}

DocumentView::DocumentView(QWidget* parent) : QWebEngineView(parent), bridge_(new Bridge(this)) {
  interceptor();
  auto* page = new LockedPage(this);
  auto* s = page->settings();
  s->setAttribute(QWebEngineSettings::LocalContentCanAccessRemoteUrls, false);
  s->setAttribute(QWebEngineSettings::LocalContentCanAccessFileUrls, false);
  s->setAttribute(QWebEngineSettings::JavascriptCanOpenWindows, false);
  s->setAttribute(QWebEngineSettings::JavascriptCanAccessClipboard, false);
  s->setAttribute(QWebEngineSettings::AutoLoadImages, true);
  auto* channel = new QWebChannel(page);
  channel->registerObject(QStringLiteral("bridge"), bridge_);
  page->setWebChannel(channel);
  setPage(page);
  setContextMenuPolicy(Qt::NoContextMenu);
  connect(bridge_, &Bridge::pageBecameReady, this, [this] {
    emit bridge_->themeChanged(theme_);
    push();
  });
  connect(bridge_, &Bridge::documentRendered, this, [this](int generation, int k, int e) {
    if (generation != generation_) return;  // an older document finished after a newer one was sent
    lastKatex_ = k;
    lastErrors_ = e;
    emit rendered(k, e);
  });
  connect(bridge_, &Bridge::previewReported, this, [this](const QString& json) {
    emit previewReported(QJsonDocument::fromJson(json.toUtf8()).object());
  });
  load(QUrl(QStringLiteral("qrc:///web/page.html")));
}

void DocumentView::setDocument(const QJsonObject& document) {
  document_ = document;
  push();
}

void DocumentView::setTheme(const QString& theme) {
  theme_ = theme;
  page()->setBackgroundColor(theme == QLatin1String("dark") ? QColor(0x1b, 0x1f, 0x24) : QColor(Qt::white));
  if (bridge_->isPageReady()) emit bridge_->themeChanged(theme);
  push();
}

void DocumentView::setPreviewHtml(const QString& html) {
  if (bridge_->isPageReady()) emit bridge_->showPreview(html);
}

void DocumentView::queryPreview() {
  if (bridge_->isPageReady()) emit bridge_->previewQueried();
}

void DocumentView::push() {
  if (!bridge_->isPageReady() || document_.isEmpty()) return;
  QJsonObject doc = document_;
  doc.insert(QStringLiteral("theme"), theme_);
  doc.insert(QStringLiteral("generation"), ++generation_);
  emit bridge_->showDocument(QString::fromUtf8(QJsonDocument(doc).toJson(QJsonDocument::Compact)));
}

}  // namespace zaya::ui
