// Exceptions thrown by the engine. Every message names the file and, where
// there is one, the tensor or field at fault.
#pragma once

#include <stdexcept>
#include <string>

namespace zaya {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A checkpoint file or directory that cannot be used: unreadable, malformed
// safetensors, bad index json, missing / unexpected / mis-shaped tensors.
class LoadError : public Error {
 public:
  using Error::Error;
};

// config.json malformed, a field missing, of the wrong type or out of range.
class ConfigError : public LoadError {
 public:
  using LoadError::LoadError;
};

// An operation stopped because its cancel flag was raised. The object it ran
// on is left as it was before the call.
class Cancelled : public Error {
 public:
  Cancelled() : Error("cancelled") {}
};

// Feeding more tokens than the session's context limit allows.
class ContextFullError : public Error {
 public:
  using Error::Error;
};

}  // namespace zaya
