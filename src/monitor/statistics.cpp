#include "prospect/monitor/statistics.hpp"

#include <algorithm>
#include <cmath>

#include "monitor/ks_distribution.hpp"
#include "prospect/common/error.hpp"
#include "prospect/experiment/stats.hpp"

namespace prospect::monitor {
namespace {

void CheckComparable(const ColumnSummary& reference, const ColumnSummary& current,
                     const char* statistic, bool numeric_only) {
  if (reference.kind() != current.kind()) {
    Fail(ErrorCode::kInvalidArgument,
         "{}: the reference is {} and the current data {}; compare a column with itself", statistic,
         ValueKindName(reference.kind()), ValueKindName(current.kind()));
  }
  if (numeric_only && reference.kind() != ValueKind::kNumeric)
    Fail(ErrorCode::kInvalidArgument, "{} compares numbers, not categories", statistic);
  if (reference.count() == 0 || current.count() == 0)
    Fail(ErrorCode::kInvalidArgument, "{}: a side has no values to compare", statistic);
}

// Both sides' counts over the union of their values, in sorted order.
struct DriftAlignedCounts {
  std::vector<int64_t> reference, current;
};
template <typename Keys>
DriftAlignedCounts AlignKeys(const Keys& ref_keys, std::span<const int64_t> ref_counts,
                             const Keys& cur_keys, std::span<const int64_t> cur_counts) {
  DriftAlignedCounts out;
  size_t i = 0, j = 0;
  while (i < ref_keys.size() || j < cur_keys.size()) {
    if (j == cur_keys.size() || (i < ref_keys.size() && ref_keys[i] < cur_keys[j])) {
      out.reference.push_back(ref_counts[i++]);
      out.current.push_back(0);
    } else if (i == ref_keys.size() || cur_keys[j] < ref_keys[i]) {
      out.reference.push_back(0);
      out.current.push_back(cur_counts[j++]);
    } else {
      out.reference.push_back(ref_counts[i++]);
      out.current.push_back(cur_counts[j++]);
    }
  }
  return out;
}
DriftAlignedCounts AlignCounts(const ColumnSummary& reference, const ColumnSummary& current) {
  if (reference.kind() == ValueKind::kNumeric)
    return AlignKeys(reference.values(), reference.counts(), current.values(), current.counts());
  return AlignKeys(reference.categories(), reference.counts(), current.categories(),
                   current.counts());
}

// Evidently's fill for empty bins: 10^-4, or a millionth of the smallest share if that is lower.
void FillEmptyBins(std::vector<double>* shares) {
  double smallest = INFINITY;
  for (const double s : *shares)
    if (s != 0) smallest = std::min(smallest, s);
  const double fill = smallest <= 1e-4 ? smallest / 1e6 : 1e-4;
  for (double& s : *shares)
    if (s == 0) s = fill;
}

// numpy.histogram_bin_edges(values, bins="sturges") for data spanning [lo, hi] with n values:
// the same floating-point steps, so bin boundaries (and what falls on them) agree.
std::vector<double> SturgesEdges(double lo, double hi, int64_t n) {
  double first = lo, last = hi;
  if (first == last) {
    first -= 0.5;
    last += 0.5;
  }
  const double width = (hi - lo) / (std::log2(static_cast<double>(n)) + 1.0);
  const int64_t bins = width != 0 ? static_cast<int64_t>(std::ceil((last - first) / width)) : 1;
  std::vector<double> edges(static_cast<size_t>(bins) + 1);
  const double step = (last - first) / static_cast<double>(bins);  // numpy.linspace
  for (size_t i = 0; i < edges.size(); ++i) edges[i] = static_cast<double>(i) * step + first;
  edges.back() = last;
  return edges;
}

// Shares of `summary`'s values per bin of `edges`: [e_i, e_i+1), the last bin closed.
std::vector<double> HistogramShares(const ColumnSummary& summary,
                                    const std::vector<double>& edges) {
  std::vector<int64_t> counts(edges.size() - 1, 0);
  const auto values = summary.values();
  for (size_t i = 0; i < values.size(); ++i) {
    size_t bin = static_cast<size_t>(std::upper_bound(edges.begin(), edges.end(), values[i]) -
                                     edges.begin());
    bin = std::clamp<size_t>(bin, 1, counts.size()) - 1;
    counts[bin] += summary.counts()[i];
  }
  std::vector<double> shares(counts.size());
  for (size_t b = 0; b < counts.size(); ++b)
    shares[b] = static_cast<double>(counts[b]) / static_cast<double>(summary.count());
  return shares;
}

double RelativeEntropyTerm(double x, double y) {  // scipy.special.rel_entr
  if (x > 0 && y > 0) return x * std::log(x / y);
  if (x == 0 && y >= 0) return 0;
  return INFINITY;
}

}  // namespace

TwoSampleTest KsTest(const ColumnSummary& reference, const ColumnSummary& current) {
  CheckComparable(reference, current, "the KS test", true);
  const auto counts = AlignCounts(reference, current);
  const double n1 = static_cast<double>(reference.count());
  const double n2 = static_cast<double>(current.count());
  // scipy evaluates both CDFs after every value (searchsorted "right") as count / n.
  int64_t below1 = 0, below2 = 0;
  double d = 0;
  for (size_t i = 0; i < counts.reference.size(); ++i) {
    below1 += counts.reference[i];
    below2 += counts.current[i];
    d = std::max(d, std::abs(static_cast<double>(below1) / n1 - static_cast<double>(below2) / n2));
  }
  d = std::min(d, 1.0);
  return {d, KsTwoSamplePValue(d, reference.count(), current.count())};
}

TwoSampleTest ChiSquareTest(const ColumnSummary& reference, const ColumnSummary& current) {
  CheckComparable(reference, current, "the chi-squared test", false);
  const auto counts = AlignCounts(reference, current);
  if (counts.reference.size() < 2) return {0, 1};  // one value on both sides: nothing can differ
  // The expected counts are the reference's shares of the current size. A value the reference
  // lacks expects 0 rows: scipy's statistic is then infinite and its p-value 0.
  std::vector<double> shares;
  for (const int64_t n : counts.reference) {
    if (n == 0) return {INFINITY, 0};
    shares.push_back(static_cast<double>(n));
  }
  const experiment::ChiSquareResult chi =
      experiment::ChiSquareGoodnessOfFit(counts.current, shares);
  return {chi.statistic, chi.p_value};
}

TwoSampleTest ProportionsZTest(const ColumnSummary& reference, const ColumnSummary& current) {
  CheckComparable(reference, current, "the z-test", false);
  const auto counts = AlignCounts(reference, current);
  if (counts.reference.size() == 1) return {0, 1};  // both sides hold one and the same value
  const double n1 = static_cast<double>(reference.count());
  const double n2 = static_cast<double>(current.count());
  // The share of values other than the smallest (Evidently maps the first sorted key to 0).
  const double p1 = static_cast<double>(reference.count() - counts.reference[0]) / n1;
  const double p2 = static_cast<double>(current.count() - counts.current[0]) / n2;
  const double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const double z = (p1 - p2) / std::sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
  // Evidently's 2 (1 - Phi(|z|)), which is 0 for |z| past about 8.3; experiment's
  // TwoProportionZTest gives statsmodels' tail value there instead.
  return {z, 2 * (1 - experiment::NormalCdf(std::abs(z)))};
}

double WassersteinDistance(const ColumnSummary& reference, const ColumnSummary& current) {
  CheckComparable(reference, current, "the Wasserstein distance", true);
  // Merge the two sorted value lists; between consecutive values the CDFs are flat.
  const auto v1 = reference.values(), v2 = current.values();
  const auto c1 = reference.counts(), c2 = current.counts();
  const double n1 = static_cast<double>(reference.count());
  const double n2 = static_cast<double>(current.count());
  size_t i = 0, j = 0;
  int64_t below1 = 0, below2 = 0;
  double previous = std::min(v1[0], v2[0]), area = 0;
  while (i < v1.size() || j < v2.size()) {
    const double x = j == v2.size() || (i < v1.size() && v1[i] <= v2[j]) ? v1[i] : v2[j];
    area += std::abs(static_cast<double>(below1) / n1 - static_cast<double>(below2) / n2) *
            (x - previous);
    if (i < v1.size() && v1[i] == x) below1 += c1[i++];
    if (j < v2.size() && v2[j] == x) below2 += c2[j++];
    previous = x;
  }
  return area;
}

BinnedShares BinShares(const ColumnSummary& reference, const ColumnSummary& current) {
  CheckComparable(reference, current, "binning", false);
  BinnedShares shares;
  if (reference.kind() == ValueKind::kNumeric && reference.distinct() > 20) {
    const double lo = std::min(reference.values().front(), current.values().front());
    const double hi = std::max(reference.values().back(), current.values().back());
    const auto edges = SturgesEdges(lo, hi, reference.count() + current.count());
    shares.reference = HistogramShares(reference, edges);
    shares.current = HistogramShares(current, edges);
  } else {
    const auto counts = AlignCounts(reference, current);
    for (size_t k = 0; k < counts.reference.size(); ++k) {
      shares.reference.push_back(static_cast<double>(counts.reference[k]) /
                                 static_cast<double>(reference.count()));
      shares.current.push_back(static_cast<double>(counts.current[k]) /
                               static_cast<double>(current.count()));
    }
  }
  FillEmptyBins(&shares.reference);
  FillEmptyBins(&shares.current);
  return shares;
}

double JensenShannonDistance(const BinnedShares& shares) {
  double sum_p = 0, sum_q = 0;
  for (size_t k = 0; k < shares.reference.size(); ++k) {
    sum_p += shares.reference[k];
    sum_q += shares.current[k];
  }
  double left = 0, right = 0;
  for (size_t k = 0; k < shares.reference.size(); ++k) {
    const double p = shares.reference[k] / sum_p, q = shares.current[k] / sum_q;
    const double m = (p + q) / 2.0;
    left += RelativeEntropyTerm(p, m);
    right += RelativeEntropyTerm(q, m);
  }
  return std::sqrt((left + right) / 2.0);
}

double PopulationStabilityIndex(const BinnedShares& shares) {
  double psi = 0;
  for (size_t k = 0; k < shares.reference.size(); ++k) {
    const double r = shares.reference[k], c = shares.current[k];
    psi += (r - c) * std::log(r / c);
  }
  return psi;
}

}  // namespace prospect::monitor
