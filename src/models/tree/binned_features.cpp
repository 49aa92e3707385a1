// Quantile binning of features for histogram splits (see the header); used by every tree model.
#include "prospect/models/tree/binned_features.hpp"

#include <algorithm>

#include "prospect/common/error.hpp"

namespace prospect {

BinnedFeatures BinnedFeatures::Build(std::span<const double> x, size_t n, size_t d, size_t max_bins,
                                     const Context& ctx) {
  PROSPECT_CHECK(x.size() == n * d && max_bins >= 2 && max_bins <= 256);
  BinnedFeatures out;
  out.rows = n;
  out.cols = d;
  out.codes.resize(n * d);
  out.thresholds.resize(d);
#pragma omp parallel for num_threads(ctx.threads()) schedule(dynamic)
  for (size_t f = 0; f < d; ++f) {
    std::vector<double> sorted(n);
    for (size_t r = 0; r < n; ++r) sorted[r] = x[r * d + f];
    std::sort(sorted.begin(), sorted.end());
    // Distinct values and their counts.
    std::vector<double> values;
    std::vector<size_t> counts;
    for (size_t r = 0; r < n; ++r) {
      if (values.empty() || sorted[r] != values.back()) {
        values.push_back(sorted[r]);
        counts.push_back(0);
      }
      ++counts.back();
    }
    auto cut = [&](size_t k) {  // between values[k] and values[k + 1], at the midpoint
      double t = (values[k] + values[k + 1]) / 2;
      if (t >= values[k + 1]) t = values[k];
      return t;
    };
    std::vector<double>& thr = out.thresholds[f];
    if (values.size() <= max_bins) {
      for (size_t k = 0; k + 1 < values.size(); ++k) thr.push_back(cut(k));
    } else {
      // Quantile cuts: close a bin once it holds its share of the rows still to be binned.
      size_t seen = 0, bins_left = max_bins;
      size_t bin_size = 0;
      for (size_t k = 0; k + 1 < values.size() && bins_left > 1; ++k) {
        seen += counts[k];
        bin_size += counts[k];
        const double target =
            static_cast<double>(n - (seen - bin_size)) / static_cast<double>(bins_left);
        if (static_cast<double>(bin_size) >= target) {
          thr.push_back(cut(k));
          bin_size = 0;
          --bins_left;
        }
      }
    }
    for (size_t r = 0; r < n; ++r) {
      out.codes[r * d + f] = static_cast<uint8_t>(
          std::lower_bound(thr.begin(), thr.end(), x[r * d + f]) - thr.begin());
    }
  }
  return out;
}

}  // namespace prospect
