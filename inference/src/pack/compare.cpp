#include "pack/compare.h"

#include <algorithm>
#include <cmath>

#include "zaya/session.h"

namespace zaya::pack {

namespace {

// log-softmax of one row, in double.
void log_softmax(const float* x, std::int64_t n, std::vector<double>& out) {
  out.resize(static_cast<std::size_t>(n));
  const double m = *std::max_element(x, x + n);
  double s = 0;
  for (std::int64_t i = 0; i < n; ++i) s += std::exp(x[i] - m);
  const double lse = m + std::log(s);
  for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = x[i] - lse;
}

}  // namespace

AgreementReport compare_models(const std::shared_ptr<const Model>& reference, const std::shared_ptr<const Model>& test,
                               const std::vector<std::vector<TokenId>>& sequences) {
  AgreementReport r;
  const std::int64_t V = reference->config().vocab_size;
  std::int64_t top1 = 0, routes_same = 0;
  double kl_sum = 0;
  std::vector<double> lp, lq;
  for (const auto& ids : sequences) {
    SessionOptions so;
    so.context_limit = static_cast<std::int64_t>(ids.size()) + 1;
    so.prefill_chunk = static_cast<std::int64_t>(ids.size());
    Session a(reference, so), b(test, so);
    std::vector<float> la, lb;
    const auto ra = a.feed(ids, &la);
    const auto rb = b.feed(ids, &lb);
    for (std::size_t t = 0; t < ids.size(); ++t) {
      const float* pa = la.data() + t * static_cast<std::size_t>(V);
      const float* pb = lb.data() + t * static_cast<std::size_t>(V);
      log_softmax(pa, V, lp);
      log_softmax(pb, V, lq);
      double kl = 0;
      for (std::int64_t i = 0; i < V; ++i) {
        const double p = std::exp(lp[static_cast<std::size_t>(i)]);
        kl += p * (lp[static_cast<std::size_t>(i)] - lq[static_cast<std::size_t>(i)]);
        r.max_abs_logit_diff = std::max(r.max_abs_logit_diff, static_cast<double>(std::fabs(pa[i] - pb[i])));
      }
      kl_sum += kl;
      r.max_kl = std::max(r.max_kl, kl);
      top1 += (std::max_element(pa, pa + V) - pa) == (std::max_element(pb, pb + V) - pb);
      ++r.positions;
      for (std::size_t l = 0; l < ra[t].size(); ++l) {
        routes_same += ra[t][l].expert == rb[t][l].expert;
        ++r.routing_pairs;
      }
    }
  }
  if (r.positions) {
    r.mean_kl = kl_sum / static_cast<double>(r.positions);
    r.top1_agreement = static_cast<double>(top1) / static_cast<double>(r.positions);
  }
  if (r.routing_pairs) r.router_agreement = static_cast<double>(routes_same) / static_cast<double>(r.routing_pairs);
  return r;
}

}  // namespace zaya::pack
