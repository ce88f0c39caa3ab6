#include "device/backend_library.h"

#include <dlfcn.h>

#include <cstdlib>

namespace zaya {

std::string CudaBackendLibrary::refusal() const {
  if (!loaded()) return "the GPU backend could not be loaded (" + load_error + ")";
  if (!missing_entry_point.empty())
    return "the GPU backend library " + path + " lacks " + missing_entry_point + " (it is from another build)";
  if (abi != kCudaBackendAbi)
    return "the GPU backend library " + path + " is from another build (interface " + std::to_string(abi) +
           ", engine needs " + std::to_string(kCudaBackendAbi) + ")";
  return {};
}

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{} : exe.parent_path();
}

std::vector<std::string> cuda_backend_candidates(const std::filesystem::path& dir, const char* name) {
  std::vector<std::string> out;
  if (const char* env = std::getenv("ZAYA_CUDA_LIBRARY"); env && *env) out.emplace_back(env);
  if (!dir.empty()) {
    out.push_back((dir / ".." / "lib" / name).lexically_normal().string());  // build tree: bin/ + lib/
    out.push_back((dir / name).lexically_normal().string());
    // Installed: /usr/lib/<triplet>/zaya-tutor (the Debian package), /usr/lib/zaya-tutor.
    if (ZAYA_LIBRARY_ARCHITECTURE[0] != '\0')
      out.push_back((dir / ".." / "lib" / ZAYA_LIBRARY_ARCHITECTURE / "zaya-tutor" / name).lexically_normal().string());
    out.push_back((dir / ".." / "lib" / "zaya-tutor" / name).lexically_normal().string());
  }
  out.emplace_back(name);  // LD_LIBRARY_PATH and the system's search path
  return out;
}

CudaBackendLibrary open_cuda_backend_library(const std::vector<std::string>& candidates, const char* name) {
  CudaBackendLibrary lib;
  for (const auto& path : candidates) {
    if (void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      lib.handle = h;
      lib.path = path;
      break;
    }
    const char* e = dlerror();
    const std::string error = e ? e : "";
    if (!error.empty() && (lib.load_error.empty() || error.find("cannot open shared object") == std::string::npos ||
                           error.find(name) == std::string::npos))
      lib.load_error = error;
  }
  if (!lib.handle) return lib;
  for (const char* entry : kCudaBackendEntryPoints)
    if (!dlsym(lib.handle, entry) && lib.missing_entry_point.empty()) lib.missing_entry_point = entry;
  if (auto abi = reinterpret_cast<CudaAbiVersionFn>(dlsym(lib.handle, "zaya_cuda_abi_version"))) lib.abi = abi();
  lib.create = reinterpret_cast<CudaCreateBackendFn>(dlsym(lib.handle, "zaya_cuda_create_backend"));
  lib.measure_copy = reinterpret_cast<CudaMeasureCopyFn>(dlsym(lib.handle, "zaya_cuda_measure_copy_gbs"));
  return lib;
}

}  // namespace zaya
