// Opening libzaya_cuda.so and checking that it is the library this engine was
// built with, before anything in it runs. Needs no driver and no GPU: the
// checks only resolve symbols and call zaya_cuda_abi_version(), which touches
// no CUDA API. The probe (cuda_probe.cpp) uses this once a driver is found;
// zaya-devices and the library tests use it on any machine.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "device/cuda_backend.h"

namespace zaya {

// Every entry point the engine resolves in the library, in one list, so the
// tests check exactly what the engine needs.
inline constexpr const char* kCudaBackendEntryPoints[] = {
    "zaya_cuda_abi_version",       // int (): the interface the library was built for
    "zaya_cuda_create_backend",    // CudaCreateBackendFn
    "zaya_cuda_measure_copy_gbs",  // double (size_t bytes, int repeats, char* error, int error_len)
};

using CudaAbiVersionFn = int (*)();
using CudaMeasureCopyFn = double (*)(std::size_t bytes, int repeats, char* error, int error_len);

struct CudaBackendLibrary {
  void* handle = nullptr;   // dlopen handle; kept open for the process's lifetime
  std::string path;         // the candidate that loaded
  int abi = 0;              // what the library reports (0: no zaya_cuda_abi_version)
  CudaCreateBackendFn create = nullptr;
  CudaMeasureCopyFn measure_copy = nullptr;
  std::string missing_entry_point;  // the first of kCudaBackendEntryPoints not found
  std::string load_error;           // dlopen's words when no candidate loaded

  bool loaded() const { return handle != nullptr; }
  // Loaded, every entry point present, and the interface this engine needs.
  bool usable() const { return loaded() && missing_entry_point.empty() && abi == kCudaBackendAbi; }
  // Why it cannot be used, naming the path and both interface numbers; "" when usable.
  std::string refusal() const;
};

// Where the engine looks for `name`, most specific first: $ZAYA_CUDA_LIBRARY,
// the build tree (<exe_dir>/../lib), beside the executable, the installed
// layouts (<exe_dir>/../lib/<triplet>/zaya-tutor, <exe_dir>/../lib/zaya-tutor),
// then the bare name for the system's search path.
std::vector<std::string> cuda_backend_candidates(const std::filesystem::path& exe_dir, const char* name);

// The directory of the running executable ("" when /proc is unavailable).
std::filesystem::path executable_dir();

// Opens the first candidate that loads and resolves the entry points. When
// none loads, load_error keeps the most informative dlopen error (one naming
// a missing dependency such as libcublas.so.13 beats "no such file" for a
// path that was only guessed).
CudaBackendLibrary open_cuda_backend_library(const std::vector<std::string>& candidates, const char* name);

// The library the probe accepted (loaded() false unless probe_cuda() said Available).
const CudaBackendLibrary& accepted_cuda_backend_library();

}  // namespace zaya
