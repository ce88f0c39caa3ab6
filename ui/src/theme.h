// Light and dark themes managed by the app (Qt 6.4 cannot follow the
// system's colour scheme): the widget palette and the page CSS change together.
#pragma once

#include <QString>

class QApplication;

namespace zaya::ui {

bool isValidTheme(const QString& name);  // "light" | "dark"
void applyTheme(QApplication& app, const QString& name);

}  // namespace zaya::ui
