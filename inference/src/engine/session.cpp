#include "zaya/session.h"

#include <algorithm>
#include <stdexcept>

#include "engine/backend.h"

namespace zaya {
namespace {
// Positions between two saved copies of the fixed decode state: truncation
// re-runs at most this many tokens.
constexpr std::int64_t kCheckpointEvery = 256;
}  // namespace

Session::Session(std::shared_ptr<const Model> model, SessionOptions options)
    : model_(std::move(model)), options_(options), rng_(options.seed) {
  if (!model_) throw std::invalid_argument("Session: no model");
  limit_ = std::min(options.context_limit, model_->config().max_position_embeddings);
  if (limit_ < 1) throw std::invalid_argument("Session: context limit must be at least 1");
  if (options_.prefill_chunk < 1) options_.prefill_chunk = 1;
  state_ = model_->backend().new_sequence();
  checkpoints_.push_back(state_->checkpoint());
}

Session::~Session() = default;

void Session::check_cancel() {
  if (cancel_.exchange(false)) throw Cancelled();
}

void Session::forward_chunk(std::span<const TokenId> ids, std::vector<float>* all_logits, std::vector<RoutingDecision>* routing,
                            bool cancellable) {
  const ModelConfig& c = model_->config();
  const auto S = static_cast<std::int64_t>(ids.size());
  const std::int64_t before = state_->length();
  std::vector<float> rows;
  ForwardRequest req;
  req.ids = ids;
  req.all_logits = all_logits != nullptr;
  if (all_logits) {
    rows.resize(static_cast<std::size_t>(S * c.vocab_size));
    req.logits = rows.data();
  } else {
    logits_.resize(static_cast<std::size_t>(c.vocab_size));
    req.logits = logits_.data();
  }
  std::vector<RoutingDecision> r(static_cast<std::size_t>(S * c.num_layers));
  req.routing = r.data();
  req.cancel = cancellable ? &cancel_ : nullptr;
  try {
    model_->backend().forward(*state_, req);
  } catch (const Cancelled&) {
    cancel_.store(false);
    throw;
  }
  if (all_logits) {
    logits_.assign(rows.end() - c.vocab_size, rows.end());
    all_logits->insert(all_logits->end(), rows.begin(), rows.end());
  }
  if (routing) routing->insert(routing->end(), r.begin(), r.end());
  tokens_.insert(tokens_.end(), ids.begin(), ids.end());
  const std::int64_t after = state_->length();
  if (S > 1 || after / kCheckpointEvery != before / kCheckpointEvery) checkpoints_.push_back(state_->checkpoint());
}

std::vector<std::vector<RoutingDecision>> Session::feed(std::span<const TokenId> ids, std::vector<float>* all_logits) {
  const ModelConfig& c = model_->config();
  for (TokenId id : ids)
    if (id < 0 || id >= c.vocab_size)
      throw std::out_of_range("token id " + std::to_string(id) + " outside the vocabulary [0, " + std::to_string(c.vocab_size) + ")");
  if (length() + static_cast<std::int64_t>(ids.size()) > limit_)
    throw ContextFullError("feeding " + std::to_string(ids.size()) + " tokens would exceed the context limit of " +
                           std::to_string(limit_) + " (" + std::to_string(length()) + " used)");
  check_cancel();
  const std::int64_t start = length();
  const std::size_t logits_start = all_logits ? all_logits->size() : 0;
  std::vector<RoutingDecision> flat;
  try {
    for (std::size_t pos = 0; pos < ids.size(); pos += static_cast<std::size_t>(options_.prefill_chunk)) {
      const std::size_t n = std::min(ids.size() - pos, static_cast<std::size_t>(options_.prefill_chunk));
      forward_chunk(ids.subspan(pos, n), all_logits, &flat, true);
    }
  } catch (const Cancelled&) {
    if (length() > start) truncate(start);  // undo the chunks that completed
    if (all_logits) all_logits->resize(logits_start);
    throw;
  }
  // A prompt's end is where the next turn of a conversation diverges from
  // this one (the reply is re-rendered without its thinking): keep its state
  // even when the last chunk was a single token. A one-token feed is a decode
  // step (zaya-run, zaya-bench) and keeps the every-256 rule: a copy of the
  // fixed state per token would cost time and memory on the hot path.
  if (ids.size() > 1 && checkpoints_.back().length != length()) checkpoints_.push_back(state_->checkpoint());
  std::vector<std::vector<RoutingDecision>> out(ids.size());
  for (std::size_t t = 0; t < ids.size(); ++t)
    out[t].assign(flat.begin() + static_cast<std::ptrdiff_t>(t * c.num_layers),
                  flat.begin() + static_cast<std::ptrdiff_t>((t + 1) * c.num_layers));
  return out;
}

TokenEvent Session::step(const SamplingParams& params) {
  if (logits_.empty()) throw std::logic_error("Session::step: no logits for the context (empty, or cut back by reuse_prefix); feed a prompt first");
  if (length() >= limit_) throw ContextFullError("the context limit of " + std::to_string(limit_) + " tokens is reached");
  check_cancel();
  TokenEvent ev;
  const Rng rng_before = rng_;
  if (!forced_.empty()) {
    ev.id = forced_.front();
    ev.forced = true;
  } else {
    ev.id = sample_token(logits_, params, tokens_, rng_);
  }
  ev.logprob = token_logprob(logits_, ev.id);
  ev.stop = std::find(params.stop_ids.begin(), params.stop_ids.end(), ev.id) != params.stop_ids.end();
  const TokenId one[1] = {ev.id};
  try {
    forward_chunk(one, nullptr, &ev.routing, true);
  } catch (...) {
    rng_ = rng_before;
    throw;
  }
  if (ev.forced) forced_.pop_front();
  return ev;
}

std::vector<TokenEvent> Session::generate(int max_tokens, const SamplingParams& params,
                                          const std::function<bool(const TokenEvent&)>& on_token) {
  if (params.seed) rng_.reseed(*params.seed);
  std::vector<TokenEvent> out;
  for (int i = 0; i < max_tokens && length() < limit_; ++i) {
    out.push_back(step(params));
    if (on_token && !on_token(out.back())) break;
    if (out.back().stop) break;
  }
  return out;
}

void Session::force_tokens(std::span<const TokenId> ids) {
  for (TokenId id : ids) {
    if (id < 0 || id >= model_->config().vocab_size) throw std::out_of_range("forced token id " + std::to_string(id) + " outside the vocabulary");
    forced_.push_back(id);
  }
}

std::int64_t Session::reuse_prefix(std::span<const TokenId> prompt) {
  forced_.clear();
  const auto common = static_cast<std::int64_t>(
      std::mismatch(tokens_.begin(), tokens_.end(), prompt.begin(), prompt.end()).first - tokens_.begin());
  // The prompt's last token is always fed again: its logits start the reply.
  const std::int64_t keep = std::min(common, static_cast<std::int64_t>(prompt.size()) - 1);
  if (keep <= 0) {
    reset();
    return 0;
  }
  if (keep == length()) return keep;  // the prompt extends the context
  // Latest saved state at or before `keep`; the tokens after it are the
  // caller's to feed, so nothing is re-run here.
  auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), keep,
                             [](std::int64_t v, const StateCheckpoint& c) { return v < c.length; });
  --it;  // checkpoints_[0] has length 0 <= keep
  state_->restore(*it);
  checkpoints_.erase(it + 1, checkpoints_.end());
  tokens_.resize(static_cast<std::size_t>(it->length));
  logits_.clear();
  return it->length;
}

void Session::truncate(std::int64_t n) {
  if (n < 0 || n > length()) throw std::out_of_range("Session::truncate: length " + std::to_string(n) + " not in [0, " + std::to_string(length()) + "]");
  if (n == length()) return;
  if (n == 0) {
    state_->reset();
    tokens_.clear();
    logits_.clear();
    checkpoints_.resize(1);
    return;
  }
  // Latest saved state strictly before n, so at least one token is re-run
  // and the logits at position n-1 come back with it.
  auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), n - 1,
                             [](std::int64_t v, const StateCheckpoint& c) { return v < c.length; });
  --it;  // checkpoints_[0] has length 0 <= n - 1
  state_->restore(*it);
  checkpoints_.erase(it + 1, checkpoints_.end());
  const std::vector<TokenId> replay(tokens_.begin() + it->length, tokens_.begin() + n);
  tokens_.resize(static_cast<std::size_t>(it->length));
  for (std::size_t pos = 0; pos < replay.size(); pos += static_cast<std::size_t>(options_.prefill_chunk)) {
    const std::size_t k = std::min(replay.size() - pos, static_cast<std::size_t>(options_.prefill_chunk));
    forward_chunk(std::span<const TokenId>(replay).subspan(pos, k), nullptr, nullptr, false);
  }
}

}  // namespace zaya
