#include "prospect/common/quantile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "prospect/common/error.hpp"

namespace prospect {
namespace {

void CheckLevel(double q) {
  if (!(q >= 0 && q <= 1)) Fail(ErrorCode::kInvalidArgument, "quantile level {} is outside [0, 1]", q);
}

// numpy's _lerp between the neighbours a ≤ b at fraction gamma.
double Lerp(double a, double b, double gamma) {
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

}  // namespace

double QuantileSorted(std::span<const double> sorted, double q) {
  CheckLevel(q);
  const size_t n = sorted.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const double h = static_cast<double>(n - 1) * q;
  const double lo_f = std::floor(h);
  const size_t lo = static_cast<size_t>(lo_f);
  const size_t hi = std::min(lo + 1, n - 1);
  return Lerp(sorted[lo], sorted[hi], h - lo_f);
}

double Quantile(std::vector<double> values, double q) {
  CheckLevel(q);
  const size_t n = values.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const double h = static_cast<double>(n - 1) * q;
  const double lo_f = std::floor(h);
  const size_t lo = static_cast<size_t>(lo_f);
  const auto lo_it = values.begin() + static_cast<std::ptrdiff_t>(lo);
  std::nth_element(values.begin(), lo_it, values.end());
  const double a = *lo_it;
  const double b = lo + 1 < n ? *std::min_element(lo_it + 1, values.end()) : a;
  return Lerp(a, b, h - lo_f);
}

}  // namespace prospect
