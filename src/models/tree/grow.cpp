// What the forests of both tasks share besides growth itself: bootstrap samples and the
// features-per-split rules.
#include "models/tree/grow.hpp"

#include <cmath>
#include <random>

#include "prospect/common/error.hpp"

namespace prospect::tree {

Bootstrap DrawBootstrap(size_t n, std::span<const double> base, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> counts(n, 0.0);
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  for (size_t i = 0; i < n; ++i) counts[pick(rng)] += 1;
  Bootstrap out;
  out.weights.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (counts[i] > 0) out.rows.push_back(i);
    out.weights[i] = counts[i] * (base.empty() ? 1.0 : base[i]);
  }
  return out;
}

int64_t FeaturesPerSplit(std::string_view rule, size_t d) {
  const double features = static_cast<double>(d);
  if (rule == "sqrt") return std::max<int64_t>(1, static_cast<int64_t>(std::sqrt(features)));
  if (rule == "log2") return std::max<int64_t>(1, static_cast<int64_t>(std::log2(features)));
  if (rule == "third") return std::max<int64_t>(1, static_cast<int64_t>(features / 3));
  PROSPECT_CHECK(rule == "all");
  return 0;
}

}  // namespace prospect::tree
