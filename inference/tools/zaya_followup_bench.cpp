// zaya-followup-bench: time to the first token of a conversation's follow-up
// turn, with the session's state kept from the previous turn
// (Session::reuse_prefix) against the whole conversation prefilled afresh.
//
//   zaya-followup-bench --model DIR [--threads 2] [--conversation 1500]
//                       [--reply 60] [--new 60] [--runs 3]
//
// The conversation is `conversation` tokens: a first prompt, then a reply of
// `reply` tokens the model generated for it. The follow-up prompt is the
// conversation plus `new` tokens. Two kept-state cases are timed:
//   extension: the follow-up renders the reply as it was generated (a reply
//              without thinking): only the new tokens are prefilled;
//   diverged:  the follow-up renders the reply differently from its first
//              token (a reply whose thinking is dropped): the state goes back
//              to the end of the first prompt, the reply and the new tokens
//              are prefilled.
// Each run of each case (and of the fresh prefill) is interleaved with the
// others; the medians are printed. Ids are random (a synthetic model has no
// text); the time is the same for any ids.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "util/cli_args.h"
#include "zaya/model.h"
#include "zaya/session.h"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "zaya-followup-bench: %s\n"
               "usage: zaya-followup-bench --model DIR [--threads N] [--conversation N] [--reply N] [--new N] [--runs N]\n",
               why);
  std::exit(2);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<zaya::TokenId> random_ids(std::size_t n, std::int64_t vocab, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::int64_t> pick(3, std::min<std::int64_t>(vocab, 262144) - 1);
  std::vector<zaya::TokenId> ids(n);
  for (auto& id : ids) id = static_cast<zaya::TokenId>(pick(rng));
  return ids;
}

// Prefills `prompt` into `s` (after what reuse_prefix keeps) and samples the
// first token: seconds, and how many tokens were prefilled.
std::pair<double, std::int64_t> first_token(zaya::Session& s, const std::vector<zaya::TokenId>& prompt) {
  const auto t0 = Clock::now();
  const std::int64_t kept = s.reuse_prefix(prompt);
  s.feed(std::span<const zaya::TokenId>(prompt).subspan(static_cast<std::size_t>(kept)));
  s.step(zaya::SamplingParams{});
  return {std::chrono::duration<double>(Clock::now() - t0).count(), static_cast<std::int64_t>(prompt.size()) - kept};
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_dir;
  int threads = 2;
  std::int64_t conversation = 1500, reply = 60, fresh_new = 60, runs = 3;
  zaya::CliArgs args(argc, argv, usage);
  while (args.next()) {
    const std::string& f = args.flag();
    if (f == "--model") model_dir = args.value();
    else if (f == "--threads") threads = static_cast<int>(args.positive());
    else if (f == "--conversation") conversation = args.positive();
    else if (f == "--reply") reply = args.positive();
    else if (f == "--new") fresh_new = args.positive();
    else if (f == "--runs") runs = args.positive();
    else usage(("unknown flag " + f).c_str());
  }
  if (model_dir.empty()) usage("--model is required");
  if (reply >= conversation) usage("--reply must be shorter than --conversation");

  zaya::LoadOptions lo;
  lo.device = zaya::DeviceKind::Cpu;
  lo.threads = threads;
  const std::shared_ptr<const zaya::Model> model = zaya::Model::load(model_dir, lo);
  const std::int64_t vocab = model->config().vocab_size;
  zaya::SessionOptions so;
  so.context_limit = conversation + fresh_new + 8;

  std::mt19937_64 rng(7);
  std::vector<zaya::TokenId> first_prompt = random_ids(static_cast<std::size_t>(conversation - reply), vocab, rng);
  first_prompt[0] = 2;  // <bos>
  const std::vector<zaya::TokenId> question = random_ids(static_cast<std::size_t>(fresh_new), vocab, rng);

  // The previous turn, as the kept session holds it after its reply.
  auto previous_turn = [&](zaya::Session& s) {
    s.reset();
    s.feed(first_prompt);
    s.generate(static_cast<int>(reply), zaya::SamplingParams{});
  };
  zaya::Session kept(model, so);
  previous_turn(kept);
  std::vector<zaya::TokenId> extension = kept.tokens();
  extension.insert(extension.end(), question.begin(), question.end());
  std::vector<zaya::TokenId> diverged = first_prompt;
  const auto rendered = random_ids(static_cast<std::size_t>(reply), vocab, rng);
  diverged.insert(diverged.end(), rendered.begin(), rendered.end());
  diverged.insert(diverged.end(), question.begin(), question.end());

  std::vector<double> t_fresh, t_ext, t_div;
  std::int64_t fed_fresh = 0, fed_ext = 0, fed_div = 0;
  for (std::int64_t r = 0; r < runs; ++r) {
    {
      zaya::Session fresh(model, so);
      const auto [t, fed] = first_token(fresh, extension);
      t_fresh.push_back(t);
      fed_fresh = fed;
    }
    {
      previous_turn(kept);
      const auto [t, fed] = first_token(kept, extension);
      t_ext.push_back(t);
      fed_ext = fed;
    }
    {
      previous_turn(kept);
      const auto [t, fed] = first_token(kept, diverged);
      t_div.push_back(t);
      fed_div = fed;
    }
    std::fprintf(stderr, "run %lld: fresh %.3f s, extension %.3f s, diverged %.3f s\n", static_cast<long long>(r + 1), t_fresh.back(),
                 t_ext.back(), t_div.back());
  }
  const double f = median(t_fresh), e = median(t_ext), d = median(t_div);
  std::printf("model %s, %d threads, follow-up prompt %zu tokens, medians of %lld runs\n", model_dir.c_str(), threads,
              extension.size(), static_cast<long long>(runs));
  std::printf("fresh prefill:        %lld tokens fed, first token after %.3f s (%.0f prompt tok/s)\n", static_cast<long long>(fed_fresh), f,
              static_cast<double>(fed_fresh) / f);
  std::printf("kept, extension:      %lld tokens fed, first token after %.3f s (%.1fx faster)\n", static_cast<long long>(fed_ext), e, f / e);
  std::printf("kept, reply diverged: %lld tokens fed, first token after %.3f s (%.1fx faster)\n", static_cast<long long>(fed_div), d, f / d);
  return 0;
}
