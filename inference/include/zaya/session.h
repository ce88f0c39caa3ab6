// One conversation with a model: its token context, decode state, sampling.
//
// Thread safety: a Session is used from one thread at a time, except
// request_cancel(), which any thread may call at any moment. A cancel request
// makes the running (or the next) feed()/step()/generate() throw Cancelled
// between two layers or tokens; the session is then exactly as it was before
// that call (for generate(): as after the last completed token), and the
// request is consumed.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "zaya/model.h"
#include "zaya/sampling.h"
#include "zaya/types.h"

namespace zaya {

class SequenceState;
struct StateCheckpoint;

struct SessionOptions {
  std::int64_t context_limit = 4096;    // tokens; capped by max_position_embeddings
  std::int64_t prefill_chunk = 512;     // prompt tokens per forward pass
  std::uint64_t seed = 0;               // initial sampling seed
};

class Session {
 public:
  explicit Session(std::shared_ptr<const Model> model, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Appends tokens to the context (prompt). Returns their routing,
  // [ids.size()][num_layers]. all_logits (optional) receives
  // [ids.size(), vocab] logits, one row per fed token. Throws
  // ContextFullError past the context limit, std::out_of_range for ids
  // outside the vocabulary.
  std::vector<std::vector<RoutingDecision>> feed(std::span<const TokenId> ids, std::vector<float>* all_logits = nullptr);

  // Produces one token: the next forced token if any are queued, otherwise a
  // sample from the current logits; then feeds it, so the event carries the
  // routing of that token's own forward pass. Needs a non-empty context.
  TokenEvent step(const SamplingParams& params);

  // Up to max_tokens steps; stops after a stop id or when on_token returns
  // false. Reseeds with params.seed when it is set.
  std::vector<TokenEvent> generate(int max_tokens, const SamplingParams& params,
                                   const std::function<bool(const TokenEvent&)>& on_token = {});

  // Queues tokens that the next step() calls emit instead of sampling (e.g.
  // closing a thinking block at a budget).
  void force_tokens(std::span<const TokenId> ids);

  // Prepares the session to continue with `prompt`, a new prompt that may
  // share a prefix with the context (the next turn of a conversation): the
  // decode state goes back to the latest saved state that covers only the
  // longest common prefix, keeping at least the prompt's last token out of
  // it, and forced tokens still queued from the previous reply are dropped.
  // Returns how many prompt tokens are kept, n < prompt.size() (0 for an
  // empty prompt); feed(prompt.subspan(n)) next. Until then step() refuses
  // to run when n is below the previous length (the logits of position n-1
  // are not kept). The result is exactly that of a fresh session fed the
  // whole prompt: checkpoints hold the full decode state at their length.
  std::int64_t reuse_prefix(std::span<const TokenId> prompt);

  // Cuts the context back to its first `length` tokens; afterwards the
  // session behaves exactly like a fresh one fed those tokens.
  void truncate(std::int64_t length);
  void reset() { truncate(0); }

  void request_cancel() { cancel_.store(true); }
  // Drops a cancel request that no call has consumed (one that arrived as a
  // reply ended), so that it cannot stop the session's next use.
  void withdraw_cancel() { cancel_.store(false); }

  std::int64_t length() const { return static_cast<std::int64_t>(tokens_.size()); }
  std::int64_t context_limit() const { return limit_; }
  const std::vector<TokenId>& tokens() const { return tokens_; }
  // [vocab]; empty when the context is empty or reuse_prefix() cut it back
  std::span<const float> last_logits() const { return logits_; }
  const Model& model() const { return *model_; }
  void reseed(std::uint64_t seed) { rng_.reseed(seed); }

 private:
  void forward_chunk(std::span<const TokenId> ids, std::vector<float>* all_logits, std::vector<RoutingDecision>* routing,
                     bool cancellable);
  void check_cancel();

  std::shared_ptr<const Model> model_;
  SessionOptions options_;
  std::int64_t limit_ = 0;
  std::unique_ptr<SequenceState> state_;
  std::vector<TokenId> tokens_;
  std::vector<float> logits_;
  std::deque<TokenId> forced_;
  std::vector<StateCheckpoint> checkpoints_;  // sorted by length; [0] is the empty sequence
  Rng rng_;
  std::atomic<bool> cancel_{false};
};

}  // namespace zaya
