// Sample quantiles: one definition for every module (quality statistics, cleaning, the feature
// pipeline's median, calibration bins, winsorizing, Monte Carlo intervals, the report).
#pragma once

#include <span>
#include <vector>

namespace prospect {

/// The q-quantile of ascending `sorted` values by linear interpolation between closest ranks
/// (pandas' and numpy's default, Hyndman & Fan type 7): h = (n−1)·q, lo = ⌊h⌋,
/// x[lo] + (h−lo)·(x[lo+1]−x[lo]). Computed as numpy 1.24 does (its _lerp interpolates from the
/// upper neighbour when h−lo ≥ 0.5), so results agree bit for bit. q must be in [0, 1]
/// (kInvalidArgument otherwise). An empty sample has no quantile: NaN; callers that need a number
/// decide what an empty sample means.
double QuantileSorted(std::span<const double> sorted, double q);

/// The same on values in any order (they are copied, and only the two neighbours are selected:
/// O(n), no full sort).
double Quantile(std::vector<double> values, double q);

/// The middle value without interpolation: element n/2 of the sorted sample (the upper of the two
/// middle ones for an even count), what the segment personas and the report's segment map impute
/// with. NaN for an empty sample.
double UpperMedian(std::vector<double> values);

}  // namespace prospect
