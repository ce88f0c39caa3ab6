// Turning logits into the next token. Pure functions plus a small seeded
// generator whose sequence is the same on every platform.
//
// Thread safety: the free functions are reentrant; an Rng must not be shared
// between threads without a lock.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "zaya/types.h"

namespace zaya {

struct SamplingParams {
  // 0 = greedy (argmax; top-k/top-p/min-p are then irrelevant).
  float temperature = 0.0f;
  int top_k = 0;                     // keep the k most likely tokens; 0 = off
  float top_p = 1.0f;                // keep the smallest set whose probability reaches top_p; 1 = off
  float min_p = 0.0f;                // drop tokens with p < min_p · p_max; 0 = off
  float repetition_penalty = 1.0f;   // HF style: logit > 0 ? logit / r : logit · r, for tokens already in the context
  int repetition_window = 0;         // look back this many tokens; 0 = the whole context
  std::optional<std::uint64_t> seed; // Session::generate() reseeds with it when set
  std::vector<TokenId> stop_ids;     // generation ends after emitting one of these
};

// A 64-bit Mersenne Twister with a portable uniform draw.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }
  void reseed(std::uint64_t seed);
  double uniform();  // [0, 1)
 private:
  std::uint64_t mt_[312];
  int index_ = 312;
  std::uint64_t next();
};

// Applies the repetition penalty in place. history: tokens of the context.
void apply_repetition_penalty(std::span<float> logits, std::span<const TokenId> history, float penalty, int window);

// The tokens sampling may pick after temperature, top-k, top-p and min-p, in
// order of decreasing probability, with probabilities renormalised over the
// kept set. Expects penalised logits; temperature must be > 0.
std::vector<std::pair<TokenId, float>> sampling_candidates(std::span<const float> logits, const SamplingParams& p);

// Full pipeline: penalty, then greedy or a draw from sampling_candidates.
TokenId sample_token(std::span<const float> logits, const SamplingParams& p, std::span<const TokenId> history, Rng& rng);

// log softmax(logits)[id], computed stably.
float token_logprob(std::span<const float> logits, TokenId id);

}  // namespace zaya
