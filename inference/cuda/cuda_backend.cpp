#include "cuda_backend.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "common_host.h"
#include "zaya/errors.h"

namespace zaya::cuda {
namespace {

std::string gib(std::uint64_t b) {
  char s[32];
  std::snprintf(s, sizeof s, "%.2f GiB", static_cast<double>(b) / (1024.0 * 1024.0 * 1024.0));
  return s;
}

// Elements of each work buffer for chunks of S tokens.
struct WorkSizes {
  std::int64_t H, QW, ldu, I, D, L, V, E, head_rows, splits, dq;
  explicit WorkSizes(const ModelConfig& c, std::int64_t S, bool fast) {
    H = c.hidden_size, QW = c.q_width(), ldu = c.conv_channels() + c.kv_width(), I = c.moe_intermediate_size;
    D = c.router_hidden_size, L = c.num_layers, V = c.vocab_size, E = c.num_experts;
    head_rows = std::min<std::int64_t>(S, 16);
    splits = kMaxAttentionSplits;  // the most decode_splits() asks for
    dq = fast ? std::max({2 * I * H, H * I, ldu * H, H * QW}) : 0;
    (void)S;
  }
  std::uint64_t bytes(std::int64_t S) const {
    const std::uint64_t f = 4, b = 2;
    return f * S * H * 6 + b * S * H * 2 + f * S * ldu + f * S * QW * 2 + b * S * QW + f * S * 2 * I + (f + b) * S * I +
           f * S * D * 5 + b * S * D * 2 + 4 * (3 * S + E + 2) + sizeof(RoutingDecision) * S * L +
           f * head_rows * V + f * QW * splits * 2 + b * dq + 4 * (S + 2);
  }
};

}  // namespace

// ------------------------------------------------------------ buffers ---

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) { ZAYA_CUDA_CHECK(cudaMalloc(&p_, bytes ? bytes : 1)); }
DeviceBuffer::~DeviceBuffer() {
  if (p_) cudaFree(p_);
}
DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept {
  if (this != &o) {
    if (p_) cudaFree(p_);
    p_ = o.p_, bytes_ = o.bytes_;
    o.p_ = nullptr, o.bytes_ = 0;
  }
  return *this;
}

// -------------------------------------------------------------- state ---

// The backend's mutex guards its stream: state operations from another
// thread must not slip into a forward pass (or its graph capture).
// new_sequence() and forward() hold it already when they construct / reserve.
CudaSequenceState::CudaSequenceState(CudaBackend& backend) : backend_(backend) {
  const auto& c = backend.config();
  tails_ = DeviceBuffer(static_cast<std::size_t>(c.num_layers * backend.tail_floats()) * sizeof(float));
  reset_locked();
  reserve(256);
}

CudaSequenceState::~CudaSequenceState() {
  std::lock_guard<std::mutex> lock(backend_.mutex_);
  if (graph_) cudaGraphExecDestroy(graph_);
  k_ = DeviceBuffer(), v_ = DeviceBuffer(), tails_ = DeviceBuffer();
}

void CudaSequenceState::reserve(std::int64_t positions) {
  if (positions <= capacity_) return;
  const auto& c = backend_.config();
  const std::int64_t cap = std::max({positions, capacity_ * 2, std::int64_t{256}});
  const std::size_t per_pos = backend_.kv_bytes_per_position() / static_cast<std::size_t>(2 * c.num_layers);  // one layer, K or V
  DeviceBuffer k(static_cast<std::size_t>(c.num_layers * cap) * per_pos), v(k.bytes());
  if (capacity_ > 0 && length_ > 0) {
    const std::size_t old_pitch = static_cast<std::size_t>(capacity_) * per_pos, new_pitch = static_cast<std::size_t>(cap) * per_pos;
    const std::size_t width = static_cast<std::size_t>(length_) * per_pos;
    ZAYA_CUDA_CHECK(cudaMemcpy2DAsync(k.as<char>(), new_pitch, k_.as<char>(), old_pitch, width,
                                      static_cast<std::size_t>(c.num_layers), cudaMemcpyDeviceToDevice, backend_.stream()));
    ZAYA_CUDA_CHECK(cudaMemcpy2DAsync(v.as<char>(), new_pitch, v_.as<char>(), old_pitch, width,
                                      static_cast<std::size_t>(c.num_layers), cudaMemcpyDeviceToDevice, backend_.stream()));
    ZAYA_CUDA_CHECK(cudaStreamSynchronize(backend_.stream()));
  }
  k_ = std::move(k);
  v_ = std::move(v);
  capacity_ = cap;
  if (graph_) {  // its nodes point into the old caches
    cudaGraphExecDestroy(graph_);
    graph_ = nullptr;
  }
}

void* CudaSequenceState::k_cache(std::size_t layer) const {
  const std::size_t per = backend_.kv_bytes_per_position() / static_cast<std::size_t>(2 * backend_.config().num_layers);
  return k_.as<char>() + layer * static_cast<std::size_t>(capacity_) * per;
}
void* CudaSequenceState::v_cache(std::size_t layer) const {
  const std::size_t per = backend_.kv_bytes_per_position() / static_cast<std::size_t>(2 * backend_.config().num_layers);
  return v_.as<char>() + layer * static_cast<std::size_t>(capacity_) * per;
}
float* CudaSequenceState::tail(std::size_t layer) const {
  return tails_.as<float>() + layer * static_cast<std::size_t>(backend_.tail_floats());
}

StateCheckpoint CudaSequenceState::checkpoint() const {
  std::lock_guard<std::mutex> lock(backend_.mutex_);
  ZAYA_CUDA_CHECK(cudaSetDevice(backend_.options().device));
  StateCheckpoint c;
  c.length = length_;
  c.fixed_state.resize(tails_.bytes() / sizeof(float));
  ZAYA_CUDA_CHECK(cudaMemcpyAsync(c.fixed_state.data(), tails_.as<float>(), tails_.bytes(), cudaMemcpyDeviceToHost,
                                  backend_.stream()));
  ZAYA_CUDA_CHECK(cudaStreamSynchronize(backend_.stream()));
  return c;
}

void CudaSequenceState::restore(const StateCheckpoint& c) {
  if (c.length > length_ || c.length < 0 || c.fixed_state.size() * sizeof(float) != tails_.bytes())
    throw std::logic_error("CudaSequenceState::restore: checkpoint does not belong to this state");
  std::lock_guard<std::mutex> lock(backend_.mutex_);
  ZAYA_CUDA_CHECK(cudaSetDevice(backend_.options().device));
  ZAYA_CUDA_CHECK(cudaMemcpyAsync(tails_.as<float>(), c.fixed_state.data(), tails_.bytes(), cudaMemcpyHostToDevice,
                                  backend_.stream()));
  ZAYA_CUDA_CHECK(cudaStreamSynchronize(backend_.stream()));
  length_ = c.length;
}

void CudaSequenceState::reset() {
  std::lock_guard<std::mutex> lock(backend_.mutex_);
  reset_locked();
}

void CudaSequenceState::reset_locked() {
  ZAYA_CUDA_CHECK(cudaSetDevice(backend_.options().device));
  ZAYA_CUDA_CHECK(cudaMemsetAsync(tails_.as<float>(), 0, tails_.bytes(), backend_.stream()));
  ZAYA_CUDA_CHECK(cudaStreamSynchronize(backend_.stream()));
  length_ = 0;
}

// ------------------------------------------------------------ backend ---

std::uint64_t CudaBackend::estimate_bytes(const ModelWeights& w, const CudaBackendOptions& o) {
  const auto& c = w.config;
  const std::int64_t S = std::max<std::int64_t>(1, o.max_chunk);
  const WorkSizes ws(c, S, !o.exact);
  const std::uint64_t kv = static_cast<std::uint64_t>(o.reserve_context) * c.num_layers * 2 * c.kv_width() * (o.exact ? 4 : 2);
  const std::uint64_t tails = 4ull * c.num_layers * c.conv_tail() * (c.conv_channels() + c.kv_width()) * 2;
  const std::uint64_t cublas_workspace = 64ull << 20;
  return DeviceModel::estimate_bytes(w) + ws.bytes(S) + kv + tails + cublas_workspace;
}

std::size_t CudaBackend::kv_bytes_per_position() const {
  const auto& c = config();
  return static_cast<std::size_t>(c.num_layers * 2 * c.kv_width()) * (options_.exact ? 4 : 2);
}

std::int64_t CudaBackend::tail_floats() const { return config().conv_tail() * ldu_; }

CudaBackend::CudaBackend(std::shared_ptr<const ModelWeights> weights, const CudaBackendOptions& options)
    : weights_(std::move(weights)), options_(options) {
  const ModelConfig& c = weights_->config;
  int count = 0;
  ZAYA_CUDA_CHECK(cudaGetDeviceCount(&count));
  if (options_.device < 0 || options_.device >= count)
    throw Error("CUDA device " + std::to_string(options_.device) + " does not exist (" + std::to_string(count) +
                " device(s))");
  ZAYA_CUDA_CHECK(cudaSetDevice(options_.device));
  cudaDeviceProp prop{};
  ZAYA_CUDA_CHECK(cudaGetDeviceProperties(&prop, options_.device));
  device_name_ = prop.name;
  tensor_cores_ = !options_.exact && prop.major >= 8;
  // Development aid: per-stage decode times (graphs off) printed when the backend goes away.
  const char* prof = std::getenv("ZAYA_CUDA_PROFILE");
  profile_ = prof && *prof == '1';
  if (profile_) options_.use_graphs = false;
  // Programmatic dependent launch on Hopper and newer (measured: 343 → 368
  // tok/s q4 decode on an H100, goldens pass either way); ZAYA_CUDA_PDL=0 turns it off.
  const char* pdl = std::getenv("ZAYA_CUDA_PDL");
  set_programmatic_launch(prop.major >= 9 && !(pdl && *pdl == '0'));

  // Memory first: refuse cleanly rather than fail half-way through the upload.
  std::size_t free_b = 0, total_b = 0;
  ZAYA_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
  const std::uint64_t need = estimate_bytes(*weights_, options_), margin = 256ull << 20;
  if (need + margin > free_b)
    throw Error("not enough GPU memory on " + device_name_ + ": the model needs about " + gib(need) + " but only " +
                gib(free_b) + " of " + gib(total_b) + " are free");

  try {
    ZAYA_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    ZAYA_CUBLAS_CHECK(cublasCreate(&cublas_));
    ZAYA_CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
    model_ = std::make_unique<DeviceModel>(*weights_);

    Smax_ = std::max<std::int64_t>(1, options_.max_chunk);
    const WorkSizes ws(c, Smax_, !options_.exact);
    ldu_ = ws.ldu;
    head_rows_ = ws.head_rows;
    max_splits_ = ws.splits;
    const std::int64_t S = Smax_, H = ws.H, QW = ws.QW, I = ws.I, D = ws.D, E = ws.E;
    auto f32 = [](std::int64_t n) { return DeviceBuffer(static_cast<std::size_t>(n) * 4); };
    auto b16 = [](std::int64_t n) { return DeviceBuffer(static_cast<std::size_t>(n) * 2); };
    const bool fast = tensor_cores_;
    h_ = f32(S * H), r_ = f32(S * H), x_ = f32(S * H), a_ = f32(S * H), xg_ = f32(S * H), yg_ = f32(S * H);
    x16_ = b16(fast ? S * H : 1), xg16_ = b16(fast ? S * H : 1);
    u_ = f32(S * ldu_);
    q_ = f32(S * QW), ctx_ = f32(S * QW), ctx16_ = b16(fast ? S * QW : 1);
    gu_ = f32(S * 2 * I);
    act_ = f32(S * I), act16_ = b16(fast ? S * I : 1);
    rho_ = f32(S * D), tmp_ = f32(S * D), z_ = f32(S * D), z1_ = f32(S * D), z2_ = f32(S * D);
    z16_ = b16(fast ? S * D : 1), z116_ = b16(fast ? S * D : 1);
    choice_ = f32(S), perm_ = f32(S), offsets_ = f32(E + 2), weight_ = f32(S);
    routing_ = DeviceBuffer(static_cast<std::size_t>(S * ws.L) * sizeof(RoutingDecision));
    logits_ = f32(head_rows_ * ws.V);
    partial_ = f32(static_cast<std::int64_t>(c.num_heads) * max_splits_ * (c.head_dim + 2));
    dequant_capacity_ = fast ? ws.dq : 0;
    dequant_ = b16(std::max<std::int64_t>(1, dequant_capacity_));
    params_ = DeviceBuffer(static_cast<std::size_t>(S + 2) * sizeof(int));
    tail_backup_ = f32(c.num_layers * tail_floats());
    ZAYA_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&h_params_), static_cast<std::size_t>(S + 2) * sizeof(int)));
    ZAYA_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&h_offsets_), static_cast<std::size_t>(E + 2) * sizeof(int)));
    ZAYA_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&h_logits_), static_cast<std::size_t>(ws.V) * sizeof(float)));
    ZAYA_CUDA_CHECK(cudaMallocHost(reinterpret_cast<void**>(&h_routing_), static_cast<std::size_t>(ws.L) * sizeof(RoutingDecision)));
  } catch (...) {
    release();
    throw;
  }
}

CudaBackend::~CudaBackend() {
  if (profiled_steps_ > 0) {
    double total = 0;
    for (const auto& [name, ms] : stage_ms_) total += ms;
    std::fprintf(stderr, "decode stages over %d steps (ms per step):\n", profiled_steps_);
    for (const auto& [name, ms] : stage_ms_)
      std::fprintf(stderr, "  %-24s %8.4f  %5.1f %%\n", name.c_str(), ms / profiled_steps_, 100.0 * ms / total);
    std::fprintf(stderr, "  %-24s %8.4f\n", "total", total / profiled_steps_);
  }
  release();
}

void CudaBackend::release() {
  if (h_params_) cudaFreeHost(h_params_), h_params_ = nullptr;
  if (h_offsets_) cudaFreeHost(h_offsets_), h_offsets_ = nullptr;
  if (h_logits_) cudaFreeHost(h_logits_), h_logits_ = nullptr;
  if (h_routing_) cudaFreeHost(h_routing_), h_routing_ = nullptr;
  if (cublas_) cublasDestroy(cublas_), cublas_ = nullptr;
  if (stream_) cudaStreamDestroy(stream_), stream_ = nullptr;
}

std::string CudaBackend::description() const {
  return "CUDA (" + device_name_ + ", " + (options_.exact ? "exact fp32 mode" : "fast mode") + ")";
}

std::optional<DeviceMemoryUse> CudaBackend::device_memory() const {
  // No lock: cudaMemGetInfo is thread-safe and the device choice is per
  // thread, so the status bar can ask while a forward pass runs.
  if (cudaSetDevice(options_.device) != cudaSuccess) return std::nullopt;
  std::size_t free_bytes = 0, total_bytes = 0;
  if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) return std::nullopt;
  return DeviceMemoryUse{total_bytes - free_bytes, total_bytes};
}

std::unique_ptr<SequenceState> CudaBackend::new_sequence() {
  std::lock_guard<std::mutex> lock(mutex_);
  ZAYA_CUDA_CHECK(cudaSetDevice(options_.device));
  return std::make_unique<CudaSequenceState>(*this);
}

int CudaBackend::decode_splits(std::int64_t capacity) const {
  // About 32 keys per warp at full capacity: short latency-bound loops, many warps.
  return static_cast<int>(std::clamp<std::int64_t>(capacity / 32, 1, max_splits_));
}

void CudaBackend::linear(const DMat& w, const float* x, const std::uint16_t* x16, std::int64_t S, float* y,
                         std::int64_t ldy) {
  if (S <= 0) return;
  if (S == 1) {
    GemvArgs a;
    a.w = w, a.x = x, a.y = y;
    gemv(a, stream_);
    return;
  }
  if (tensor_cores_ && x16) {
    const void* wb = nullptr;
    if (w.dtype == DType::BF16) {
      wb = w.data;
    } else if (w.rows * w.cols <= dequant_capacity_) {
      dequantize_bf16(w, dequant_.as<std::uint16_t>(), stream_);
      wb = dequant_.as<void>();
    }
    if (wb) {
      const float alpha = 1.0f, beta = 0.0f;
      ZAYA_CUBLAS_CHECK(cublasGemmEx(cublas_, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(w.rows), static_cast<int>(S),
                                     static_cast<int>(w.cols), &alpha, wb, CUDA_R_16BF, static_cast<int>(w.cols), x16,
                                     CUDA_R_16BF, static_cast<int>(w.cols), &beta, y, CUDA_R_32F, static_cast<int>(ldy),
                                     CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
      return;
    }
  }
  gemm_f32(w, x, w.cols, S, y, ldy, stream_);
}

void CudaBackend::trace_out(const ForwardRequest& req, const std::string& name, const float* dev,
                            std::vector<std::int64_t> shape) {
  if (!req.trace || !*req.trace) return;
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  std::vector<float> host(static_cast<std::size_t>(n));
  ZAYA_CUDA_CHECK(cudaMemcpyAsync(host.data(), dev, host.size() * sizeof(float), cudaMemcpyDeviceToHost, stream_));
  ZAYA_CUDA_CHECK(cudaStreamSynchronize(stream_));
  (*req.trace)(name, host.data(), shape);
}

void CudaBackend::forward(SequenceState& base, const ForwardRequest& req) {
  auto& st = dynamic_cast<CudaSequenceState&>(base);
  if (&st.backend_ != this) throw std::logic_error("CudaBackend::forward: sequence state of another backend");
  const ModelConfig& c = config();
  const auto S = static_cast<std::int64_t>(req.ids.size());
  if (S == 0) return;
  for (TokenId id : req.ids)
    if (id < 0 || id >= c.vocab_size)
      throw std::out_of_range("token id " + std::to_string(id) + " outside the vocabulary [0, " + std::to_string(c.vocab_size) + ")");
  std::lock_guard<std::mutex> lock(mutex_);
  ZAYA_CUDA_CHECK(cudaSetDevice(options_.device));
  if (req.cancel && req.cancel->load(std::memory_order_relaxed)) throw Cancelled();
  st.reserve(st.length_ + S);
  if (S == 1 && !(req.trace && *req.trace)) decode(st, req);
  else prefill(st, req);
}

// ------------------------------------------------------------- decode ---

void CudaBackend::enqueue_decode_step(CudaSequenceState& st, bool logits) {
  const ModelConfig& c = config();
  const DeviceModel& m = *model_;
  const std::int64_t H = c.hidden_size, D = c.router_hidden_size, V = c.vocab_size;
  const int E = static_cast<int>(c.num_experts);
  const float eps = static_cast<float>(c.rms_norm_eps);
  int* d_p0 = params_.as<int>();
  int* d_next = d_p0 + 1;
  int* d_ids = d_p0 + 2;
  float* h = h_.as<float>();
  float* r = r_.as<float>();
  int* choice = choice_.as<int>();
  float* weight = weight_.as<float>();
  const int nsplit = decode_splits(st.capacity_);

  ZAYA_CUDA_CHECK(cudaMemcpyAsync(params_.as<int>(), h_params_, 3 * sizeof(int), cudaMemcpyHostToDevice, stream_));
  stage("upload");
  embed(m.embed, d_ids, 1, m.input_bias, m.input_scale, h, stream_);
  stage("embed");
  for (std::size_t l = 0; l < m.layers.size(); ++l) {
    const DeviceLayer& w = m.layers[l];
    GemvArgs g;
    g.w = w.qkv, g.x = h, g.y = u_.as<float>(), g.norm_weight = w.input_norm, g.eps = eps;
    gemv(g, stream_);
    stage("gemv qkv");

    CcaParams cp;
    cp.nq = static_cast<int>(c.num_heads), cp.nkv = static_cast<int>(c.num_kv_heads), cp.d = static_cast<int>(c.head_dim);
    cp.K0 = static_cast<int>(c.cca_time0), cp.K1 = static_cast<int>(c.cca_time1), cp.Tc = static_cast<int>(c.conv_tail());
    cp.rot = w.rot, cp.ldu = ldu_;
    cp.conv0_w = w.conv0_w, cp.conv0_b = w.conv0_b, cp.conv1_wt = w.conv1_wt, cp.conv1_b = w.conv1_b;
    cp.key_temp = w.key_temp, cp.inv_freq = w.inv_freq, cp.kv_half = !options_.exact;
    cca(cp, u_.as<float>(), 1, st.tail(l), d_p0, q_.as<float>(), st.k_cache(l), st.v_cache(l), stream_);
    stage("cca");

    AttnParams ap;
    ap.nq = cp.nq, ap.nkv = cp.nkv, ap.d = cp.d, ap.window = w.window, ap.kv_half = cp.kv_half;
    attention(ap, q_.as<float>(), st.k_cache(l), st.v_cache(l), d_p0, 1, nsplit, partial_.as<float>(), ctx_.as<float>(),
              stream_);
    stage("attention");

    g = GemvArgs{};
    g.w = w.o_proj, g.x = ctx_.as<float>(), g.y = r, g.epilogue = GemvEpilogue::Merge, g.residual = h,
    g.merge = w.post_attention;
    gemv(g, stream_);
    stage("gemv o_proj");

    g = GemvArgs{};
    g.w = w.router_down, g.x = r, g.y = rho_.as<float>(), g.norm_weight = w.post_attention_norm, g.eps = eps;
    g.epilogue = GemvEpilogue::RouterState, g.bias = w.router_down_bias, g.state_scale = w.router_states_scale;
    gemv(g, stream_);
    stage("gemv router");

    g = GemvArgs{};
    g.w = w.router_fc1, g.x = rho_.as<float>(), g.y = z1_.as<float>(), g.norm_weight = w.router_norm, g.eps = eps;
    g.epilogue = GemvEpilogue::BiasGelu, g.bias = w.fc1_bias;
    gemv(g, stream_);

    g = GemvArgs{};
    g.w = w.router_fc2, g.x = z1_.as<float>(), g.y = z2_.as<float>(), g.epilogue = GemvEpilogue::BiasGelu,
    g.bias = w.fc2_bias;
    gemv(g, stream_);
    stage("gemv router");

    router_select(w.router_out, z2_.as<float>(), w.balancing, 1, E, static_cast<int>(l), 1, choice, weight,
                  routing_.as<RoutingDecision>() + l, stream_);
    stage("router select");

    g = GemvArgs{};
    g.w = w.gate_up, g.x = r, g.y = act_.as<float>(), g.norm_weight = w.post_attention_norm, g.eps = eps;
    g.expert = choice, g.num_experts = E, g.epilogue = GemvEpilogue::SwiGLU;
    gemv(g, stream_);
    stage("gemv expert gate_up");

    g = GemvArgs{};
    g.w = w.down, g.x = act_.as<float>(), g.y = h, g.expert = choice, g.num_experts = E;
    g.epilogue = GemvEpilogue::Merge, g.gate = weight, g.residual = r, g.merge = w.post_mlp;
    gemv(g, stream_);
    stage("gemv expert down");
  }
  (void)D;
  if (logits) {
    rmsnorm_rows(h, m.final_norm, 1, H, eps, x_.as<float>(), nullptr, stream_);
    GemvArgs g;
    g.w = m.embed, g.x = x_.as<float>(), g.y = logits_.as<float>();
    gemv(g, stream_);
    stage("gemv lm head");
    argmax(logits_.as<float>(), V, d_next, partial_.as<float>(), stream_);  // partial_ is free after attention
    ZAYA_CUDA_CHECK(cudaMemcpyAsync(h_logits_, logits_.as<float>(), static_cast<std::size_t>(V) * sizeof(float),
                                    cudaMemcpyDeviceToHost, stream_));
    stage("argmax + logits copy");
  }
  ZAYA_CUDA_CHECK(cudaMemcpyAsync(h_routing_, routing_.as<RoutingDecision>(),
                                  static_cast<std::size_t>(c.num_layers) * sizeof(RoutingDecision), cudaMemcpyDeviceToHost,
                                  stream_));
}

void CudaBackend::stage(const char* name) {
  if (!profile_ || capturing_) return;
  cudaEvent_t e;
  ZAYA_CUDA_CHECK(cudaEventCreate(&e));
  ZAYA_CUDA_CHECK(cudaEventRecord(e, stream_));
  marks_.emplace_back(name, e);
}

void CudaBackend::collect_stages() {
  if (marks_.empty()) return;
  ZAYA_CUDA_CHECK(cudaEventSynchronize(marks_.back().second));
  for (std::size_t i = 1; i < marks_.size(); ++i) {
    float ms = 0;
    ZAYA_CUDA_CHECK(cudaEventElapsedTime(&ms, marks_[i - 1].second, marks_[i].second));
    stage_ms_[marks_[i].first] += ms;
  }
  for (auto& m : marks_) cudaEventDestroy(m.second);
  marks_.clear();
  ++profiled_steps_;
}

void CudaBackend::decode(CudaSequenceState& st, const ForwardRequest& req) {
  const ModelConfig& c = config();
  const bool want_logits = req.logits != nullptr;
  h_params_[0] = static_cast<int>(st.length_);
  h_params_[1] = 0;
  h_params_[2] = req.ids[0];
  if (options_.use_graphs) {
    if (!st.graph_ || st.graph_logits_ != want_logits) {
      if (st.graph_) cudaGraphExecDestroy(st.graph_), st.graph_ = nullptr;
      cudaGraph_t graph = nullptr;
      ZAYA_CUDA_CHECK(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal));
      capturing_ = true;
      try {
        enqueue_decode_step(st, want_logits);
      } catch (...) {
        capturing_ = false;
        cudaStreamEndCapture(stream_, &graph);
        if (graph) cudaGraphDestroy(graph);
        throw;
      }
      capturing_ = false;
      ZAYA_CUDA_CHECK(cudaStreamEndCapture(stream_, &graph));
      const cudaError_t e = cudaGraphInstantiate(&st.graph_, graph, 0);
      cudaGraphDestroy(graph);
      ZAYA_CUDA_CHECK(e);
      st.graph_logits_ = want_logits;
    }
    ZAYA_CUDA_CHECK(cudaGraphLaunch(st.graph_, stream_));
  } else {
    enqueue_decode_step(st, want_logits);
  }
  ZAYA_CUDA_CHECK(cudaStreamSynchronize(stream_));
  collect_stages();
  if (want_logits) std::memcpy(req.logits, h_logits_, static_cast<std::size_t>(c.vocab_size) * sizeof(float));
  if (req.routing) std::memcpy(req.routing, h_routing_, static_cast<std::size_t>(c.num_layers) * sizeof(RoutingDecision));
  st.length_ += 1;
}

// ------------------------------------------------------------ prefill ---

void CudaBackend::prefill(CudaSequenceState& st, const ForwardRequest& req) {
  const ModelConfig& c = config();
  const DeviceModel& m = *model_;
  const std::int64_t S_all = static_cast<std::int64_t>(req.ids.size());
  const std::int64_t H = c.hidden_size, D = c.router_hidden_size, V = c.vocab_size, I = c.moe_intermediate_size;
  const std::int64_t QW = c.q_width(), L = c.num_layers;
  const int E = static_cast<int>(c.num_experts);
  const float eps = static_cast<float>(c.rms_norm_eps);
  const bool fast = tensor_cores_;
  auto b16 = [fast](const DeviceBuffer& b) { return fast ? b.as<std::uint16_t>() : nullptr; };
  int* d_p0 = params_.as<int>();
  int* d_ids = d_p0 + 2;
  float *h = h_.as<float>(), *r = r_.as<float>(), *x = x_.as<float>(), *a = a_.as<float>();
  const std::int64_t p_start = st.length_;

  ZAYA_CUDA_CHECK(cudaMemcpyAsync(tail_backup_.as<float>(), st.tails_.as<float>(), st.tails_.bytes(),
                                  cudaMemcpyDeviceToDevice, stream_));
  try {
    for (std::int64_t off = 0; off < S_all; off += Smax_) {
      const std::int64_t S = std::min(Smax_, S_all - off);
      const bool tracing = req.trace && *req.trace && off == 0 && S == S_all;
      ZAYA_CUDA_CHECK(cudaStreamSynchronize(stream_));  // the pinned staging buffer is free again
      h_params_[0] = static_cast<int>(p_start + off);
      h_params_[1] = 0;
      std::memcpy(h_params_ + 2, req.ids.data() + off, static_cast<std::size_t>(S) * sizeof(int));
      ZAYA_CUDA_CHECK(cudaMemcpyAsync(params_.as<int>(), h_params_, static_cast<std::size_t>(S + 2) * sizeof(int),
                                      cudaMemcpyHostToDevice, stream_));
      embed(m.embed, d_ids, S, m.input_bias, m.input_scale, h, stream_);
      if (tracing) trace_out(req, "embed_scaled", h, {S, H});

      for (std::int64_t l = 0; l < L; ++l) {
        if (req.cancel && req.cancel->load(std::memory_order_relaxed)) throw Cancelled();
        const DeviceLayer& w = m.layers[static_cast<std::size_t>(l)];
        std::string pre = std::to_string(l);  // "L<l>." (built in steps: GCC 12 warns falsely on "L" + to_string)
        pre.insert(pre.begin(), 'L');
        pre.push_back('.');
        // Attention half.
        rmsnorm_rows(h, w.input_norm, S, H, eps, x, b16(x16_), stream_);
        if (tracing) trace_out(req, pre + "input_norm", x, {S, H});
        linear(w.qkv, x, b16(x16_), S, u_.as<float>(), ldu_);
        if (tracing && req.trace) {
          std::vector<float> raw(static_cast<std::size_t>(S * c.conv_channels()));
          ZAYA_CUDA_CHECK(cudaMemcpy2DAsync(raw.data(), c.conv_channels() * sizeof(float), u_.as<float>(),
                                            ldu_ * sizeof(float), c.conv_channels() * sizeof(float),
                                            static_cast<std::size_t>(S), cudaMemcpyDeviceToHost, stream_));
          ZAYA_CUDA_CHECK(cudaStreamSynchronize(stream_));
          (*req.trace)(pre + "attn.qk_raw", raw.data(), {S, c.conv_channels()});
        }
        CcaParams cp;
        cp.nq = static_cast<int>(c.num_heads), cp.nkv = static_cast<int>(c.num_kv_heads), cp.d = static_cast<int>(c.head_dim);
        cp.K0 = static_cast<int>(c.cca_time0), cp.K1 = static_cast<int>(c.cca_time1), cp.Tc = static_cast<int>(c.conv_tail());
        cp.rot = w.rot, cp.ldu = ldu_;
        cp.conv0_w = w.conv0_w, cp.conv0_b = w.conv0_b, cp.conv1_wt = w.conv1_wt, cp.conv1_b = w.conv1_b;
        cp.key_temp = w.key_temp, cp.inv_freq = w.inv_freq, cp.kv_half = !options_.exact;
        const auto li = static_cast<std::size_t>(l);
        cca(cp, u_.as<float>(), S, st.tail(li), d_p0, q_.as<float>(), st.k_cache(li), st.v_cache(li), stream_);
        if (tracing) {
          trace_out(req, pre + "attn.query_final", q_.as<float>(), {S, c.num_heads, c.head_dim});
          if (options_.exact) {
            const std::int64_t kw = c.kv_width();
            trace_out(req, pre + "attn.key_final", static_cast<const float*>(st.k_cache(li)) + (p_start + off) * kw,
                      {S, c.num_kv_heads, c.head_dim});
            trace_out(req, pre + "attn.value", static_cast<const float*>(st.v_cache(li)) + (p_start + off) * kw,
                      {S, c.num_kv_heads, c.head_dim});
          }
        }
        AttnParams ap;
        ap.nq = cp.nq, ap.nkv = cp.nkv, ap.d = cp.d, ap.window = w.window, ap.kv_half = cp.kv_half;
        attention(ap, q_.as<float>(), st.k_cache(li), st.v_cache(li), d_p0, S, 1, nullptr, ctx_.as<float>(), stream_);
        if (tracing) trace_out(req, pre + "attn.context", ctx_.as<float>(), {S, QW});
        if (fast) to_bf16(ctx_.as<float>(), S * QW, ctx16_.as<std::uint16_t>(), stream_);
        linear(w.o_proj, ctx_.as<float>(), b16(ctx16_), S, a, H);
        if (tracing) trace_out(req, pre + "attn.out", a, {S, H});
        merge_rows(a, h, w.post_attention, S, H, r, stream_);
        if (tracing) trace_out(req, pre + "resid_after_attn", r, {S, H});

        // Router.
        rmsnorm_rows(r, w.post_attention_norm, S, H, eps, x, b16(x16_), stream_);
        if (tracing) trace_out(req, pre + "post_attn_norm", x, {S, H});
        linear(w.router_down, x, b16(x16_), S, tmp_.as<float>(), D);
        router_state_rows(tmp_.as<float>(), w.router_down_bias, w.router_states_scale, S, D, rho_.as<float>(), stream_);
        if (tracing) trace_out(req, pre + "router.hidden", rho_.as<float>(), {S, D});
        rmsnorm_rows(rho_.as<float>(), w.router_norm, S, D, eps, z_.as<float>(), b16(z16_), stream_);
        linear(w.router_fc1, z_.as<float>(), b16(z16_), S, z1_.as<float>(), D);
        bias_gelu_rows(z1_.as<float>(), w.fc1_bias, S, D, b16(z116_), stream_);
        linear(w.router_fc2, z1_.as<float>(), b16(z116_), S, z2_.as<float>(), D);
        bias_gelu_rows(z2_.as<float>(), w.fc2_bias, S, D, nullptr, stream_);
        router_select(w.router_out, z2_.as<float>(), w.balancing, S, E, static_cast<int>(l), static_cast<int>(L),
                      choice_.as<int>(), weight_.as<float>(), routing_.as<RoutingDecision>() + l, stream_);

        // Experts: tokens grouped by choice, one GEMM pair per used expert.
        group_by_class(choice_.as<int>(), S, E + 1, perm_.as<int>(), offsets_.as<int>(), stream_);
        ZAYA_CUDA_CHECK(cudaMemcpyAsync(h_offsets_, offsets_.as<int>(), static_cast<std::size_t>(E + 2) * sizeof(int),
                                        cudaMemcpyDeviceToHost, stream_));
        ZAYA_CUDA_CHECK(cudaStreamSynchronize(stream_));
        const std::int64_t routed = h_offsets_[E];
        gather_rows(x, perm_.as<int>(), routed, H, xg_.as<float>(), b16(xg16_), stream_);
        for (int e = 0; e < E; ++e) {
          const std::int64_t o = h_offsets_[e], n = h_offsets_[e + 1] - o;
          if (n <= 0) continue;
          linear(w.gate_up.expert(e), xg_.as<float>() + o * H, fast ? xg16_.as<std::uint16_t>() + o * H : nullptr, n,
                 gu_.as<float>() + o * 2 * I, 2 * I);
        }
        swiglu_rows(gu_.as<float>(), routed, I, act_.as<float>(), b16(act16_), stream_);
        for (int e = 0; e < E; ++e) {
          const std::int64_t o = h_offsets_[e], n = h_offsets_[e + 1] - o;
          if (n <= 0) continue;
          linear(w.down.expert(e), act_.as<float>() + o * I, fast ? act16_.as<std::uint16_t>() + o * I : nullptr, n,
                 yg_.as<float>() + o * H, H);
        }
        scatter_expert_rows(yg_.as<float>(), perm_.as<int>(), choice_.as<int>(), weight_.as<float>(), S, H, E, a, stream_);
        if (tracing) trace_out(req, pre + "moe.out", a, {S, H});
        merge_rows(a, r, w.post_mlp, S, H, h, stream_);
        if (tracing) trace_out(req, pre + "layer_out", h, {S, H});
      }
      if (tracing) {
        rmsnorm_rows(h, m.final_norm, S, H, eps, x, nullptr, stream_);
        trace_out(req, "final_norm", x, {S, H});
      }

      if (req.routing)
        ZAYA_CUDA_CHECK(cudaMemcpyAsync(req.routing + off * L, routing_.as<RoutingDecision>(),
                                        static_cast<std::size_t>(S * L) * sizeof(RoutingDecision), cudaMemcpyDeviceToHost,
                                        stream_));
      if (req.logits && req.all_logits) {
        for (std::int64_t b0 = 0; b0 < S; b0 += head_rows_) {
          const std::int64_t n = std::min(head_rows_, S - b0);
          rmsnorm_rows(h + b0 * H, m.final_norm, n, H, eps, x, b16(x16_), stream_);
          linear(m.embed, x, b16(x16_), n, logits_.as<float>(), V);
          ZAYA_CUDA_CHECK(cudaMemcpyAsync(req.logits + (off + b0) * V, logits_.as<float>(),
                                          static_cast<std::size_t>(n * V) * sizeof(float), cudaMemcpyDeviceToHost, stream_));
        }
      } else if (req.logits && off + S == S_all) {
        rmsnorm_rows(h + (S - 1) * H, m.final_norm, 1, H, eps, x, nullptr, stream_);
        linear(m.embed, x, nullptr, 1, logits_.as<float>(), V);
        ZAYA_CUDA_CHECK(cudaMemcpyAsync(req.logits, logits_.as<float>(), static_cast<std::size_t>(V) * sizeof(float),
                                        cudaMemcpyDeviceToHost, stream_));
      }
      st.length_ = p_start + off + S;
    }
    ZAYA_CUDA_CHECK(cudaStreamSynchronize(stream_));
  } catch (...) {
    // Put the fixed-size state back; K/V entries past length() are never read.
    cudaMemcpyAsync(st.tails_.as<float>(), tail_backup_.as<float>(), st.tails_.bytes(), cudaMemcpyDeviceToDevice, stream_);
    cudaStreamSynchronize(stream_);
    st.length_ = p_start;
    throw;
  }
}

}  // namespace zaya::cuda

// ---------------------------------------------------------- C factory ---

extern "C" __attribute__((visibility("default"))) zaya::Backend* zaya_cuda_create_backend(
    int abi, const std::shared_ptr<const zaya::ModelWeights>* weights, const zaya::CudaBackendOptions* options,
    char* error, int error_len) {
  auto fail = [&](const std::string& msg) -> zaya::Backend* {
    if (error && error_len > 0) std::snprintf(error, static_cast<std::size_t>(error_len), "%s", msg.c_str());
    return nullptr;
  };
  if (abi != zaya::kCudaBackendAbi)
    return fail("the GPU backend library is from another build (interface " + std::to_string(zaya::kCudaBackendAbi) +
                ", engine needs " + std::to_string(abi) + ")");
  if (!weights || !*weights || !options) return fail("the GPU backend was called without weights or options");
  try {
    return new zaya::cuda::CudaBackend(*weights, *options);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

// Device-to-device copy bandwidth of the current device in GB/s (the roofline
// zaya-bench reports against), or a negative value with a message.
extern "C" __attribute__((visibility("default"))) double zaya_cuda_measure_copy_gbs(std::size_t bytes, int repeats,
                                                                                     char* error, int error_len) {
  try {
    return zaya::cuda::measure_copy_gbs(bytes, repeats);
  } catch (const std::exception& e) {
    if (error && error_len > 0) std::snprintf(error, static_cast<std::size_t>(error_len), "%s", e.what());
    return -1;
  }
}
