#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <unordered_set>

#include "zaya/sampling.h"

namespace zaya {

// MT19937-64 (Matsumoto & Nishimura), spelled out so draws do not depend on
// the standard library's distribution implementations.
void Rng::reseed(std::uint64_t seed) {
  mt_[0] = seed;
  for (int i = 1; i < 312; ++i) mt_[i] = 6364136223846793005ULL * (mt_[i - 1] ^ (mt_[i - 1] >> 62)) + static_cast<std::uint64_t>(i);
  index_ = 312;
}

std::uint64_t Rng::next() {
  constexpr std::uint64_t kUpper = 0xFFFFFFFF80000000ULL, kLower = 0x7FFFFFFFULL, kMatrix = 0xB5026F5AA96619E9ULL;
  if (index_ >= 312) {
    for (int i = 0; i < 312; ++i) {
      const std::uint64_t x = (mt_[i] & kUpper) | (mt_[(i + 1) % 312] & kLower);
      std::uint64_t xa = x >> 1;
      if (x & 1) xa ^= kMatrix;
      mt_[i] = mt_[(i + 156) % 312] ^ xa;
    }
    index_ = 0;
  }
  std::uint64_t y = mt_[index_++];
  y ^= (y >> 29) & 0x5555555555555555ULL;
  y ^= (y << 17) & 0x71D67FFFEDA60000ULL;
  y ^= (y << 37) & 0xFFF7EEE000000000ULL;
  y ^= y >> 43;
  return y;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

void apply_repetition_penalty(std::span<float> logits, std::span<const TokenId> history, float penalty, int window) {
  if (penalty == 1.0f || history.empty()) return;
  const std::size_t start = window > 0 && history.size() > static_cast<std::size_t>(window) ? history.size() - window : 0;
  std::unordered_set<TokenId> seen(history.begin() + static_cast<std::ptrdiff_t>(start), history.end());
  for (TokenId id : seen) {
    if (id < 0 || static_cast<std::size_t>(id) >= logits.size()) continue;
    float& l = logits[static_cast<std::size_t>(id)];
    l = l > 0 ? l / penalty : l * penalty;
  }
}

std::vector<std::pair<TokenId, float>> sampling_candidates(std::span<const float> logits, const SamplingParams& p) {
  if (!(p.temperature > 0)) throw std::invalid_argument("sampling_candidates: temperature must be > 0");
  const float mx = *std::max_element(logits.begin(), logits.end());
  std::vector<std::pair<TokenId, float>> c(logits.size());
  double sum = 0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    const double e = std::exp(static_cast<double>(logits[i] - mx) / p.temperature);
    c[i] = {static_cast<TokenId>(i), static_cast<float>(e)};
    sum += e;
  }
  for (auto& [id, prob] : c) prob = static_cast<float>(prob / sum);
  // Sort by probability, ties by id so the order is deterministic.
  std::sort(c.begin(), c.end(), [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); });
  std::size_t keep = c.size();
  if (p.top_k > 0) keep = std::min(keep, static_cast<std::size_t>(p.top_k));
  if (p.top_p < 1.0f) {
    double acc = 0;
    std::size_t n = 0;
    while (n < keep) {
      acc += c[n].second;
      ++n;
      if (acc >= p.top_p) break;
    }
    keep = std::max<std::size_t>(1, n);
  }
  if (p.min_p > 0.0f) {
    const float floor = p.min_p * c[0].second;
    std::size_t n = 0;
    while (n < keep && c[n].second >= floor) ++n;
    keep = std::max<std::size_t>(1, n);
  }
  c.resize(keep);
  double kept = 0;
  for (const auto& e : c) kept += e.second;
  for (auto& e : c) e.second = static_cast<float>(e.second / kept);
  return c;
}

TokenId sample_token(std::span<const float> logits_in, const SamplingParams& p, std::span<const TokenId> history, Rng& rng) {
  std::vector<float> logits(logits_in.begin(), logits_in.end());
  apply_repetition_penalty(logits, history, p.repetition_penalty, p.repetition_window);
  if (!(p.temperature > 0))
    return static_cast<TokenId>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  const auto c = sampling_candidates(logits, p);
  const double u = rng.uniform();
  double acc = 0;
  for (const auto& [id, prob] : c) {
    acc += prob;
    if (u < acc) return id;
  }
  return c.back().first;
}

float token_logprob(std::span<const float> logits, TokenId id) {
  const float mx = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float l : logits) sum += std::exp(static_cast<double>(l - mx));
  return static_cast<float>(static_cast<double>(logits[static_cast<std::size_t>(id)] - mx) - std::log(sum));
}

}  // namespace zaya
