// A stand-in for libzaya_cuda.so from another build: it exports the entry
// points the engine resolves but reports interface ZAYA_STANDIN_ABI (an older
// number), so the engine must refuse it before calling anything else.
#include <cstddef>
#include <cstdio>

extern "C" {

__attribute__((visibility("default"))) int zaya_cuda_abi_version() { return ZAYA_STANDIN_ABI; }

__attribute__((visibility("default"))) void* zaya_cuda_create_backend(int, const void*, const void*, char* error,
                                                                      int error_len) {
  if (error && error_len > 0) std::snprintf(error, static_cast<std::size_t>(error_len), "stand-in backend: refused");
  return nullptr;
}

__attribute__((visibility("default"))) double zaya_cuda_measure_copy_gbs(std::size_t, int, char* error, int error_len) {
  if (error && error_len > 0) std::snprintf(error, static_cast<std::size_t>(error_len), "stand-in backend");
  return -1;
}

}  // extern "C"
