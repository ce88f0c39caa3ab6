// The interface number shared by the engine and libzaya_cuda.so. One source:
// the engine checks it (device/cuda_probe.cpp) and the library reports it
// (inference/cuda/backend_info.cu) and checks it again in its factory, both
// compiled from this header, so a library built from this tree always
// matches the engine built from it. Plain C++17: nvcc compiles it too.
#pragma once

namespace zaya {

// Bumped whenever CudaBackendOptions, the Backend interface or the factory's
// signature changes (3: Backend::device_memory, 4: Backend::kv_cache_type).
inline constexpr int kCudaBackendAbi = 4;

}  // namespace zaya
