// The built libzaya_cuda.so as the engine loads it, on any machine (no driver
// or GPU needed: nothing here calls the CUDA runtime): found from the build
// tree and from the installed layout, reporting this engine's interface
// number, exporting every entry point the engine resolves, its factory
// refusing a caller with another interface; and a stand-in library from
// another build (interface ZAYA_STANDIN_ABI) refused with its path and both
// numbers.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "device/backend_library.h"

namespace fs = std::filesystem;

namespace zaya {
namespace {

const fs::path kBuilt = fs::path(ZAYA_BINARY_DIR) / "lib" / "libzaya_cuda.so";

class BackendLibrary : public ::testing::Test {
 protected:
  // The candidates must come from the layout alone, not from the environment.
  void SetUp() override { unsetenv("ZAYA_CUDA_LIBRARY"); }
};

TEST_F(BackendLibrary, BuiltLibraryReportsTheEngineInterfaceAndEveryEntryPoint) {
  ASSERT_TRUE(fs::exists(kBuilt)) << kBuilt;
  const CudaBackendLibrary lib = open_cuda_backend_library({kBuilt.string()}, "libzaya_cuda.so");
  ASSERT_TRUE(lib.loaded()) << lib.load_error;
  EXPECT_EQ(lib.abi, kCudaBackendAbi) << lib.refusal();
  for (const char* entry : kCudaBackendEntryPoints) EXPECT_NE(dlsym(lib.handle, entry), nullptr) << entry;
  EXPECT_TRUE(lib.missing_entry_point.empty()) << lib.missing_entry_point;
  EXPECT_TRUE(lib.usable()) << lib.refusal();
  EXPECT_EQ(lib.refusal(), "");
}

TEST_F(BackendLibrary, FoundFromTheBuildTreeLayout) {
  const auto candidates = cuda_backend_candidates(fs::path(ZAYA_BINARY_DIR) / "bin", "libzaya_cuda.so");
  const CudaBackendLibrary lib = open_cuda_backend_library(candidates, "libzaya_cuda.so");
  ASSERT_TRUE(lib.loaded()) << lib.load_error;
  EXPECT_TRUE(fs::equivalent(lib.path, kBuilt)) << lib.path;
  EXPECT_TRUE(lib.usable()) << lib.refusal();
}

TEST_F(BackendLibrary, FoundFromTheInstalledLayout) {
  // /usr/bin/zaya-tutor + /usr/lib/<triplet>/zaya-tutor/libzaya_cuda.so, as the Debian package lays it out.
  const fs::path prefix = fs::path(testing::TempDir()) / "zaya-installed-layout";
  fs::remove_all(prefix);
  const fs::path private_dir = std::string(ZAYA_LIBRARY_ARCHITECTURE).empty()
                                   ? prefix / "lib" / "zaya-tutor"
                                   : prefix / "lib" / ZAYA_LIBRARY_ARCHITECTURE / "zaya-tutor";
  fs::create_directories(prefix / "bin");
  fs::create_directories(private_dir);
  fs::copy_file(kBuilt, private_dir / "libzaya_cuda.so");
  const auto candidates = cuda_backend_candidates(prefix / "bin", "libzaya_cuda.so");
  const CudaBackendLibrary lib = open_cuda_backend_library(candidates, "libzaya_cuda.so");
  ASSERT_TRUE(lib.loaded()) << lib.load_error;
  EXPECT_TRUE(fs::equivalent(lib.path, private_dir / "libzaya_cuda.so")) << lib.path;
  EXPECT_EQ(lib.abi, kCudaBackendAbi);
  EXPECT_TRUE(lib.usable()) << lib.refusal();
}

TEST_F(BackendLibrary, FactoryRefusesACallerWithAnotherInterface) {
  const CudaBackendLibrary lib = open_cuda_backend_library({kBuilt.string()}, "libzaya_cuda.so");
  ASSERT_TRUE(lib.loaded()) << lib.load_error;
  ASSERT_NE(lib.create, nullptr);
  char message[512] = {};
  // The interface is checked before the arguments or the device are looked at.
  Backend* b = lib.create(kCudaBackendAbi - 1, nullptr, nullptr, message, sizeof message);
  EXPECT_EQ(b, nullptr);
  const std::string m = message;
  EXPECT_NE(m.find("from another build"), std::string::npos) << m;
  EXPECT_NE(m.find("interface " + std::to_string(kCudaBackendAbi) + ", engine needs " +
                   std::to_string(kCudaBackendAbi - 1)),
            std::string::npos)
      << m;
}

TEST_F(BackendLibrary, LibraryFromAnotherBuildIsRefusedWithItsPathAndBothNumbers) {
  const CudaBackendLibrary lib = open_cuda_backend_library({ZAYA_STANDIN_BACKEND}, "libzaya_cuda.so");
  ASSERT_TRUE(lib.loaded()) << lib.load_error;
  EXPECT_EQ(lib.abi, ZAYA_STANDIN_ABI);
  EXPECT_FALSE(lib.usable());
  const std::string why = lib.refusal();
  EXPECT_NE(why.find(ZAYA_STANDIN_BACKEND), std::string::npos) << why;
  EXPECT_NE(why.find("interface " + std::to_string(ZAYA_STANDIN_ABI) + ", engine needs " +
                     std::to_string(kCudaBackendAbi)),
            std::string::npos)
      << why;
}

TEST_F(BackendLibrary, MissingLibraryKeepsTheMostInformativeError) {
  const CudaBackendLibrary lib = open_cuda_backend_library({"/nonexistent/libzaya_cuda.so"}, "libzaya_cuda.so");
  EXPECT_FALSE(lib.loaded());
  EXPECT_NE(lib.refusal().find("could not be loaded"), std::string::npos) << lib.refusal();
}

}  // namespace
}  // namespace zaya
