#include "document_view.h"

#include <QJsonDocument>
#include <QWebChannel>

#include "bridge.h"
#include "locked_page.h"

namespace zaya::ui {

QStringList DocumentView::blockedRequests() { return blockedWebRequests(); }

DocumentView::DocumentView(QWidget* parent) : QWebEngineView(parent), bridge_(new Bridge(this)) {
  auto* page = new LockedPage(QStringLiteral("/web/page.html"), this);
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
