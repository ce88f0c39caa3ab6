// Walking a tool's command line: each flag, its value, positive numbers.
// Anything malformed goes to the tool's usage(), which prints and exits.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace zaya {

class CliArgs {
 public:
  using Usage = void (*)(const char* why);  // must not return

  CliArgs(int argc, char** argv, Usage usage) : argc_(argc), argv_(argv), usage_(usage) {}

  // Moves to the next flag; false after the last one.
  bool next() {
    if (++i_ >= argc_) return false;
    flag_ = argv_[i_];
    return true;
  }
  const std::string& flag() const { return flag_; }

  // The current flag's value (the following argument).
  std::string value() {
    if (i_ + 1 >= argc_) fail(flag_ + " needs a value");
    return argv_[++i_];
  }

  // The current flag's value as a number >= 1.
  std::int64_t positive() {
    const std::string v = value();
    try {
      std::size_t used = 0;
      const long long n = std::stoll(v, &used);
      if (n >= 1 && used == v.size()) return n;
    } catch (const std::exception&) {
    }
    fail(flag_ + " needs a positive number, got '" + v + "'");
  }

 private:
  [[noreturn]] void fail(const std::string& why) {
    usage_(why.c_str());
    throw std::logic_error(why);  // usage() returned: not reached in the tools
  }

  int argc_;
  char** argv_;
  Usage usage_;
  int i_ = 0;
  std::string flag_;
};

}  // namespace zaya
