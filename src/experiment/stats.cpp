// Frequentist tests for experiment analysis. Formulas follow the scipy/statsmodels routines named
// in include/prospect/experiment/stats.hpp so that results agree to floating-point tolerance.
#include "prospect/experiment/stats.hpp"

#include <algorithm>
#include <bit>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "prospect/common/enum_names.hpp"
#include "prospect/common/error.hpp"
#include "prospect/common/large_buffer.hpp"
#include "prospect/common/quantile.hpp"

namespace prospect::experiment {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void CheckAlpha(double alpha) {
  if (!(alpha > 0.0 && alpha < 1.0)) {
    Fail(ErrorCode::kOutOfRange,
         "alpha {} is out of range: it must be strictly between 0 and 1 (e.g. --alpha 0.05)",
         alpha);
  }
}

// Order-preserving map of a double to an unsigned key; -0.0 and 0.0 map to the same key so that
// they tie, as they do in scipy's ranking.
inline uint64_t SortKey(double x) {
  if (x == 0.0) x = 0.0;
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  return (bits & 0x8000000000000000ULL) ? ~bits : (bits | 0x8000000000000000ULL);
}

// LSD radix sort of keys, 16 bits per pass; passes where every key has the same digit are
// skipped (common for small integers stored as doubles).
LargeVector<uint64_t> SortedKeys(std::span<const double> values) {
  LargeVector<uint64_t> keys(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      Fail(ErrorCode::kInvalidData,
           "Mann-Whitney U: the sample holds NaN at position {}; drop or impute it first", i);
    }
    keys[i] = SortKey(values[i]);
  }
  if (keys.size() < 2048) {
    std::sort(keys.begin(), keys.end());
    return keys;
  }
  LargeVector<uint64_t> buffer(keys.size());
  std::vector<size_t> count(1 << 16);
  for (int shift = 0; shift < 64; shift += 16) {
    std::fill(count.begin(), count.end(), 0);
    for (uint64_t k : keys) ++count[(k >> shift) & 0xFFFF];
    if (count[(keys[0] >> shift) & 0xFFFF] == keys.size()) continue;  // one digit: pass is a no-op
    size_t sum = 0;
    for (auto& c : count) {
      const size_t here = c;
      c = sum;
      sum += here;
    }
    for (uint64_t k : keys) buffer[count[(k >> shift) & 0xFFFF]++] = k;
    keys.swap(buffer);
  }
  return keys;
}

}  // namespace

double NormalQuantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}
double NormalCdf(double z) {
  if (std::isinf(z)) return z > 0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::normal_distribution<double>(), z);
}
double NormalSf(double z) {
  if (std::isinf(z)) return z > 0 ? 0.0 : 1.0;
  return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), z));
}
double StudentTQuantile(double p, double df) {
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

SampleStats Summarize(std::span<const double> values) {
  SampleStats s;
  s.n = static_cast<int64_t>(values.size());
  if (values.empty()) return s;
  double sum = 0.0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(values.size());
  if (values.size() < 2) return s;
  double ss = 0.0, comp = 0.0;
  for (double v : values) {
    const double d = v - s.mean;
    ss += d * d;
    comp += d;
  }
  // Corrected two-pass formula (Chan, Golub & LeVeque 1983): removes the rounding of the mean.
  s.variance = (ss - comp * comp / static_cast<double>(values.size())) /
               static_cast<double>(values.size() - 1);
  return s;
}

TestResult TwoProportionZTest(int64_t x_t, int64_t n_t, int64_t x_c, int64_t n_c, double alpha) {
  CheckAlpha(alpha);
  if (n_t <= 0 || n_c <= 0) {
    Fail(ErrorCode::kInvalidArgument,
         "two-proportion z-test: each group needs at least one unit (got n = {} and {})", n_t, n_c);
  }
  TestResult r;
  const double p_t = static_cast<double>(x_t) / static_cast<double>(n_t);
  const double p_c = static_cast<double>(x_c) / static_cast<double>(n_c);
  const double pooled = static_cast<double>(x_t + x_c) / static_cast<double>(n_t + n_c);
  const double se_pooled = std::sqrt(pooled * (1.0 - pooled) * (1.0 / n_t + 1.0 / n_c));
  r.estimate = p_t - p_c;
  if (se_pooled > 0.0) {
    r.statistic = r.estimate / se_pooled;
    r.p_value = 2.0 * NormalSf(std::fabs(r.statistic));
  } else {
    // Both groups all 0 or all 1: statsmodels returns nan; no evidence of a difference.
    r.statistic = 0.0;
    r.p_value = 1.0;
  }
  r.std_error = std::sqrt(p_t * (1.0 - p_t) / n_t + p_c * (1.0 - p_c) / n_c);
  const double z = NormalQuantile(1.0 - alpha / 2.0);
  r.ci_low = r.estimate - z * r.std_error;
  r.ci_high = r.estimate + z * r.std_error;
  return r;
}

TestResult WelchTTest(const SampleStats& t, const SampleStats& c, double alpha) {
  CheckAlpha(alpha);
  if (t.n < 2 || c.n < 2) {
    Fail(ErrorCode::kInvalidArgument,
         "Welch t-test: each group needs at least 2 values (got n = {} and {})", t.n, c.n);
  }
  TestResult r;
  const double vt = t.variance / static_cast<double>(t.n);
  const double vc = c.variance / static_cast<double>(c.n);
  r.estimate = t.mean - c.mean;
  r.std_error = std::sqrt(vt + vc);
  if (r.std_error == 0.0) {
    // Constant samples: scipy gives nan. A difference of constants is certain, none is not.
    r.statistic = r.estimate == 0.0
                      ? 0.0
                      : std::copysign(std::numeric_limits<double>::infinity(), r.estimate);
    r.p_value = r.estimate == 0.0 ? 1.0 : 0.0;
    r.ci_low = r.ci_high = r.estimate;
    return r;
  }
  r.df = (vt + vc) * (vt + vc) /
         (vt * vt / static_cast<double>(t.n - 1) + vc * vc / static_cast<double>(c.n - 1));
  r.statistic = r.estimate / r.std_error;
  boost::math::students_t_distribution<double> dist(r.df);
  r.p_value = 2.0 * boost::math::cdf(boost::math::complement(dist, std::fabs(r.statistic)));
  const double q = boost::math::quantile(dist, 1.0 - alpha / 2.0);
  r.ci_low = r.estimate - q * r.std_error;
  r.ci_high = r.estimate + q * r.std_error;
  return r;
}

TestResult ZTestFromEstimate(double estimate, double std_error, double alpha) {
  CheckAlpha(alpha);
  TestResult r;
  r.estimate = estimate;
  r.std_error = std_error;
  if (std_error > 0.0) {
    r.statistic = estimate / std_error;
    r.p_value = 2.0 * NormalSf(std::fabs(r.statistic));
  } else {
    r.statistic = 0.0;
    r.p_value = estimate == 0.0 ? 1.0 : 0.0;
  }
  const double z = NormalQuantile(1.0 - alpha / 2.0);
  r.ci_low = estimate - z * std_error;
  r.ci_high = estimate + z * std_error;
  return r;
}

TestResult MannWhitneyU(std::span<const double> t, std::span<const double> c) {
  if (t.empty() || c.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "Mann-Whitney U: each group needs at least one value (got n = {} and {})", t.size(),
         c.size());
  }
  const LargeVector<uint64_t> a = SortedKeys(t);
  const LargeVector<uint64_t> b = SortedKeys(c);
  // Merge walk: each run of equal values gets the average of the ranks it occupies.
  double rank_sum_t = 0.0, tie_term = 0.0;
  size_t i = 0, j = 0, position = 0;
  while (i < a.size() || j < b.size()) {
    const uint64_t v = (j >= b.size() || (i < a.size() && a[i] <= b[j])) ? a[i] : b[j];
    size_t in_a = 0, in_b = 0;
    while (i < a.size() && a[i] == v) ++i, ++in_a;
    while (j < b.size() && b[j] == v) ++j, ++in_b;
    const double run = static_cast<double>(in_a + in_b);
    const double average_rank = static_cast<double>(position) + (run + 1.0) / 2.0;
    rank_sum_t += static_cast<double>(in_a) * average_rank;
    tie_term += run * run * run - run;  // in double: run^3 overflows int64 beyond ~2M ties
    position += in_a + in_b;
  }
  const double n1 = static_cast<double>(a.size()), n2 = static_cast<double>(b.size());
  const double n = n1 + n2;
  const double u1 = rank_sum_t - n1 * (n1 + 1.0) / 2.0;
  const double u2 = n1 * n2 - u1;
  TestResult r;
  r.statistic = u1;
  r.estimate = u1 / (n1 * n2);
  const double mu = n1 * n2 / 2.0;
  const double s = std::sqrt(n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0))));
  const double z = (std::max(u1, u2) - mu - 0.5) / s;
  r.p_value = (s > 0.0 && std::isfinite(z)) ? std::clamp(2.0 * NormalSf(z), 0.0, 1.0) : 1.0;
  r.ci_low = r.ci_high = kNaN;
  return r;
}

ChiSquareResult ChiSquareGoodnessOfFit(std::span<const int64_t> observed,
                                       std::span<const double> shares) {
  if (observed.size() != shares.size() || observed.size() < 2) {
    Fail(ErrorCode::kInvalidArgument,
         "chi-square test: need at least 2 groups and one share per group (got {} and {})",
         observed.size(), shares.size());
  }
  double total = 0.0, share_sum = 0.0;
  for (size_t i = 0; i < observed.size(); ++i) {
    if (!(shares[i] > 0.0)) {
      Fail(ErrorCode::kInvalidArgument,
           "chi-square test: expected share {} of group {} must be positive", shares[i], i + 1);
    }
    total += static_cast<double>(observed[i]);
    share_sum += shares[i];
  }
  ChiSquareResult r;
  r.df = static_cast<int>(observed.size()) - 1;
  for (size_t i = 0; i < observed.size(); ++i) {
    const double expected = total * shares[i] / share_sum;
    const double d = static_cast<double>(observed[i]) - expected;
    r.statistic += d * d / expected;
  }
  r.p_value = total > 0.0 ? boost::math::cdf(boost::math::complement(
                                boost::math::chi_squared_distribution<double>(r.df), r.statistic))
                          : 1.0;
  return r;
}

TestResult RelativeLift(double mean_t, double se_t, double mean_c, double se_c, double alpha) {
  if (mean_c == 0.0) {
    TestResult r;
    r.estimate = r.std_error = r.ci_low = r.ci_high = r.statistic = kNaN;
    r.p_value = kNaN;
    return r;
  }
  const double rel = mean_t / mean_c - 1.0;
  const double var =
      se_t * se_t / (mean_c * mean_c) + mean_t * mean_t * se_c * se_c / std::pow(mean_c, 4);
  return ZTestFromEstimate(rel, std::sqrt(var), alpha);
}

RatioStats DeltaMethodRatio(std::span<const double> numerator,
                            std::span<const double> denominator) {
  PROSPECT_CHECK(numerator.size() == denominator.size());
  RatioStats r;
  r.n = static_cast<int64_t>(numerator.size());
  if (r.n < 2) {
    Fail(ErrorCode::kInvalidArgument, "ratio metric: each group needs at least 2 units (got {})",
         r.n);
  }
  const SampleStats y = Summarize(numerator);
  const SampleStats x = Summarize(denominator);
  if (x.mean == 0.0) {
    Fail(ErrorCode::kInvalidData,
         "ratio metric: the denominator sums to 0 in a group, so the ratio is undefined");
  }
  double cov = 0.0;
  for (size_t i = 0; i < numerator.size(); ++i)
    cov += (numerator[i] - y.mean) * (denominator[i] - x.mean);
  cov /= static_cast<double>(r.n - 1);
  r.ratio = y.mean / x.mean;
  const double mx2 = x.mean * x.mean;
  r.variance = (y.variance / mx2 - 2.0 * y.mean * cov / (mx2 * x.mean) +
                y.mean * y.mean * x.variance / (mx2 * mx2)) /
               static_cast<double>(r.n);
  return r;
}

// In the order the unknown-name message lists them.
constexpr EnumName<Correction> kCorrectionNames[] = {{Correction::kHolm, "holm"},
                                                     {Correction::kBenjaminiHochberg, "bh"},
                                                     {Correction::kNone, "none"}};

Correction ParseCorrection(std::string_view name) {
  return ParseName(kCorrectionNames, name, "correction", "corrections");
}

std::string_view CorrectionName(Correction correction) {
  return NameOf(kCorrectionNames, correction);
}

Corrected AdjustPValues(std::span<const double> p_values, Correction correction, double alpha) {
  const size_t m = p_values.size();
  Corrected out;
  out.p_adjusted.assign(p_values.begin(), p_values.end());
  out.reject.assign(m, false);
  if (m == 0) return out;
  if (correction == Correction::kNone) {
    for (size_t i = 0; i < m; ++i) out.reject[i] = p_values[i] <= alpha;
    return out;
  }
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> sorted(m), adjusted(m);
  std::vector<bool> reject(m, false);
  for (size_t k = 0; k < m; ++k) sorted[k] = p_values[order[k]];
  if (correction == Correction::kHolm) {
    // statsmodels: not rejected from the first k with p_(k) > alpha / (m - k) onwards.
    size_t first_kept = m;
    for (size_t k = 0; k < m; ++k) {
      if (sorted[k] > alpha / static_cast<double>(m - k)) {
        first_kept = k;
        break;
      }
    }
    double running = 0.0;
    for (size_t k = 0; k < m; ++k) {
      reject[k] = k < first_kept;
      running = std::max(running, sorted[k] * static_cast<double>(m - k));
      adjusted[k] = std::min(running, 1.0);
    }
  } else {
    // Benjamini-Hochberg step-up: reject all up to the largest k with p_(k) <= alpha k / m.
    size_t last_reject = m;
    for (size_t k = 0; k < m; ++k) {
      if (sorted[k] <= alpha * static_cast<double>(k + 1) / static_cast<double>(m)) last_reject = k;
    }
    if (last_reject < m) {
      for (size_t k = 0; k <= last_reject; ++k) reject[k] = true;
    }
    double running = std::numeric_limits<double>::infinity();
    for (size_t k = m; k-- > 0;) {
      running =
          std::min(running, sorted[k] / (static_cast<double>(k + 1) / static_cast<double>(m)));
      adjusted[k] = std::min(running, 1.0);
    }
  }
  for (size_t k = 0; k < m; ++k) {
    out.p_adjusted[order[k]] = adjusted[k];
    out.reject[order[k]] = reject[k];
  }
  return out;
}

double PercentileLinear(std::vector<double> values, double percentile) {
  if (values.empty()) Fail(ErrorCode::kInvalidArgument, "percentile of an empty sample");
  if (!(percentile >= 0.0 && percentile <= 100.0)) {
    Fail(ErrorCode::kOutOfRange, "percentile {} is out of range [0, 100]", percentile);
  }
  return Quantile(std::move(values), percentile / 100.0);
}

}  // namespace prospect::experiment
