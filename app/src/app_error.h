// The one error type the app services throw. Every message is a sentence a
// user can act on and names the file, field or server at fault.
#pragma once

#include <QString>

#include <stdexcept>

namespace zaya::app {

class AppError : public std::runtime_error {
 public:
  enum class Kind {
    DiskFull,          // no space left (or a file-size limit): nothing was written
    ReadOnly,          // the data folder or database file cannot be written
    Corrupt,           // the database file is damaged or not a ZAYA Tutor database
    Storage,           // any other database failure
    PermissionDenied,  // the signed-in profile may not do this (role checks)
    InvalidInput,      // a file or value failed validation; nothing was written
    NotFound,          // no such profile / class / set / problem
    Network,           // connection refused, timeout, bad HTTP status, malformed stream
    Unauthorized,      // a server refused the API key (HTTP 401/403)
    Cancelled,         // the user stopped the operation
  };

  AppError(Kind kind, const QString& message) : std::runtime_error(message.toStdString()), kind_(kind), message_(message) {}

  Kind kind() const { return kind_; }
  const QString& message() const { return message_; }

 private:
  Kind kind_;
  QString message_;
};

// "disk-full", "read-only", ... (stable names for logs and tests).
QString kindName(AppError::Kind kind);

}  // namespace zaya::app
