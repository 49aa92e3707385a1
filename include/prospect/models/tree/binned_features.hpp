// The tree core shared by classification and regression trees and forests: features binned
// once, so splits are searched over histograms instead of sorted values.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "prospect/common/context.hpp"

namespace prospect {

/// Features pre-binned once for histogram splits (as LightGBM and sklearn's HistGradientBoosting):
/// per feature up to `max_bins` ordered bins cut at quantiles of the distinct values; a feature
/// with fewer distinct values gets one bin per value, so its splits are the exact ones.
struct BinnedFeatures {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<uint8_t> codes;  ///< rows × cols, row-major: bin of x[r][f]
  std::vector<std::vector<double>>
      thresholds;  ///< per feature, bins − 1 cuts: x <= t[b] ⇔ code <= b

  /// x: n × d row-major, finite. max_bins in [2, 256].
  static BinnedFeatures Build(std::span<const double> x, size_t n, size_t d, size_t max_bins,
                              const Context& ctx);
  size_t bins(size_t f) const { return thresholds[f].size() + 1; }
};

}  // namespace prospect
