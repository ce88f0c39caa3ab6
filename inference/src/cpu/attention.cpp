// CCA: compressed convolutional attention (spec §4.4).
#include <cfloat>
#include <cmath>
#include <cstring>
#include <vector>

#include "cpu/attention_decode.h"
#include "cpu/attention_tiles.h"
#include "cpu/layers.h"
#include "cpu/ops.h"
#include "cpu/scratch.h"
#include "kernels/matmul.h"
#include "util/stage_clock.h"

namespace zaya::cpu {
namespace {

// x ← x · √d / max(‖x‖, ε) · scale, one head of d values.
void normalize_head(float* x, std::int64_t d, float scale) {
  const double ss = sum_squares(x, d);
  const float norm = std::max(static_cast<float>(std::sqrt(ss)), FLT_EPSILON);
  const float f = std::sqrt(static_cast<float>(d)) / norm * scale;
  for (std::int64_t i = 0; i < d; ++i) x[i] *= f;
}

// NeoX half-split RoPE on the first `rot` dims of one head; cos/sin: [rot/2].
void rope_head(float* x, const float* cos_t, const float* sin_t, std::int64_t rot) {
  const std::int64_t half = rot / 2;
  for (std::int64_t j = 0; j < half; ++j) {
    const float a = x[j], b = x[j + half];
    x[j] = a * cos_t[j] - b * sin_t[j];
    x[j + half] = b * cos_t[j] + a * sin_t[j];
  }
}

// This thread's temporaries of cca_attention (see scratch.h).
struct AttentionScratch {
  std::vector<float> q, k, U, z, conv0_taps, co, conv_cols, conv_out, Q, K, vc, vdn, V, ctx, inv_freq, cs, sn;
};

// Chunks at least this long run the grouped conv as one matmul per group;
// shorter ones (decode) as one dot product per output channel.
constexpr std::int64_t kConvGemmTokens = 4;

}  // namespace

void cca_attention(const ModelConfig& c, const LayerWeights& w, const LayerMatrices& m, std::int64_t layer, const float* x, std::int64_t S,
                   std::int64_t p0, LayerState& st, float* out, ThreadPool& pool, const LayerTrace& trace) {
  const std::int64_t nq = c.num_heads, nkv = c.num_kv_heads, d = c.head_dim, G = c.group_size();
  const std::int64_t C = c.conv_channels(), Tc = c.conv_tail(), K0 = c.cca_time0, K1 = c.cca_time1;
  const std::int64_t R = c.value_half(), QW = nq * d, KW = nkv * d;
  thread_local AttentionScratch scratch;
  StageTimeline clock(Stage::Projections);

  // 1. Projections, packed after the previous positions' raw rows. The value
  // halves read the same x, so all four go through the pool together.
  std::span<float> q = grow(scratch.q, S * QW);        // [S, nq·d]
  std::span<float> k = grow(scratch.k, S * KW);        // [S, nkv·d]
  std::span<float> vc = grow(scratch.vc, S * R);       // [S, R]
  std::span<float> vdn = grow(scratch.vdn, S * R);     // [S, R] delayed projection of this chunk's tokens
  {
    const WeightMatrix* projections[] = {&m.q_proj, &m.k_proj, &m.v_current, &m.v_delayed};
    float* outputs[] = {q.data(), k.data(), vc.data(), vdn.data()};
    matmul_shared_input(projections, outputs, x, S, pool);
  }
  std::span<float> U = grow(scratch.U, (Tc + S) * C);  // [T_c + S, C]: tail rows, then [q|k] of this chunk
  std::copy(st.conv_tail.begin(), st.conv_tail.end(), U.begin());
  for_token_rows(pool, S, [&](std::int64_t t0, std::int64_t t1) {
    for (std::int64_t t = t0; t < t1; ++t) {
      float* row = U.data() + (Tc + t) * C;
      std::memcpy(row, q.data() + t * QW, sizeof(float) * QW);
      std::memcpy(row + QW, k.data() + t * KW, sizeof(float) * KW);
    }
  });
  trace("attn.qk_raw", U.data() + Tc * C, {S, C});

  clock.at(Stage::Convolution);
  // 3a. Depthwise causal conv (cross-correlation: last tap = newest row).
  const std::int64_t Z = S + K1 - 1;
  std::span<float> z = grow(scratch.z, Z * C);  // [S + K1 - 1, C]
  // The taps tap-major ([K0, C]), so the loop over channels reads each
  // operand contiguously and vectorises; the sums are the same.
  std::span<float> taps = grow(scratch.conv0_taps, K0 * C);  // [K0, C]
  for (std::int64_t ch = 0; ch < C; ++ch)
    for (std::int64_t a = 0; a < K0; ++a) taps[a * C + ch] = w.conv0_weight[ch * K0 + a];
  for_token_rows(pool, Z, [&](std::int64_t j0, std::int64_t j1) {
    for (std::int64_t j = j0; j < j1; ++j) {
      float* zj = z.data() + j * C;
      for (std::int64_t ch = 0; ch < C; ++ch) zj[ch] = w.conv0_bias[ch];
      for (std::int64_t a = 0; a < K0; ++a) {
        const float* u = U.data() + (j + a) * C;
        const float* ta = taps.data() + a * C;
        for (std::int64_t ch = 0; ch < C; ++ch) zj[ch] += ta[ch] * u[ch];
      }
    }
  });
  trace("attn.conv_mid", z.data(), {Z, C});

  // 3b. Grouped conv: one group of d channels per head. Each output channel
  // is one contiguous dot product of its weights [d, K1] with the group's
  // inputs laid out the same way (zi[ci·K1 + j] = z[t + j, g0 + ci]), built
  // once per (group, position) and shared by the group's d outputs.
  // The weights [C, d·K1] are F32 (float checkpoints, older packs) or the
  // pack's own BF16 (half the bytes); both run through the same kernels and
  // give the same sums for bf16-representable weights.
  const WeightMatrix W1 = grouped_conv_matrix(w, C, d * K1);
  std::span<float> co = grow(scratch.co, S * C);  // [S, C]
  if (S >= kConvGemmTokens) {
    // A chunk: per group, the inputs of every position as the rows of one
    // matrix (im2col) and the group's weights [d, d·K1] as a weight matrix,
    // so the matmul's register tile does the work. Every group's inputs are
    // laid out in one pass over the pool, and the biases added in another.
    const std::int64_t groups = C / d;
    const std::span<float> cols = grow(scratch.conv_cols, groups * S * d * K1);  // [C/d, S, d·K1]
    const std::span<float> out = grow(scratch.conv_out, groups * S * d);         // [C/d, S, d]
    for_token_rows(pool, S, [&](std::int64_t t0, std::int64_t t1) {
      for (std::int64_t g = 0; g < groups; ++g)
        for (std::int64_t t = t0; t < t1; ++t) {
          float* row = cols.data() + (g * S + t) * d * K1;
          const float* z0 = z.data() + t * C + g * d;
          if (K1 == 2) {  // ZAYA1's kernel size: two rows interleaved, in vector shuffles
            for (std::int64_t ci = 0; ci < d; ++ci) {
              row[2 * ci] = z0[ci];
              row[2 * ci + 1] = z0[C + ci];
            }
          } else {
            for (std::int64_t ci = 0; ci < d; ++ci)
              for (std::int64_t j = 0; j < K1; ++j) row[ci * K1 + j] = z0[j * C + ci];
          }
        }
    });
    for (std::int64_t g = 0; g < groups; ++g)
      matmul(W1.row_slice(g * d, d), cols.data() + g * S * d * K1, S, out.data() + g * S * d, pool);
    for_token_rows(pool, S, [&](std::int64_t t0, std::int64_t t1) {
      for (std::int64_t g = 0; g < groups; ++g)
        for (std::int64_t t = t0; t < t1; ++t)
          for (std::int64_t o = 0; o < d; ++o) co[t * C + g * d + o] = w.conv1_bias[g * d + o] + out[(g * S + t) * d + o];
    });
  } else pool.parallel_for(C, [&](std::int64_t o0, std::int64_t o1) {
    thread_local std::vector<float> zi_buffer;
    const std::span<float> zi = grow(zi_buffer, d * K1);  // [d, K1] one group's inputs at one position
    for (std::int64_t t = 0; t < S; ++t) {
      std::int64_t built = -1;  // group whose inputs zi holds
      for (std::int64_t o = o0; o < o1; ++o) {
        const std::int64_t g0 = (o / d) * d;
        if (g0 != built) {
          for (std::int64_t ci = 0; ci < d; ++ci)
            for (std::int64_t j = 0; j < K1; ++j) zi[ci * K1 + j] = z[(t + j) * C + g0 + ci];
          built = g0;
        }
        co[t * C + o] = w.conv1_bias[o] + dot_row(W1, o, zi.data());
      }
    }
  }, 8);
  trace("attn.conv_out", co.data(), {S, C});
  // New tail: the last T_c rows of U.
  std::copy(U.end() - Tc * C, U.end(), st.conv_tail.begin());

  clock.at(Stage::QueryKey);
  // Steps 2 and 4 to 7 and the cache append, token by token across the pool
  // in two passes (the traces see the rows before the norm): every token's
  // rows depend only on its own projections and the previous token's
  // delayed value, read before st.v_delayed is replaced.
  std::span<float> Q = grow(scratch.Q, S * QW);  // [S, nq, d]
  std::span<float> K = grow(scratch.K, S * KW);  // [S, nkv, d]
  std::span<float> V = grow(scratch.V, S * KW);  // [S, nkv, d] = concat(vc, vd) cut into heads
  // Partial RoPE's angle table, built in fp32 the way upstream builds it.
  const std::int64_t rot = c.rotary_dims(layer), half = rot / 2;
  const float theta = static_cast<float>(c.rope(layer).theta);
  std::span<float> inv_freq = grow(scratch.inv_freq, half);
  for (std::int64_t j = 0; j < half; ++j)
    inv_freq[j] = 1.0f / std::pow(theta, static_cast<float>(2 * j) / static_cast<float>(rot));
  for_token_rows(pool, S, [&](std::int64_t t0, std::int64_t t1) {
    for (std::int64_t t = t0; t < t1; ++t) {
      // 2 + 4. Mean residuals added after the conv.
      const float* qt = q.data() + t * QW;
      const float* kt = k.data() + t * KW;
      float* Qt = Q.data() + t * QW;
      float* Kt = K.data() + t * KW;
      for (std::int64_t g = 0; g < nkv; ++g)
        for (std::int64_t i = 0; i < d; ++i) {
          float mean = 0;
          for (std::int64_t h = g * G; h < (g + 1) * G; ++h) {
            const float qres = 0.5f * (qt[h * d + i] + kt[g * d + i]);
            Qt[h * d + i] = co[t * C + h * d + i] + qres;
            mean += qres;
          }
          Kt[g * d + i] = co[t * C + QW + g * d + i] + mean / static_cast<float>(G);
        }
      // 5. Values: current-token half, then the previous position's delayed half.
      std::memcpy(V.data() + t * KW, vc.data() + t * R, sizeof(float) * R);
      const float* prev = t == 0 ? st.v_delayed.data() : vdn.data() + (t - 1) * R;
      std::memcpy(V.data() + t * KW + R, prev, sizeof(float) * R);
    }
  });
  trace("attn.query_pre_norm", Q.data(), {S, nq, d});
  trace("attn.key_pre_norm", K.data(), {S, nkv, d});
  trace("attn.value", V.data(), {S, nkv, d});
  for_token_rows(pool, S, [&](std::int64_t t0, std::int64_t t1) {
    thread_local std::vector<float> cs_buffer, sn_buffer;
    const std::span<float> cs = grow(cs_buffer, half), sn = grow(sn_buffer, half);  // [rot / 2] this token's angles
    for (std::int64_t t = t0; t < t1; ++t) {
      float* Qt = Q.data() + t * QW;
      float* Kt = K.data() + t * KW;
      // 6 + 7. qk-norm (keys times their temperature), then partial RoPE.
      const float pos = static_cast<float>(p0 + t);
      for (std::int64_t j = 0; j < half; ++j) {
        const float ang = pos * inv_freq[j];
        cs[j] = std::cos(ang);
        sn[j] = std::sin(ang);
      }
      for (std::int64_t h = 0; h < nq; ++h) {
        float* v = Qt + h * d;
        normalize_head(v, d, 1.0f);
        rope_head(v, cs.data(), sn.data(), rot);
      }
      for (std::int64_t g = 0; g < nkv; ++g) {
        float* v = Kt + g * d;
        normalize_head(v, d, w.key_temperature[g]);
        rope_head(v, cs.data(), sn.data(), rot);
      }
      // Append to the group-major caches (the caller has reserved p0 + S
      // positions), converted to their element type here, once per row.
      for (std::int64_t g = 0; g < nkv; ++g) {
        st.k_cache.store(g, p0 + t, Kt + g * d);
        st.v_cache.store(g, p0 + t, V.data() + t * KW + g * d);
      }
    }
  });
  std::memcpy(st.v_delayed.data(), vdn.data() + (S - 1) * R, sizeof(float) * R);
  trace("attn.query_final", Q.data(), {S, nq, d});
  trace("attn.key_final", K.data(), {S, nkv, d});

  clock.at(Stage::Attention);
  // 8. Causal (optionally sliding-window) softmax attention, GQA.
  std::span<float> ctx = grow(scratch.ctx, S * QW);  // [S, nq·d]
  const std::int64_t window = c.layer_types[static_cast<std::size_t>(layer)] == LayerType::HybridSliding ? c.sliding_window : 0;
  const KvRows keys = st.k_cache.rows(), values = st.v_cache.rows();
  AttentionChunk chunk{S, p0, nq, nkv, d, window, Q.data(), ctx.data()};
  chunk.kv_type = st.k_cache.type();
  chunk.k_cache = keys.data, chunk.k_scales = keys.scales;
  chunk.v_cache = values.data, chunk.v_scales = values.scales;
  chunk.capacity = st.k_cache.capacity();
  AttentionChunk one = chunk;  // one query token of the chunk
  one.S = 1;
  if (decode_applies(chunk)) attend_decode(chunk, pool);
  else if (tiles_apply(chunk)) attend_in_tiles(chunk, pool);
  else if (decode_applies(one)) {
    // No tiles on this CPU (AVX2): the decode kernel, token by token. Every
    // key of the chunk is in the cache already, and the kernel reads only
    // those up to its token's position, so each row is causal as in the tiles.
    // The tokens are shared across the pool (the kernel's own split then runs
    // inline, the same spans in the same order), tokens t and S − 1 − t in
    // one task so that every task reads about as many keys.
    const auto attend_token = [&](std::int64_t t) {
      AttentionChunk row = one;
      row.p0 = p0 + t;
      row.Q = Q.data() + t * QW;
      row.ctx = ctx.data() + t * QW;
      attend_decode(row, pool);
    };
    pool.parallel_for((S + 1) / 2, [&](std::int64_t i0, std::int64_t i1) {
      for (std::int64_t i = i0; i < i1; ++i) {
        attend_token(i);
        if (S - 1 - i != i) attend_token(S - 1 - i);
      }
    });
  } else attend_per_row(chunk, pool);
  trace("attn.context", ctx.data(), {S, QW});

  clock.at(Stage::Projections);
  // 9. Output projection.
  matmul(m.o_proj, ctx.data(), S, out, pool);
  trace("attn.out", out, {S, c.hidden_size});
}

}  // namespace zaya::cpu
