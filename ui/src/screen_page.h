// The frame every full-window screen shares (progress, model manager, expert
// profiles, settings): a borderless scroll area over one page with the same
// margins, and headings in one style.
#pragma once

class QLabel;
class QString;
class QVBoxLayout;
class QWidget;

namespace zaya::ui {

// Fills `screen` with a scroll area and returns the layout of the page inside
// it (margins 24 × 16); the page itself is layout->parentWidget().
// spacing < 0 keeps the style's default.
QVBoxLayout* addScrollingPage(QWidget* screen, int spacing = -1);

// A bold heading 15 % larger than the body text.
QLabel* screenHeading(const QString& text, QWidget* parent);

// Keeps `widget`'s font `scale` times the application's font (bold if asked),
// now and after every change of the application font. A font set once with
// setFont() would keep its size when Settings changes the font size, so a
// heading built at 10 pt would stay 11.5 pt beside 16 pt body text.
void keepRelativeFont(QWidget* widget, double scale, bool bold);

}  // namespace zaya::ui
