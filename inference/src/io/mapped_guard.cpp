#include "zaya/mapped_guard.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "io/mapped_regions.h"

namespace zaya {

namespace {

std::atomic<const char*> g_message{nullptr};
std::atomic<int> g_exit_code{1};

void write_all(const char* s) {
  std::size_t n = std::strlen(s);
  while (n > 0) {
    const ssize_t k = ::write(STDERR_FILENO, s, n);
    if (k <= 0) return;
    s += k;
    n -= static_cast<std::size_t>(k);
  }
}

void on_sigbus(int sig, siginfo_t* info, void*) {
  // Only a fault from a page access (si_code > 0) inside a model mapping;
  // a SIGBUS sent with kill() or from elsewhere keeps its default meaning.
  const char* path = info && info->si_code > 0 ? mapped_region_containing(info->si_addr) : nullptr;
  if (!path) {
    ::signal(sig, SIG_DFL);  // returning re-runs the access, which now ends the process as before
    return;
  }
  write_all(g_message.load());
  write_all(" (");
  write_all(path);
  write_all(" was truncated or replaced; load the model again)\n");
  ::_exit(g_exit_code.load());
}

}  // namespace

void install_mapped_file_guard(const char* message, int exit_code) {
  g_message.store(message);
  g_exit_code.store(exit_code);
  struct sigaction sa {};
  sa.sa_sigaction = on_sigbus;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGBUS, &sa, nullptr);
}

}  // namespace zaya
