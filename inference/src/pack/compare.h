// End-to-end agreement of a quantised model with its fp32 reference on the
// same token sequences: how far the next-token distributions and the router
// decisions move.
#pragma once

#include <cstdint>
#include <vector>

#include "zaya/model.h"
#include "zaya/types.h"

namespace zaya::pack {

struct AgreementReport {
  double mean_kl = 0;            // mean over positions of KL(p_ref || p_test), nats
  double max_kl = 0;
  double top1_agreement = 0;     // share of positions with the same argmax
  double router_agreement = 0;   // share of (token, layer) pairs choosing the same class
  double max_abs_logit_diff = 0;
  std::int64_t positions = 0;
  std::int64_t routing_pairs = 0;
};

// Feeds every sequence as one prefill chunk into a fresh session of each model.
AgreementReport compare_models(const std::shared_ptr<const Model>& reference, const std::shared_ptr<const Model>& test,
                               const std::vector<std::vector<TokenId>>& sequences);

}  // namespace zaya::pack
