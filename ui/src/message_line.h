// The line under a screen's title that says what the last action did, and
// the one way a screen runs a service call: an app::AppError it throws is
// caught and its message shown, instead of each screen keeping its own copy
// of the same try/catch (or the exception escaping into Qt's event loop).
//
// Always plain text: the messages quote class, student and set names as the
// teacher typed them, and a name such as "<img src=…>" must show as typed.
#pragma once

#include <QLabel>
#include <QString>

#include <type_traits>
#include <utility>

#include "app_error.h"

namespace zaya::ui {

// Runs `call`; when it throws an app::AppError, hands its message to
// `onError` and returns false. Otherwise returns what `call` returned when
// that is a bool (its own verdict), true when it returns nothing.
template <class Call, class OnError>
bool reportErrors(Call&& call, OnError&& onError) {
  try {
    if constexpr (std::is_same_v<std::invoke_result_t<Call>, bool>) {
      return std::forward<Call>(call)();
    } else {
      std::forward<Call>(call)();
      return true;
    }
  } catch (const app::AppError& e) {
    std::forward<OnError>(onError)(e.message());
    return false;
  }
}

class MessageLine : public QLabel {
 public:
  explicit MessageLine(QWidget* parent = nullptr);

  // What an action did, in the normal text colour; an empty text clears the line.
  void showInfo(const QString& text);
  // What went wrong, in red.
  void showError(const QString& text);
  void showMessage(const QString& text, bool isError) { isError ? showError(text) : showInfo(text); }

  // reportErrors() with the error shown on this line.
  template <class Call>
  bool run(Call&& call) {
    return reportErrors(std::forward<Call>(call), [this](const QString& message) { showError(message); });
  }
};

}  // namespace zaya::ui
