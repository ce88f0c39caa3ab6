#include "screen_page.h"

#include <QFrame>
#include <QLabel>
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

QLabel* screenHeading(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  QFont f = l->font();
  f.setBold(true);
  f.setPointSizeF(f.pointSizeF() * 1.15);
  l->setFont(f);
  return l;
}

}  // namespace zaya::ui
