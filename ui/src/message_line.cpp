#include "message_line.h"

namespace zaya::ui {

MessageLine::MessageLine(QWidget* parent) : QLabel(parent) {
  setWordWrap(true);
  setTextFormat(Qt::PlainText);
}

void MessageLine::showInfo(const QString& text) {
  setText(text);
  setStyleSheet(QString());
}

void MessageLine::showError(const QString& text) {
  setText(text);
  setStyleSheet(QStringLiteral("color: #c62828;"));
}

}  // namespace zaya::ui
