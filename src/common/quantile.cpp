// numpy's "linear" quantile (see the header), on sorted and on unsorted values.
#include "prospect/common/quantile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "prospect/common/error.hpp"

namespace prospect {
namespace {

// Where the q-quantile of n values lies: between the lo-th and the next smallest, at fraction
// gamma (lo = 0 for an empty sample). Checks q.
struct Rank {
  size_t lo;
  double gamma;
};
Rank RankOf(size_t n, double q) {
  if (!(q >= 0 && q <= 1))
    Fail(ErrorCode::kInvalidArgument, "quantile level {} is outside [0, 1]", q);
  const double h = n > 0 ? static_cast<double>(n - 1) * q : 0.0;
  const double lo = std::floor(h);
  return {static_cast<size_t>(lo), h - lo};
}

// numpy's _lerp between the neighbours a ≤ b at fraction gamma.
double Lerp(double a, double b, double gamma) {
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

}  // namespace

double QuantileSorted(std::span<const double> sorted, double q) {
  const Rank r = RankOf(sorted.size(), q);
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  return Lerp(sorted[r.lo], sorted[std::min(r.lo + 1, sorted.size() - 1)], r.gamma);
}

double Quantile(std::vector<double> values, double q) {
  const Rank r = RankOf(values.size(), q);
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto lo = values.begin() + static_cast<std::ptrdiff_t>(r.lo);
  std::nth_element(values.begin(), lo, values.end());  // O(n): only the two neighbours are needed
  const double next = lo + 1 != values.end() ? *std::min_element(lo + 1, values.end()) : *lo;
  return Lerp(*lo, next, r.gamma);
}

double UpperMedian(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

}  // namespace prospect
