// Finds the NVIDIA driver and the zaya_cuda backend with dlopen only, so the
// engine never links cudart/cuBLAS (see include/zaya/device.h), and creates
// backends: CPU, or CUDA through the library's factory with a fall back to
// the CPU (see device/cuda_backend.h).
#include "zaya/device.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <functional>
#include <stdexcept>
#include <thread>

#include "cpu/cpu_backend.h"
#include "device/cuda_backend.h"
#include "zaya/errors.h"

namespace zaya {
namespace {

// Driver API entry points we need; signatures from the CUDA driver API (C ABI).
using CuInitFn = int (*)(unsigned int);
using CuDriverGetVersionFn = int (*)(int*);
using CuDeviceGetCountFn = int (*)(int*);
using CuDeviceGetFn = int (*)(int*, int);
using CuDeviceGetNameFn = int (*)(char*, int, int);
using CuDeviceTotalMemFn = int (*)(std::size_t*, int);
using CuDeviceGetAttributeFn = int (*)(int*, int, int);
constexpr int kCuAttrComputeMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kCuAttrComputeMinor = 76;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
constexpr int kCudaErrorNoDevice = 100;  // CUDA_ERROR_NO_DEVICE

std::filesystem::path executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{} : exe.parent_path();
}

// Candidate locations of libzaya_cuda.so, most specific first.
std::vector<std::string> backend_candidates(const char* name) {
  std::vector<std::string> out;
  if (const char* env = std::getenv("ZAYA_CUDA_LIBRARY"); env && *env) out.emplace_back(env);
  const auto dir = executable_dir();
  if (!dir.empty()) {
    out.push_back((dir / ".." / "lib" / name).string());             // build tree: bin/ + lib/
    out.push_back((dir / name).string());
    // Installed: /usr/lib/<triplet>/zaya-tutor (the Debian package), /usr/lib/zaya-tutor.
    if (ZAYA_LIBRARY_ARCHITECTURE[0] != '\0')
      out.push_back((dir / ".." / "lib" / ZAYA_LIBRARY_ARCHITECTURE / "zaya-tutor" / name).string());
    out.push_back((dir / ".." / "lib" / "zaya-tutor" / name).string());
  }
  out.emplace_back(name);  // LD_LIBRARY_PATH and the system's search path
  return out;
}

void* g_backend = nullptr;

CudaProbeResult probe_impl() {
  CudaProbeResult r;
  r.required_driver_version = kRequiredCudaDriverVersion;
  const char* backend_name = ZAYA_CUDA_LIBRARY_NAME;
  if (backend_name[0] == '\0') {
    r.status = CudaStatus::NotBuilt;
    r.message = "this build has no CUDA backend; using the CPU";
    return r;
  }
  void* cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!cuda) {
    r.status = CudaStatus::NoDriver;
    r.message = "no NVIDIA driver found (libcuda.so.1 is missing); using the CPU";
    return r;
  }
  auto sym = [&](const char* n) { return dlsym(cuda, n); };
  auto cu_init = reinterpret_cast<CuInitFn>(sym("cuInit"));
  auto cu_version = reinterpret_cast<CuDriverGetVersionFn>(sym("cuDriverGetVersion"));
  auto cu_count = reinterpret_cast<CuDeviceGetCountFn>(sym("cuDeviceGetCount"));
  auto cu_get = reinterpret_cast<CuDeviceGetFn>(sym("cuDeviceGet"));
  auto cu_name = reinterpret_cast<CuDeviceGetNameFn>(sym("cuDeviceGetName"));
  auto cu_mem = reinterpret_cast<CuDeviceTotalMemFn>(sym("cuDeviceTotalMem_v2"));
  auto cu_attr = reinterpret_cast<CuDeviceGetAttributeFn>(sym("cuDeviceGetAttribute"));
  if (!cu_init || !cu_version || !cu_count || !cu_get || !cu_name || !cu_mem || !cu_attr) {
    r.status = CudaStatus::Error;
    r.message = "the NVIDIA driver library lacks expected functions; using the CPU";
    return r;
  }
  cu_version(&r.driver_version);
  if (r.driver_version < kRequiredCudaDriverVersion) {
    r.status = CudaStatus::DriverTooOld;
    r.message = "the NVIDIA driver supports CUDA " + std::to_string(r.driver_version / 1000) + "." +
                std::to_string(r.driver_version % 1000 / 10) +
                ", but the GPU backend needs CUDA 13 (driver R580 series or newer; Debian 12's own "
                "driver is older); using the CPU";
    return r;
  }
  int init = cu_init(0);
  int count = 0;
  if (init == kCudaErrorNoDevice || (init == 0 && cu_count(&count) == 0 && count == 0)) {
    r.status = CudaStatus::NoDevice;
    r.message = "the NVIDIA driver reports no CUDA device; using the CPU";
    return r;
  }
  if (init != 0) {
    r.status = CudaStatus::Error;
    r.message = "the NVIDIA driver failed to initialise (cuInit error " + std::to_string(init) + "); using the CPU";
    return r;
  }
  for (int i = 0; i < count; ++i) {
    int dev = 0;
    if (cu_get(&dev, i) != 0) continue;
    CudaDeviceInfo info;
    info.index = i;
    char name[256] = {};
    cu_name(name, sizeof name - 1, dev);
    info.name = name;
    std::size_t mem = 0;
    cu_mem(&mem, dev);
    info.total_memory_bytes = mem;
    cu_attr(&info.compute_major, kCuAttrComputeMajor, dev);
    cu_attr(&info.compute_minor, kCuAttrComputeMinor, dev);
    r.devices.push_back(std::move(info));
  }
  std::string last_error;
  for (const auto& path : backend_candidates(backend_name)) {
    if (void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      g_backend = h;
      r.backend_path = path;
      break;
    }
    const char* e = dlerror();
    // Keep the most informative error: one naming a missing dependency
    // (e.g. libcublas.so.13) beats "no such file" for a path we guessed.
    if (e && (last_error.empty() || std::string(e).find("cannot open shared object") == std::string::npos ||
              std::string(e).find(backend_name) == std::string::npos))
      last_error = e;
  }
  if (!g_backend) {
    r.status = CudaStatus::BackendMissing;
    r.message = "the GPU backend could not be loaded (" + last_error +
                "); install the zaya-tutor-cuda package and NVIDIA's CUDA 13 libraries; using the CPU";
    return r;
  }
  r.status = CudaStatus::Available;
  r.message = r.devices.empty() ? "CUDA available" : "GPU: " + r.devices.front().name;
  return r;
}

}  // namespace

CudaProbeResult probe_cuda_uncached() { return probe_impl(); }

const CudaProbeResult& probe_cuda() {
  static std::once_flag once;
  static CudaProbeResult result;
  std::call_once(once, [] { result = probe_impl(); });
  return result;
}

bool cuda_backend_built() { return ZAYA_CUDA_LIBRARY_NAME[0] != '\0'; }

void* cuda_backend_handle() {
  probe_cuda();
  return g_backend;
}

const char* to_string(CudaStatus s) {
  switch (s) {
    case CudaStatus::Available: return "available";
    case CudaStatus::NotBuilt: return "not built";
    case CudaStatus::NoDriver: return "no driver";
    case CudaStatus::DriverTooOld: return "driver too old";
    case CudaStatus::NoDevice: return "no device";
    case CudaStatus::BackendMissing: return "backend missing";
    case CudaStatus::Error: return "error";
  }
  return "unknown";
}

std::string describe_default_device() {
  const auto& p = probe_cuda();
  if (p.status == CudaStatus::Available && !p.devices.empty()) {
    const auto& d = p.devices.front();
    return d.name + " (" + std::to_string((d.total_memory_bytes + (1ull << 29)) >> 30) + " GB)";
  }
  unsigned threads = std::thread::hardware_concurrency();
  return "CPU (" + std::to_string(threads ? threads : 1) + " threads) — " + p.message;
}

}  // namespace zaya

// ------------------------------------------------------------------------
// Backend creation (device/cuda_backend.h).

namespace zaya {
namespace {

// Runs on the CUDA backend until it fails with a device error (zaya::Error
// from a CUDA call: lost device, out of memory, a kernel fault), then moves
// every sequence to the CPU by replaying its tokens there. Bad input and
// cancellation pass through unchanged.
class FallbackBackend final : public Backend {
 public:
  FallbackBackend(std::unique_ptr<Backend> gpu, std::shared_ptr<const ModelWeights> weights, int cpu_threads)
      : gpu_(std::move(gpu)), weights_(std::move(weights)), cpu_threads_(cpu_threads) {}

  const ModelConfig& config() const override { return weights_->config; }
  std::string description() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return cpu_ ? cpu_->description() + " — the GPU failed: " + failure_ : gpu_->description();
  }
  std::unique_ptr<SequenceState> new_sequence() override {
    auto s = std::make_unique<State>();
    s->owner = this;
    if (failed()) {
      s->inner = cpu_->new_sequence();
      s->on_cpu = true;
    } else {
      s->inner = gpu_->new_sequence();
    }
    return s;
  }
  void forward(SequenceState& base, const ForwardRequest& req) override {
    auto& s = dynamic_cast<State&>(base);
    if (!s.on_cpu && !failed()) {
      try {
        gpu_->forward(*s.inner, req);
        s.history.insert(s.history.end(), req.ids.begin(), req.ids.end());
        return;
      } catch (const Cancelled&) {
        throw;
      } catch (const LoadError&) {
        throw;
      } catch (const Error& e) {
        switch_to_cpu(e.what());
      }
    }
    if (!s.on_cpu) move_to_cpu(s);
    cpu_->forward(*s.inner, req);
    s.history.insert(s.history.end(), req.ids.begin(), req.ids.end());
  }

 private:
  // Checkpoints carry one extra value: which backend's layout the rest has.
  static constexpr float kGpuLayout = 0.0f, kCpuLayout = 1.0f;

  struct State final : SequenceState {
    FallbackBackend* owner = nullptr;
    std::unique_ptr<SequenceState> inner;
    std::vector<TokenId> history;  // every token fed so far, for a replay on the CPU
    bool on_cpu = false;
    std::int64_t length() const override { return inner->length(); }
    StateCheckpoint checkpoint() const override {
      StateCheckpoint c = inner->checkpoint();
      c.fixed_state.push_back(on_cpu ? kCpuLayout : kGpuLayout);
      return c;
    }
    void restore(const StateCheckpoint& c) override {
      if (c.fixed_state.empty() || c.length > static_cast<std::int64_t>(history.size()))
        throw std::logic_error("restore: checkpoint does not belong to this state");
      const bool cpu_layout = c.fixed_state.back() == kCpuLayout;
      if (cpu_layout == on_cpu) {
        StateCheckpoint own{c.length, std::vector<float>(c.fixed_state.begin(), c.fixed_state.end() - 1)};
        inner->restore(own);
        history.resize(static_cast<std::size_t>(c.length));
        return;
      }
      // Taken on the GPU before the move to the CPU: rebuild by replay.
      history.resize(static_cast<std::size_t>(c.length));
      inner->reset();
      owner->replay(*this);
    }
    void reset() override {
      inner->reset();
      history.clear();
    }
  };

  bool failed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cpu_ != nullptr;
  }

  void switch_to_cpu(const std::string& why) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cpu_) return;
    failure_ = why;
    std::fprintf(stderr, "zaya: the GPU backend failed (%s); continuing on the CPU\n", why.c_str());
    cpu_ = std::make_unique<cpu::CpuBackend>(weights_, cpu_threads_);
  }

  void move_to_cpu(State& s) {
    s.inner = cpu_->new_sequence();
    s.on_cpu = true;
    replay(s);
  }

  void replay(State& s) {
    if (s.history.empty()) return;
    ForwardRequest r;
    r.ids = s.history;
    cpu_->forward(*s.inner, r);
  }

  std::unique_ptr<Backend> gpu_;
  std::shared_ptr<const ModelWeights> weights_;
  int cpu_threads_;
  mutable std::mutex mutex_;
  std::unique_ptr<cpu::CpuBackend> cpu_;
  std::string failure_;
};

}  // namespace

std::unique_ptr<Backend> create_cuda_backend(std::shared_ptr<const ModelWeights> weights,
                                             const CudaBackendOptions& options, std::string* error) {
  auto fail = [&](const std::string& why) -> std::unique_ptr<Backend> {
    if (error) *error = why;
    return nullptr;
  };
  const CudaProbeResult& p = probe_cuda();
  if (p.status != CudaStatus::Available) return fail(p.message);
  void* lib = cuda_backend_handle();
  auto abi = reinterpret_cast<int (*)()>(dlsym(lib, "zaya_cuda_abi_version"));
  auto create = reinterpret_cast<CudaCreateBackendFn>(dlsym(lib, "zaya_cuda_create_backend"));
  if (!abi || !create || abi() != kCudaBackendAbi)
    return fail("the GPU backend library (" + p.backend_path + ") is from another build; using the CPU");
  char message[1024] = {};
  Backend* b = create(kCudaBackendAbi, &weights, &options, message, sizeof message);
  if (!b) return fail(std::string("the GPU backend could not start: ") + message + "; using the CPU");
  return std::unique_ptr<Backend>(b);
}

double measure_cuda_copy_gbs(std::size_t bytes, int repeats) {
  const auto& p = probe_cuda();
  if (p.status != CudaStatus::Available) throw Error(p.message);
  using MeasureFn = double (*)(std::size_t, int, char*, int);
  auto measure = reinterpret_cast<MeasureFn>(dlsym(cuda_backend_handle(), "zaya_cuda_measure_copy_gbs"));
  if (!measure) throw Error("the GPU backend library (" + p.backend_path + ") is from another build");
  char message[512] = {};
  const double gbs = measure(bytes, repeats, message, sizeof message);
  if (gbs < 0) throw Error(std::string("measuring the GPU's copy bandwidth failed: ") + message);
  return gbs;
}

std::unique_ptr<Backend> with_cpu_fallback(std::unique_ptr<Backend> gpu, std::shared_ptr<const ModelWeights> weights,
                                           int cpu_threads) {
  return std::make_unique<FallbackBackend>(std::move(gpu), std::move(weights), cpu_threads);
}

DeviceChoice parse_device_choice(std::string_view text) {
  if (text == "cpu") return DeviceChoice::Cpu;
  if (text == "cuda") return DeviceChoice::Cuda;
  if (text == "auto") return DeviceChoice::Auto;
  throw std::invalid_argument("unknown device '" + std::string(text) + "' (expected cpu, cuda or auto)");
}

std::unique_ptr<Backend> create_backend(DeviceChoice choice, std::shared_ptr<const ModelWeights> weights,
                                        int cpu_threads, const CudaBackendOptions& options,
                                        std::string* fallback_reason,
                                        const std::function<void(double, const std::string&)>& cpu_progress) {
  if (fallback_reason) fallback_reason->clear();
  if (choice != DeviceChoice::Cpu) {
    std::string why;
    if (auto gpu = create_cuda_backend(weights, options, &why))
      return with_cpu_fallback(std::move(gpu), std::move(weights), cpu_threads);
    if (fallback_reason) *fallback_reason = why;
  }
  return std::make_unique<cpu::CpuBackend>(std::move(weights), cpu_threads, cpu_progress);
}

}  // namespace zaya
