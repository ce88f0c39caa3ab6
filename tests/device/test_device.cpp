// Device discovery: the CUDA backend is built when the build says so, the
// probe never crashes, and on a machine without a GPU it explains why.
#include <gtest/gtest.h>

#include <filesystem>

#include "zaya/device.h"

TEST(Device, ProbeGivesAStatusAndAMessage) {
  const auto r = zaya::probe_cuda_uncached();
  EXPECT_FALSE(r.message.empty());
  if (r.status != zaya::CudaStatus::Available) {
    EXPECT_NE(r.message.find("CPU"), std::string::npos) << r.message;
  }
  EXPECT_FALSE(zaya::describe_default_device().empty());
}

#ifdef ZAYA_EXPECT_CUDA_BACKEND
TEST(Device, CudaBackendLibraryWasBuilt) {
  EXPECT_TRUE(zaya::cuda_backend_built());
  const auto lib = std::filesystem::path(ZAYA_BINARY_DIR) / "lib" / "libzaya_cuda.so";
  EXPECT_TRUE(std::filesystem::exists(lib)) << lib;
}
#else
TEST(Device, BuildWithoutCudaSaysSo) {
  EXPECT_FALSE(zaya::cuda_backend_built());
  EXPECT_EQ(zaya::probe_cuda_uncached().status, zaya::CudaStatus::NotBuilt);
}
#endif

TEST(Device, GpuBackendLoadsWhenADeviceExists) {
  const auto& r = zaya::probe_cuda();
  if (r.status != zaya::CudaStatus::Available) GTEST_SKIP() << "skipped: no CUDA device (" << r.message << ")";
  EXPECT_FALSE(r.devices.empty());
  EXPECT_NE(zaya::cuda_backend_handle(), nullptr);
}
