// What TeacherView hands each of its panels: the app's services, the
// screen's one message line, and whether teacher mode is open right now.
// Panels ask isUnlocked() before every action, not only when they are shown:
// a queued click or a caller outside the screen can still reach an action
// after the screen has locked.
#pragma once

#include <functional>

namespace zaya::ui {

class AppContext;
class MessageLine;

struct TeacherServices {
  AppContext* context = nullptr;
  MessageLine* messages = nullptr;
  std::function<bool()> isUnlocked;
};

}  // namespace zaya::ui
