// Two-sample drift statistics between a reference and a current ColumnSummary, each computed the
// way scipy computes it on the raw rows (and Evidently, which calls scipy, prepares its input):
// exact when both summaries are exact (see summary.hpp).
#pragma once

#include <vector>

#include "prospect/monitor/summary.hpp"

namespace prospect::monitor {

struct TwoSampleTest {
  double statistic = 0;
  double p_value = 1;
};

/// scipy.stats.ks_2samp(reference, current) (two-sided, method "auto"): the largest gap between
/// the two empirical CDFs and its p-value. Numeric summaries.
TwoSampleTest KsTest(const ColumnSummary& reference, const ColumnSummary& current);
/// Evidently's chi-squared test: scipy.stats.chisquare of the current counts against the
/// reference counts scaled to the current size, over every value either side has. A value the
/// reference lacks makes the statistic infinite (p = 0), as in scipy.
TwoSampleTest ChiSquareTest(const ColumnSummary& reference, const ColumnSummary& current);
/// Evidently's two-proportion z-test: each side's share of values other than the smallest value,
/// with the pooled variance; p = 1 when both sides hold one and the same value.
TwoSampleTest ProportionsZTest(const ColumnSummary& reference, const ColumnSummary& current);
/// scipy.stats.wasserstein_distance(reference, current): the area between the two CDFs.
double WassersteinDistance(const ColumnSummary& reference, const ColumnSummary& current);

/// Each side's share of its values per bin, binned as Evidently's get_binned_data does: numbers,
/// when the reference has more than 20 distinct ones, over numpy's Sturges bins of both sides'
/// range; otherwise one bin per value either side has. An empty bin gets a small share (10^-4,
/// or a millionth of the side's smallest share when that is at most 10^-4) so logs stay finite.
struct BinnedShares {
  std::vector<double> reference;
  std::vector<double> current;
};
BinnedShares BinShares(const ColumnSummary& reference, const ColumnSummary& current);
/// scipy.spatial.distance.jensenshannon of the binned shares (natural logarithm).
double JensenShannonDistance(const BinnedShares& shares);
/// Population stability index of the binned shares: sum of (r - c) ln(r / c).
double PopulationStabilityIndex(const BinnedShares& shares);

}  // namespace prospect::monitor
