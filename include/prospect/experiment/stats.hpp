// Frequentist building blocks of experiment analysis: two-proportion z, Welch t, Mann-Whitney U,
// chi-square sample-ratio check, delta-method ratios and relative lift, multiple-testing
// corrections. Each function names the scipy/statsmodels routine it matches (parity tests in
// tests/unit/experiment).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace prospect::experiment {

/// Summary of one sample of a metric: count, mean and variance (ddof = 1).
struct SampleStats {
  int64_t n = 0;
  double mean = 0.0;
  double variance = 0.0;  ///< sample variance with ddof = 1 (0 when n < 2)
};

/// Two-pass mean and variance (ddof 1) of `values`; robust to large offsets.
SampleStats Summarize(std::span<const double> values);

/// Result of comparing a treatment sample with a control sample. `estimate` is treatment minus
/// control; the interval is two-sided at 1 - alpha.
struct TestResult {
  double statistic = 0.0;  ///< z or t (treatment minus control), or U of the treatment sample
  double p_value = 1.0;    ///< two-sided
  double estimate = 0.0;   ///< difference treatment - control
  double std_error = 0.0;  ///< of the estimate (0 when it has none, e.g. Mann-Whitney)
  double ci_low = 0.0;
  double ci_high = 0.0;
  double df = 0.0;  ///< degrees of freedom (Welch), 0 for normal-based tests
};

/// Two-proportion z-test of successes x_t/n_t against x_c/n_c. The statistic and p-value use the
/// pooled proportion, as statsmodels proportions_ztest([x_t, x_c], [n_t, n_c]); the interval of
/// the difference is the unpooled Wald interval, as statsmodels confint_proportions_2indep(...,
/// method="wald", compare="diff"). Throws kInvalidArgument when a sample is empty.
TestResult TwoProportionZTest(int64_t x_t, int64_t n_t, int64_t x_c, int64_t n_c,
                              double alpha = 0.05);

/// Welch's unequal-variance t-test, as scipy.stats.ttest_ind(t, c, equal_var=False); the interval
/// of the mean difference uses the Welch-Satterthwaite degrees of freedom, as statsmodels
/// CompareMeans(...).tconfint_diff(usevar="unequal"). Needs n >= 2 in each sample.
TestResult WelchTTest(const SampleStats& t, const SampleStats& c, double alpha = 0.05);

/// Normal-approximation (z) test of a difference with a known standard error, for delta-method
/// and CUPED estimates: p = 2 * (1 - Phi(|d / se|)), interval d -/+ z_{1-alpha/2} se.
TestResult ZTestFromEstimate(double estimate, double std_error, double alpha = 0.05);

/// Mann-Whitney U, two-sided, asymptotic normal approximation with tie correction and continuity
/// correction, as scipy.stats.mannwhitneyu(t, c, alternative="two-sided", method="asymptotic")
/// (scipy's "auto" picks that for every sample with ties or with both sizes >= 8). `statistic` is
/// U of the treatment sample; estimate is the common-language effect size U / (n_t n_c).
/// O((n_t + n_c) log) via radix sort; the inputs are not modified. NaN values are not allowed.
TestResult MannWhitneyU(std::span<const double> t, std::span<const double> c);

/// Chi-square goodness of fit of observed counts to expected shares (normalised to sum to 1),
/// as scipy.stats.chisquare(observed, f_exp=total * shares).
struct ChiSquareResult {
  double statistic = 0.0;
  double p_value = 1.0;
  int df = 0;
};
ChiSquareResult ChiSquareGoodnessOfFit(std::span<const int64_t> observed,
                                       std::span<const double> shares);

/// Relative lift t/c - 1 with a delta-method standard error from the two means' standard errors
/// (independent samples): se^2 = se_t^2 / m_c^2 + m_t^2 se_c^2 / m_c^4. Normal interval.
TestResult RelativeLift(double mean_t, double se_t, double mean_c, double se_c,
                        double alpha = 0.05);

/// Per-unit ratio metric sum(num) / sum(den) of one sample, with its delta-method variance
/// (Deng et al. 2018, "Applying the Delta Method in Metric Analytics"):
/// Var(R) ~ (var_y / mx^2 - 2 my cov / mx^3 + my^2 var_x / mx^4) / n, moments with ddof 1.
struct RatioStats {
  int64_t n = 0;
  double ratio = 0.0;
  double variance = 0.0;  ///< variance of the ratio estimate (already divided by n)
};
RatioStats DeltaMethodRatio(std::span<const double> numerator, std::span<const double> denominator);

/// Multiple-testing corrections, exactly as statsmodels.stats.multitest.multipletests.
enum class Correction { kNone, kHolm, kBenjaminiHochberg };
/// "none", "holm", "bh"; throws kInvalidArgument listing the choices.
Correction ParseCorrection(std::string_view name);
std::string_view CorrectionName(Correction correction);

struct Corrected {
  std::vector<double> p_adjusted;
  std::vector<bool> reject;
};
/// Adjusted p-values (capped at 1) and decisions at `alpha`, in the input order.
Corrected AdjustPValues(std::span<const double> p_values, Correction correction,
                        double alpha = 0.05);

/// Standard normal quantile and upper tail, and Student t quantile (Boost.Math).
double NormalQuantile(double p);
double NormalSf(double z);
double NormalCdf(double z);
double StudentTQuantile(double p, double df);

/// Upper winsorising cap: the `percentile` (0-100) of `values` with numpy's default linear
/// interpolation (numpy.percentile(values, percentile)).
double PercentileLinear(std::vector<double> values, double percentile);

}  // namespace prospect::experiment
