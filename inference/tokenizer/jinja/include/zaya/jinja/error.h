// The one error type of the template engine: every parse and render failure
// names the template's line and column, so a broken checkpoint template can be
// reported to the user in a form they can act on.
#pragma once

#include <stdexcept>
#include <string>

namespace zaya::jinja {

struct SourcePos {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in bytes
};

class TemplateError : public std::runtime_error {
 public:
  TemplateError(const std::string& message, SourcePos pos)
      : std::runtime_error("line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " +
                           message),
        message_(message),
        pos_(pos) {}
  const std::string& message() const { return message_; }
  SourcePos pos() const { return pos_; }

 private:
  std::string message_;
  SourcePos pos_;
};

}  // namespace zaya::jinja
