#include "theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>

namespace zaya::ui {

bool isValidTheme(const QString& name) { return name == QLatin1String("light") || name == QLatin1String("dark"); }

void applyTheme(QApplication& app, const QString& name) {
  app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  QPalette p;
  if (name == QLatin1String("dark")) {
    const QColor window(0x23, 0x28, 0x2e), base(0x1b, 0x1f, 0x24), text(0xe6, 0xe9, 0xee);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x6f, 0xb5));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0xa4, 0xb1));
    p.setColor(QPalette::Link, QColor(0x7f, 0xb0, 0xf0));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x6b, 0x74, 0x80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x6b, 0x74, 0x80));
    // Disabled fields take the window's colour, as in the light theme, so they
    // do not look ready for typing; their placeholder dims with them.
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    p.setColor(QPalette::Disabled, QPalette::PlaceholderText, QColor(0x5c, 0x64, 0x6f));
  } else {
    p = app.style()->standardPalette();
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x5d, 0x9a));
    p.setColor(QPalette::Link, QColor(0x2f, 0x5d, 0x9a));
  }
  app.setPalette(p);
}

}  // namespace zaya::ui
