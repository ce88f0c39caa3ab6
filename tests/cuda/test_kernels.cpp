// Every CUDA kernel against the CPU reference (inference/src/cpu/,
// kernels/matmul.h) on fresh random inputs, with the bound stated per test.
// Without a CUDA device each test reports "skipped: no CUDA device".
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

#include "cpu/layers.h"
#include "cpu/ops.h"
#include "cuda_test_util.h"
#include "kernels/convert.h"
#include "kernels/matmul.h"
#include "quant/quant_format.h"
#include "util/thread_pool.h"

namespace zaya::test {
namespace {

using cuda::GemvEpilogue;

const DType kAllTypes[] = {DType::F32, DType::BF16, DType::F16, DType::F8_E4M3, DType::Q8_G32, DType::Q4_G32};

double gelu_d(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double silu_d(double x) { return x / (1.0 + std::exp(-x)); }

// GEMV: fp32 accumulation, so |y − ref| ≤ 1e-5·Σ|w·x| (+1e-6) on every row,
// for every storage format, both prologues and every epilogue.
TEST(CudaKernels, GemvEveryFormatAndEpilogue) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  for (DType t : kAllTypes) {
    for (std::int64_t cols : {std::int64_t{520}, std::int64_t{2048}}) {
      SCOPED_TRACE(std::string(dtype_name(t)) + " cols " + std::to_string(cols));
      const std::int64_t rows = 301, E = 3;
      TestMatrix m(t, rows, cols, static_cast<int>(E));
      const auto x = random_vector(static_cast<std::size_t>(cols), -2.0f, 2.0f);
      const auto nw = random_vector(static_cast<std::size_t>(cols), 0.5f, 1.5f);
      std::vector<float> xn(x.size());
      cpu::rmsnorm(x.data(), nw.data(), 1, cols, 1e-5, xn.data());
      const auto bias = random_vector(rows), sscale = random_vector(rows), res = random_vector(rows);
      const auto hb = random_vector(rows), hs = random_vector(rows), rb = random_vector(rows), rs = random_vector(rows);
      const auto y0 = random_vector(rows);
      Dev<float> dx(x), dnw(nw), dbias(bias), dss(sscale), dres(res), dhb(hb), dhs(hs), drb(rb), drs(rs);
      Dev<float> dy(static_cast<std::size_t>(rows));
      const float gate = 0.37f;
      Dev<float> dgate(std::vector<float>{gate});
      for (int expert : {0, 2, 3}) {  // 3 = skip
        for (bool norm : {false, true}) {
          for (GemvEpilogue epi : {GemvEpilogue::Store, GemvEpilogue::BiasGelu, GemvEpilogue::RouterState,
                                   GemvEpilogue::Merge, GemvEpilogue::SwiGLU}) {
            SCOPED_TRACE("expert " + std::to_string(expert) + " norm " + std::to_string(norm) + " epilogue " +
                         std::to_string(static_cast<int>(epi)));
            Dev<int> dexp(std::vector<int>{expert});
            dy.fill(y0);
            cuda::GemvArgs a;
            a.w = m.dev, a.x = dx.get(), a.y = dy.get(), a.norm_weight = norm ? dnw.get() : nullptr;
            a.expert = dexp.get(), a.num_experts = static_cast<int>(E), a.epilogue = epi;
            a.bias = dbias.get(), a.state_scale = dss.get(), a.gate = dgate.get(), a.residual = dres.get();
            a.merge = {dhb.get(), dhs.get(), drb.get(), drs.get()};
            cuda::gemv(a, nullptr);
            const auto y = dy.host();
            const bool skip = expert >= E;
            std::vector<double> acc, mag;
            reference_products(m.ref[skip ? 0 : expert], rows, cols, norm ? xn : x, acc, mag);
            if (skip) std::fill(acc.begin(), acc.end(), 0.0), std::fill(mag.begin(), mag.end(), 0.0);
            const std::int64_t outs = epi == GemvEpilogue::SwiGLU ? rows / 2 : rows;
            for (std::int64_t r = 0; r < outs; ++r) {
              double want = 0, tol = 1e-5 * mag[r] + 1e-6;
              switch (epi) {
                case GemvEpilogue::Store: want = acc[r]; break;
                case GemvEpilogue::BiasGelu: want = gelu_d(acc[r] + bias[r]); break;
                case GemvEpilogue::RouterState: want = acc[r] + bias[r] + static_cast<double>(y0[r]) * sscale[r]; break;
                case GemvEpilogue::Merge:
                  want = (acc[r] * (skip ? 1.0 : gate) + hb[r]) * hs[r] + (static_cast<double>(res[r]) + rb[r]) * rs[r];
                  tol *= std::fabs(hs[r]) * gate + 1e-6;
                  tol += 1e-6;
                  break;
                case GemvEpilogue::SwiGLU:
                  want = skip ? 0.0 : silu_d(acc[r]) * acc[r + rows / 2];
                  tol = 1e-5 * (mag[r] * std::fabs(acc[r + rows / 2]) + mag[r + rows / 2] * std::fabs(acc[r])) + 1e-6;
                  break;
              }
              ASSERT_NEAR(y[r], want, tol) << "row " << r;
            }
            if (epi == GemvEpilogue::SwiGLU) {  // nothing written past rows/2
              for (std::int64_t r = outs; r < rows; ++r) ASSERT_EQ(y[r], y0[r]) << "row " << r;
            }
          }
        }
      }
    }
  }
}

// fp32 GEMM (exact-mode prefill): |y − ref| ≤ 1e-5·Σ|w·x| (+1e-6); columns
// past W.rows in each output row stay untouched.
TEST(CudaKernels, GemmF32EveryFormat) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  for (DType t : kAllTypes) {
    SCOPED_TRACE(dtype_name(t));
    const std::int64_t rows = 150, cols = 200, S = 37, ldx = cols + 3, ldy = rows + 5;
    TestMatrix m(t, rows, cols);
    const auto x = random_vector(static_cast<std::size_t>(S * ldx));
    const std::vector<float> poison(static_cast<std::size_t>(S * ldy), 12345.0f);
    Dev<float> dx(x), dy(poison);
    cuda::gemm_f32(m.dev, dx.get(), ldx, S, dy.get(), ldy, nullptr);
    const auto y = dy.host();
    for (std::int64_t s = 0; s < S; ++s) {
      std::vector<float> xs(x.begin() + s * ldx, x.begin() + s * ldx + cols);
      std::vector<double> acc, mag;
      reference_products(m.ref[0], rows, cols, xs, acc, mag);
      for (std::int64_t r = 0; r < rows; ++r) ASSERT_NEAR(y[s * ldy + r], acc[r], 1e-5 * mag[r] + 1e-6) << s << "," << r;
      for (std::int64_t r = rows; r < ldy; ++r) ASSERT_EQ(y[s * ldy + r], 12345.0f);
    }
  }
}

// Widening to bf16 for cuBLAS: equal to the CPU's widened value rounded to
// bf16 (same fp32 product, same rounding), so the bound is exact equality.
TEST(CudaKernels, DequantizeToBf16) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  for (DType t : kAllTypes) {
    SCOPED_TRACE(dtype_name(t));
    const std::int64_t rows = 70, cols = 96;
    TestMatrix m(t, rows, cols);
    Dev<std::uint16_t> out(static_cast<std::size_t>(rows * cols));
    cuda::dequantize_bf16(m.dev, out.get(), nullptr);
    const auto got = out.host();
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], f32_to_bf16(m.ref[0][i])) << i;
  }
  const auto x = random_vector(1000, -100.0f, 100.0f);
  Dev<float> dx(x);
  Dev<std::uint16_t> out(x.size());
  cuda::to_bf16(dx.get(), static_cast<std::int64_t>(x.size()), out.get(), nullptr);
  const auto got = out.host();
  for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(got[i], f32_to_bf16(x[i]));
}

// Row operations against cpu/ops.h: RMSNorm within 2e-6 relative (fp32 vs
// double statistics); the residual merge, bias+GELU, SwiGLU and router-state
// steps are the same fp32 expression: within 1e-6 relative.
TEST(CudaKernels, RowOperations) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  const std::int64_t S = 19, H = 2048;
  const auto x = random_vector(static_cast<std::size_t>(S * H), -3.0f, 3.0f), w = random_vector(H, 0.2f, 2.0f);
  Dev<float> dx(x), dw(w), dy(static_cast<std::size_t>(S * H));
  Dev<std::uint16_t> dy16(static_cast<std::size_t>(S * H));
  cuda::rmsnorm_rows(dx.get(), dw.get(), S, H, 1e-5f, dy.get(), dy16.get(), nullptr);
  std::vector<float> ref(x.size());
  cpu::rmsnorm(x.data(), w.data(), S, H, 1e-5, ref.data());
  const auto y = dy.host();
  const auto y16 = dy16.host();
  for (std::size_t i = 0; i < y.size(); ++i) {
    ASSERT_NEAR(y[i], ref[i], 2e-6 * std::fabs(ref[i]) + 1e-7) << i;
    ASSERT_EQ(y16[i], f32_to_bf16(y[i])) << i;
  }

  ResidualMerge m{random_vector(H), random_vector(H), random_vector(H), random_vector(H)};
  const auto a = random_vector(static_cast<std::size_t>(S * H));
  Dev<float> da(a), hs(m.hidden_scale), hb(m.hidden_bias), rs(m.residual_scale), rb(m.residual_bias);
  cuda::merge_rows(da.get(), dx.get(), {hb.get(), hs.get(), rb.get(), rs.get()}, S, H, dy.get(), nullptr);
  cpu::residual_merge(a.data(), x.data(), m, S, H, ref.data());
  auto got = dy.host();
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], ref[i], 1e-6 * (std::fabs(ref[i]) + 1)) << i;

  const std::int64_t D = 256;
  const auto z = random_vector(static_cast<std::size_t>(S * D), -4.0f, 4.0f), b = random_vector(D);
  Dev<float> dz(z), db(b);
  cuda::bias_gelu_rows(dz.get(), db.get(), S, D, nullptr, nullptr);
  got = dz.host();
  for (std::int64_t i = 0; i < S * D; ++i) ASSERT_NEAR(got[i], cpu::gelu_erf(z[i] + b[i % D]), 1e-6 * (std::fabs(z[i]) + 1));

  const auto rho = random_vector(static_cast<std::size_t>(S * D)), eda = random_vector(D);
  Dev<float> drho(rho), deda(eda), dz2(z);
  cuda::router_state_rows(dz2.get(), db.get(), deda.get(), S, D, drho.get(), nullptr);
  got = drho.host();
  for (std::int64_t i = 0; i < S * D; ++i) ASSERT_NEAR(got[i], z[i] + b[i % D] + rho[i] * eda[i % D], 1e-6 * (std::fabs(z[i]) + 2));

  const std::int64_t I = 300;
  const auto gu = random_vector(static_cast<std::size_t>(S * 2 * I), -5.0f, 5.0f);
  Dev<float> dgu(gu), dact(static_cast<std::size_t>(S * I));
  cuda::swiglu_rows(dgu.get(), S, I, dact.get(), nullptr, nullptr);
  got = dact.host();
  for (std::int64_t s = 0; s < S; ++s)
    for (std::int64_t j = 0; j < I; ++j) {
      const float want = cpu::silu(gu[s * 2 * I + j]) * gu[s * 2 * I + I + j];
      ASSERT_NEAR(got[s * I + j], want, 1e-6 * (std::fabs(want) + 1));
    }
}

// Embedding lookup for every format: (row + bias)·scale, the same fp32 expression as the CPU.
TEST(CudaKernels, Embedding) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  for (DType t : kAllTypes) {
    SCOPED_TRACE(dtype_name(t));
    const std::int64_t V = 97, H = 136;
    TestMatrix m(t, V, H);
    std::vector<int> ids(23);
    for (auto& id : ids) id = static_cast<int>(rng()() % V);
    const auto ib = random_vector(H), is = random_vector(H);
    Dev<int> dids(ids);
    Dev<float> dib(ib), dis(is), dh(ids.size() * H);
    cuda::embed(m.dev, dids.get(), static_cast<std::int64_t>(ids.size()), dib.get(), dis.get(), dh.get(), nullptr);
    const auto h = dh.host();
    for (std::size_t s = 0; s < ids.size(); ++s)
      for (std::int64_t i = 0; i < H; ++i)
        ASSERT_FLOAT_EQ(h[s * H + i], (m.ref[0][ids[s] * H + i] + ib[i]) * is[i]);
  }
}

// Router head: logits, softmax over E+1 classes, biased top-1, unbiased
// weight (0 for skip). Decisions must match the CPU rule wherever the biased
// margin exceeds 1e-5; probabilities within 1e-5.
TEST(CudaKernels, RouterSelect) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  for (DType t : {DType::F32, DType::BF16}) {
    const std::int64_t S = 200, D = 256, E = 16;
    TestMatrix m(t, E + 1, D);
    const auto z = random_vector(static_cast<std::size_t>(S * D), -2.0f, 2.0f);
    auto bal = random_vector(E + 1, -0.05f, 0.05f);
    bal[E] = 0.02f;  // let the skip class win sometimes
    Dev<float> dz(z), dbal(bal), dw(static_cast<std::size_t>(S));
    Dev<int> dc(static_cast<std::size_t>(S));
    Dev<RoutingDecision> dr(static_cast<std::size_t>(S * 3));
    cuda::router_select(m.dev, dz.get(), dbal.get(), S, static_cast<int>(E), 7, 3, dc.get(), dw.get(), dr.get() + 1, nullptr);
    const auto choice = dc.host();
    const auto weight = dw.host();
    const auto routing = dr.host();
    int skips = 0;
    for (std::int64_t s = 0; s < S; ++s) {
      std::vector<float> p(static_cast<std::size_t>(E + 1));
      for (std::int64_t k = 0; k <= E; ++k) {
        double acc = 0;
        for (std::int64_t c = 0; c < D; ++c) acc += static_cast<double>(m.ref[0][k * D + c]) * z[s * D + c];
        p[k] = static_cast<float>(acc);
      }
      cpu::softmax(p.data(), E + 1);
      std::vector<int> order(static_cast<std::size_t>(E + 1));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p[a] + bal[a] > p[b] + bal[b]; });
      const int best = order[0];
      const double margin = (p[order[0]] + bal[order[0]]) - (p[order[1]] + bal[order[1]]);
      if (margin > 1e-5) {
        ASSERT_EQ(choice[s], best) << "token " << s;
      }
      const RoutingDecision& r = routing[s * 3 + 1];
      ASSERT_EQ(r.layer, 7);
      ASSERT_EQ(r.expert, choice[s]);
      ASSERT_NEAR(r.prob, p[choice[s]], 1e-5);
      ASSERT_EQ(weight[s], choice[s] == E ? 0.0f : r.prob);
      ASSERT_EQ(r.weight, weight[s]);
      skips += choice[s] == E;
    }
    EXPECT_GT(skips, 0) << "the skip class was never chosen; the test lost its point";
  }
}

// Grouping by expert is a stable counting sort; gather/scatter move rows exactly.
TEST(CudaKernels, GroupGatherScatter) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  const std::int64_t S = 3000, H = 40;
  const int classes = 17, E = 16;
  std::vector<int> choice(S);
  for (auto& c : choice) c = static_cast<int>(rng()() % classes);
  Dev<int> dc(choice), dperm(S), doff(classes + 1);
  cuda::group_by_class(dc.get(), S, classes, dperm.get(), doff.get(), nullptr);
  const auto perm = dperm.host();
  const auto off = doff.host();
  std::vector<int> want(S);
  std::iota(want.begin(), want.end(), 0);
  std::stable_sort(want.begin(), want.end(), [&](int a, int b) { return choice[a] < choice[b]; });
  ASSERT_EQ(perm, want);
  for (int k = 0; k <= classes; ++k)
    ASSERT_EQ(off[k], std::count_if(choice.begin(), choice.end(), [&](int c) { return c < k; }));

  const auto x = random_vector(static_cast<std::size_t>(S * H)), wt = random_vector(S, 0.0f, 1.0f);
  Dev<float> dx(x), dg(static_cast<std::size_t>(S * H)), dwt(wt), dout(static_cast<std::size_t>(S * H));
  Dev<std::uint16_t> dg16(static_cast<std::size_t>(S * H));
  cuda::gather_rows(dx.get(), dperm.get(), S, H, dg.get(), dg16.get(), nullptr);
  const auto g = dg.host();
  for (std::int64_t i = 0; i < S; ++i)
    for (std::int64_t c = 0; c < H; ++c) ASSERT_EQ(g[i * H + c], x[perm[i] * H + c]);
  cuda::scatter_expert_rows(dg.get(), dperm.get(), dc.get(), dwt.get(), S, H, E, dout.get(), nullptr);
  const auto out = dout.host();
  for (std::int64_t t = 0; t < S; ++t)
    for (std::int64_t c = 0; c < H; ++c) ASSERT_EQ(out[t * H + c], choice[t] == E ? 0.0f : wt[t] * x[t * H + c]);
}

// Greedy pick over the whole vocabulary; ties go to the first index.
TEST(CudaKernels, Argmax) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  const std::int64_t n = 262272;
  auto x = random_vector(static_cast<std::size_t>(n), -10.0f, 10.0f);
  const std::int64_t a = static_cast<std::int64_t>(rng()() % n), b = static_cast<std::int64_t>(rng()() % n);
  x[a] = 11.0f;
  x[b] = 11.0f;
  Dev<float> dx(x);
  Dev<int> out(1);
  Dev<float> scratch(cuda::kArgmaxScratch);
  cuda::argmax(dx.get(), n, out.get(), scratch.get(), nullptr);
  EXPECT_EQ(out.host()[0], std::min(a, b));
}

// ---------------------------------------------------------------- CCA ---

struct CcaCase {
  ModelConfig c;
  LayerWeights w;
  std::vector<std::vector<float>> mats;  // storage of the F32 projection matrices
};

WeightMatrix f32_matrix(std::vector<std::vector<float>>& store, std::int64_t rows, std::int64_t cols) {
  store.push_back(random_vector(static_cast<std::size_t>(rows * cols), -0.3f, 0.3f));
  WeightMatrix m;
  m.dtype = DType::F32, m.rows = rows, m.cols = cols, m.data = store.back().data(), m.row_stride_bytes = cols * 4;
  return m;
}

void make_cca_case(CcaCase& k, std::int64_t H, std::int64_t nq, std::int64_t nkv, std::int64_t d) {
  ModelConfig& c = k.c;
  c.hidden_size = H, c.num_layers = 1, c.num_heads = nq, c.num_kv_heads = nkv, c.head_dim = d;
  c.cca_time0 = 2, c.cca_time1 = 2, c.layer_types = {LayerType::Hybrid};
  c.rope_hybrid = {5e6, 0.5};
  c.vocab_size = 16, c.num_experts = 2, c.moe_intermediate_size = 8, c.router_hidden_size = 8;
  const std::int64_t C = c.conv_channels(), R = c.value_half();
  k.mats.reserve(8);
  LayerWeights& w = k.w;
  w.q_proj = f32_matrix(k.mats, nq * d, H);
  w.k_proj = f32_matrix(k.mats, nkv * d, H);
  w.v_current = f32_matrix(k.mats, R, H);
  w.v_delayed = f32_matrix(k.mats, R, H);
  w.o_proj = f32_matrix(k.mats, H, nq * d);
  w.conv0_weight = random_vector(static_cast<std::size_t>(C * 2));
  w.conv0_bias = random_vector(static_cast<std::size_t>(C), -0.2f, 0.2f);
  w.conv1_weight = random_vector(static_cast<std::size_t>(C * d * 2), -0.1f, 0.1f);
  w.conv1_bias = random_vector(static_cast<std::size_t>(C), -0.2f, 0.2f);
  w.key_temperature = random_vector(static_cast<std::size_t>(nkv), 0.8f, 3.0f);
}

// CCA chunk after chunk (13 tokens = two tiles with a separate tail update,
// 1 token = the decode path updating the tail in-kernel, then 5 more) against
// cpu::cca_attention: queries, cached keys/values and the decode state within
// 2e-5 of each tensor's largest value (fp32 caches); fp16 caches within
// 1e-3 relative (+1e-3) per value.
TEST(CudaKernels, CcaAgainstCpuChunkByChunk) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  for (auto shape : {std::array<std::int64_t, 4>{64, 4, 2, 16}, std::array<std::int64_t, 4>{256, 8, 2, 128}}) {
    for (bool half : {false, true}) {
      SCOPED_TRACE("d " + std::to_string(shape[3]) + (half ? " fp16" : " fp32"));
      CcaCase k;
      make_cca_case(k, shape[0], shape[1], shape[2], shape[3]);
      const ModelConfig& c = k.c;
      const std::int64_t H = c.hidden_size, C = c.conv_channels(), KW = c.kv_width(), R = c.value_half(), QW = c.q_width();
      const std::int64_t ldu = C + KW, Tc = c.conv_tail(), total = 19;
      cpu::LayerState st;
      st.k_cache = cpu::KvCache(KvCacheType::F32, c.num_kv_heads, c.head_dim);  // [nkv, total, d] fp32
      st.k_cache.grow(total, 0);
      st.v_cache = st.k_cache;
      st.conv_tail.assign(static_cast<std::size_t>(Tc * C), 0.0f);
      st.v_delayed.assign(static_cast<std::size_t>(R), 0.0f);
      ThreadPool pool(2);

      std::vector<float> inv(static_cast<std::size_t>(c.rotary_dims(0) / 2));
      for (std::size_t j = 0; j < inv.size(); ++j)
        inv[j] = 1.0f / std::pow(5e6f, static_cast<float>(2 * j) / static_cast<float>(c.rotary_dims(0)));
      std::vector<float> wt(k.w.conv1_weight.size());
      const std::int64_t d = c.head_dim;
      for (std::int64_t ch = 0; ch < C; ++ch)
        for (std::int64_t ci = 0; ci < d; ++ci)
          for (std::int64_t j = 0; j < 2; ++j)
            wt[((ch / d * 2 + j) * d + ci) * d + ch % d] = k.w.conv1_weight[(ch * d + ci) * 2 + j];
      Dev<float> c0w(k.w.conv0_weight), c0b(k.w.conv0_bias), c1w(wt), c1b(k.w.conv1_bias), temp(k.w.key_temperature), dinv(inv);
      Dev<float> tail(std::vector<float>(static_cast<std::size_t>(Tc * ldu), 0.0f));
      Dev<float> kc(static_cast<std::size_t>(total * KW)), vc(static_cast<std::size_t>(total * KW));
      cuda::CcaParams p;
      p.nq = static_cast<int>(c.num_heads), p.nkv = static_cast<int>(c.num_kv_heads), p.d = static_cast<int>(d);
      p.K0 = 2, p.K1 = 2, p.Tc = static_cast<int>(Tc), p.rot = static_cast<int>(c.rotary_dims(0)), p.ldu = ldu;
      p.conv0_w = c0w.get(), p.conv0_b = c0b.get(), p.conv1_wt = c1w.get(), p.conv1_b = c1b.get();
      p.key_temp = temp.get(), p.inv_freq = dinv.get(), p.kv_half = half;

      std::int64_t p0 = 0;
      for (std::int64_t S : {13, 1, 5}) {
        SCOPED_TRACE("chunk of " + std::to_string(S) + " at " + std::to_string(p0));
        const auto x = random_vector(static_cast<std::size_t>(S * H));
        std::map<std::string, std::vector<float>> got;
        TraceSink sink = [&](const std::string& name, const float* data, const std::vector<std::int64_t>& shape) {
          std::int64_t n = 1;
          for (auto e : shape) n *= e;
          got[name].assign(data, data + n);
        };
        std::vector<float> out(static_cast<std::size_t>(S * H));
        cpu::cca_attention(c, k.w, cpu::loaded_matrices(k.w), 0, x.data(), S, p0, st, out.data(), pool, cpu::LayerTrace{&sink, 0});
        // The projection rows the GPU kernel consumes: q | k (from the trace) | v_current | v_delayed.
        std::vector<float> vcur(static_cast<std::size_t>(S * R)), vdel(static_cast<std::size_t>(S * R));
        matmul(k.w.v_current, x.data(), S, vcur.data(), pool);
        matmul(k.w.v_delayed, x.data(), S, vdel.data(), pool);
        std::vector<float> u(static_cast<std::size_t>(S * ldu));
        for (std::int64_t t = 0; t < S; ++t) {
          std::copy_n(got["L0.attn.qk_raw"].begin() + t * C, C, u.begin() + t * ldu);
          std::copy_n(vcur.begin() + t * R, R, u.begin() + t * ldu + C);
          std::copy_n(vdel.begin() + t * R, R, u.begin() + t * ldu + C + R);
        }
        Dev<float> du(u), dq(static_cast<std::size_t>(S * QW));
        Dev<int> dp0(std::vector<int>{static_cast<int>(p0)});
        if (half) {
          Dev<std::uint16_t> kh(static_cast<std::size_t>(total * KW)), vh(static_cast<std::size_t>(total * KW));
          // fp16 caches live only for this chunk's comparison: write, then read back.
          cuda::cca(p, du.get(), S, tail.get(), dp0.get(), dq.get(), kh.get(), vh.get(), nullptr);
          const auto kk = kh.host(), vv = vh.host();
          for (std::int64_t i = 0; i < S * KW; ++i) {
            const float kw = got["L0.attn.key_final"][i], vw = got["L0.attn.value"][i];
            ASSERT_NEAR(f16_to_f32(kk[p0 * KW + i]), kw, 1e-3 * std::fabs(kw) + 1e-3) << i;
            ASSERT_NEAR(f16_to_f32(vv[p0 * KW + i]), vw, 1e-3 * std::fabs(vw) + 1e-3) << i;
          }
        } else {
          cuda::cca(p, du.get(), S, tail.get(), dp0.get(), dq.get(), kc.get(), vc.get(), nullptr);
          const auto kk = kc.host(), vv = vc.host();
          std::vector<double> kref(got["L0.attn.key_final"].begin(), got["L0.attn.key_final"].end());
          std::vector<double> vref(got["L0.attn.value"].begin(), got["L0.attn.value"].end());
          EXPECT_LE(max_rel_error(std::vector<float>(kk.begin() + p0 * KW, kk.begin() + (p0 + S) * KW), kref), 2e-5);
          EXPECT_LE(max_rel_error(std::vector<float>(vv.begin() + p0 * KW, vv.begin() + (p0 + S) * KW), vref), 2e-5);
        }
        std::vector<double> qref(got["L0.attn.query_final"].begin(), got["L0.attn.query_final"].end());
        EXPECT_LE(max_rel_error(dq.host(), qref), 2e-5);
        // Decode state: the tail's q|k columns = the CPU conv tail, the last
        // row's delayed-value columns = the CPU delayed value.
        const auto tl = tail.host();
        for (std::int64_t i = 0; i < Tc; ++i)
          for (std::int64_t ch = 0; ch < C; ++ch) ASSERT_EQ(tl[i * ldu + ch], st.conv_tail[i * C + ch]) << i << "," << ch;
        for (std::int64_t e = 0; e < R; ++e) ASSERT_EQ(tl[(Tc - 1) * ldu + C + R + e], st.v_delayed[e]) << e;
        p0 += S;
      }
    }
  }
}

// ---------------------------------------------------------- attention ---

// Attention against a float64 reference computed from the stored (fp32 or
// fp16-rounded) keys/values: relative error ≤ 1e-5 of the largest context
// value, for prefill (one split), decode split 7 and 64 ways, and a sliding window.
TEST(CudaKernels, AttentionAgainstFloat64) {
  ZAYA_REQUIRE_CUDA_DEVICE();
  struct Case { int nq, nkv, d; std::int64_t p0, S; int nsplit, window; bool half; };
  const Case cases[] = {{8, 2, 128, 0, 40, 1, 0, false},  {8, 2, 128, 300, 1, 1, 0, false}, {8, 2, 128, 300, 1, 7, 0, false},
                        {8, 2, 128, 999, 1, 64, 0, true}, {4, 2, 16, 50, 9, 1, 16, false},  {8, 2, 128, 70, 3, 1, 0, true},
                        {8, 8, 64, 20, 2, 4, 0, false},   {8, 1, 32, 33, 1, 5, 10, true}};
  for (const Case& k : cases) {
    SCOPED_TRACE("nq " + std::to_string(k.nq) + " nkv " + std::to_string(k.nkv) + " d " + std::to_string(k.d) + " p0 " +
                 std::to_string(k.p0) + " S " + std::to_string(k.S) + " splits " + std::to_string(k.nsplit) + " window " +
                 std::to_string(k.window) + (k.half ? " fp16" : " fp32"));
    const std::int64_t T = k.p0 + k.S, KW = static_cast<std::int64_t>(k.nkv) * k.d, QW = static_cast<std::int64_t>(k.nq) * k.d;
    auto q = random_vector(static_cast<std::size_t>(k.S * QW), -0.5f, 0.5f);
    auto kf = random_vector(static_cast<std::size_t>(T * KW), -0.5f, 0.5f), vf = random_vector(static_cast<std::size_t>(T * KW));
    std::vector<std::uint16_t> kh(kf.size()), vh(vf.size());
    if (k.half)
      for (std::size_t i = 0; i < kf.size(); ++i) {
        kh[i] = quant::f32_to_f16(kf[i]), kf[i] = f16_to_f32(kh[i]);
        vh[i] = quant::f32_to_f16(vf[i]), vf[i] = f16_to_f32(vh[i]);
      }
    Dev<float> dq(q), dkf(kf), dvf(vf), dctx(static_cast<std::size_t>(k.S * QW));
    Dev<std::uint16_t> dkh(kh), dvh(vh);
    Dev<float> partial(static_cast<std::size_t>(k.S * k.nq * k.nsplit * (k.d + 2)));
    Dev<int> dp0(std::vector<int>{static_cast<int>(k.p0)});
    cuda::AttnParams ap;
    ap.nq = k.nq, ap.nkv = k.nkv, ap.d = k.d, ap.window = k.window, ap.kv_half = k.half;
    cuda::attention(ap, dq.get(), k.half ? static_cast<const void*>(dkh.get()) : dkf.get(),
                    k.half ? static_cast<const void*>(dvh.get()) : dvf.get(), dp0.get(), k.S, k.nsplit, partial.get(),
                    dctx.get(), nullptr);
    std::vector<double> ref(static_cast<std::size_t>(k.S * QW));
    const int G = k.nq / k.nkv;
    for (std::int64_t t = 0; t < k.S; ++t)
      for (int h = 0; h < k.nq; ++h) {
        const std::int64_t pos = k.p0 + t, first = k.window > 0 ? std::max<std::int64_t>(0, pos - k.window + 1) : 0;
        const int g = h / G;
        std::vector<double> s;
        for (std::int64_t j = first; j <= pos; ++j) {
          double dot = 0;
          for (int e = 0; e < k.d; ++e) dot += static_cast<double>(q[t * QW + h * k.d + e]) * kf[j * KW + g * k.d + e];
          s.push_back(dot / std::sqrt(static_cast<double>(k.d)));
        }
        const double mx = *std::max_element(s.begin(), s.end());
        double sum = 0;
        for (auto& v : s) sum += (v = std::exp(v - mx));
        for (int e = 0; e < k.d; ++e) {
          double acc = 0;
          for (std::size_t j = 0; j < s.size(); ++j) acc += s[j] / sum * vf[(first + j) * KW + g * k.d + e];
          ref[t * QW + h * k.d + e] = acc;
        }
      }
    EXPECT_LE(max_rel_error(dctx.host(), ref), 1e-5);
  }
}

}  // namespace
}  // namespace zaya::test
