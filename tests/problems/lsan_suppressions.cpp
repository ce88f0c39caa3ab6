// LeakSanitizer's built-in suppressions for the problem tests and fuzz
// targets. CLN (GiNaC's number library) keeps one small allocation from its
// static initialisation for the life of the process; it is not a leak of this
// code. Compiled into the binaries (rather than only passed as LSAN_OPTIONS)
// so it also holds when CMake runs them at build time to list their tests.
extern "C" const char* __lsan_default_suppressions() { return "leak:libcln.so\n"; }
