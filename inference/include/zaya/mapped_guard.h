// What happens when a model file is truncated or rewritten while it is mapped.
//
// The engine reads weights straight from a memory map of the checkpoint or
// pack. If another program truncates that file, the next read of a page past
// the new end raises SIGBUS, which by default kills the process without a
// word. install_mapped_file_guard() turns that into a message and an exit:
// a SIGBUS whose faulting address lies in one of the engine's mapped model
// files writes `message` (and the file's path) to stderr and calls
// _exit(exit_code) — from whichever thread touched the page (the CPU
// backend's worker threads read weights too, so unwinding to the caller with
// siglongjmp is not possible). Nothing else is cleaned up: a program that
// must save state first has to check the file itself before it reads (the
// app compares the file's size and time before each generation). Any other
// SIGBUS gets the default action.
//
// Meant for programs (zaya-run), not for the library: the engine never
// installs it by itself.
#pragma once

namespace zaya {

// `message` must stay valid for the life of the process (a string literal).
void install_mapped_file_guard(const char* message, int exit_code = 1);

}  // namespace zaya
