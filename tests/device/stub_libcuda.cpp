// A stand-in NVIDIA driver (built as libcuda.so.1) for the probe's tests: it
// reports CUDA 13.0 and one 16 GiB compute-9.0 device named "Stub GPU", so the
// probe gets past the driver checks on a machine without a GPU and reaches the
// backend library. Nothing in it can run a kernel; a test that puts it on the
// library path must not let anything call the CUDA runtime.
#include <cstddef>
#include <cstring>

extern "C" {

int cuInit(unsigned int) { return 0; }
int cuDriverGetVersion(int* version) {
  *version = 13000;
  return 0;
}
int cuDeviceGetCount(int* count) {
  *count = 1;
  return 0;
}
int cuDeviceGet(int* device, int ordinal) {
  *device = ordinal;
  return ordinal == 0 ? 0 : 101;  // CUDA_ERROR_INVALID_DEVICE
}
int cuDeviceGetName(char* name, int length, int) {
  std::strncpy(name, "Stub GPU", static_cast<std::size_t>(length));
  return 0;
}
int cuDeviceTotalMem_v2(std::size_t* bytes, int) {
  *bytes = std::size_t{16} << 30;
  return 0;
}
int cuDeviceGetAttribute(int* value, int attribute, int) {
  *value = attribute == 75 ? 9 : 0;  // compute capability 9.0
  return 0;
}

}  // extern "C"
