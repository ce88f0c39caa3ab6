#include "screen_page.h"

#include <QApplication>
#include <QEvent>
#include <QFrame>
#include <QLabel>
#include <QList>
#include <QPointer>
#include <QScrollArea>
#include <QVBoxLayout>

namespace zaya::ui {

QVBoxLayout* addScrollingPage(QWidget* screen, int spacing) {
  auto* outer = new QVBoxLayout(screen);
  outer->setContentsMargins(0, 0, 0, 0);
  auto* scroll = new QScrollArea(screen);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  outer->addWidget(scroll);
  auto* page = new QWidget(scroll);
  scroll->setWidget(page);
  auto* layout = new QVBoxLayout(page);
  layout->setContentsMargins(24, 16, 24, 16);
  if (spacing >= 0) layout->setSpacing(spacing);
  return layout;
}

namespace {

// One per application. Qt posts ApplicationFontChange to the application
// itself and to top-level windows; children only inherit their parent's new
// font, which a widget with a size of its own ignores. So this watches the
// application and rescales every widget registered with keepRelativeFont().
class RelativeFonts : public QObject {
 public:
  static void add(QWidget* widget, double scale, bool bold) {
    static QPointer<RelativeFonts> instance;
    if (!instance) {
      instance = new RelativeFonts(QCoreApplication::instance());
      QCoreApplication::instance()->installEventFilter(instance);
    }
    instance->entries_.append({widget, scale, bold});
    apply(instance->entries_.back());
  }

  bool eventFilter(QObject* watched, QEvent* event) override {
    if (watched == QCoreApplication::instance() && event->type() == QEvent::ApplicationFontChange) {
      entries_.removeIf([](const Entry& e) { return e.widget.isNull(); });
      for (const Entry& e : entries_) apply(e);
    }
    return false;
  }

 private:
  struct Entry {
    QPointer<QWidget> widget;
    double scale;
    bool bold;
  };

  using QObject::QObject;

  static void apply(const Entry& e) {
    QFont f = QApplication::font(e.widget);
    f.setBold(e.bold);
    if (f.pointSizeF() > 0) f.setPointSizeF(f.pointSizeF() * e.scale);
    else if (f.pixelSize() > 0) f.setPixelSize(qRound(f.pixelSize() * e.scale));
    e.widget->setFont(f);
  }

  QList<Entry> entries_;
};

}  // namespace

void keepRelativeFont(QWidget* widget, double scale, bool bold) { RelativeFonts::add(widget, scale, bold); }

QLabel* screenHeading(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  keepRelativeFont(l, 1.15, true);
  return l;
}

}  // namespace zaya::ui
