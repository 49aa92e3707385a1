// Bayesian A/B comparison: Beta-Binomial and Normal posteriors, probability to beat control,
// expected loss (Stucchio's decision rule) and credible intervals.
#include "prospect/experiment/bayes.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "prospect/common/error.hpp"
#include "prospect/common/quantile.hpp"
#include "prospect/common/rng.hpp"

namespace prospect::experiment {
namespace {

double NormalPdf(double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * M_PI); }

}  // namespace

Posterior BetaPosterior(int64_t successes, int64_t n, BetaPrior prior, double alpha) {
  if (n < 0 || successes < 0 || successes > n) {
    Fail(ErrorCode::kInvalidArgument, "Beta posterior: successes {} must be between 0 and n = {}",
         successes, n);
  }
  if (!(prior.alpha > 0.0 && prior.beta > 0.0)) {
    Fail(ErrorCode::kOutOfRange, "Beta prior parameters must be positive (got {} and {})",
         prior.alpha, prior.beta);
  }
  Posterior p;
  p.alpha = prior.alpha + static_cast<double>(successes);
  p.beta = prior.beta + static_cast<double>(n - successes);
  boost::math::beta_distribution<double> dist(p.alpha, p.beta);
  p.mean = boost::math::mean(dist);
  p.sd = boost::math::standard_deviation(dist);
  p.ci_low = boost::math::quantile(dist, alpha / 2.0);
  p.ci_high = boost::math::quantile(dist, 1.0 - alpha / 2.0);
  return p;
}

Posterior NormalPosterior(const SampleStats& stats, double alpha) {
  if (stats.n < 2)
    Fail(ErrorCode::kInvalidArgument, "Normal posterior: needs at least 2 values (got {})",
         stats.n);
  Posterior p;
  p.mean = stats.mean;
  p.sd = std::sqrt(stats.variance / static_cast<double>(stats.n));
  const double z = NormalQuantile(1.0 - alpha / 2.0);
  p.ci_low = p.mean - z * p.sd;
  p.ci_high = p.mean + z * p.sd;
  return p;
}

namespace {

bool IsWhole(double x) { return x >= 1.0 && x < 1e9 && std::floor(x) == x; }

// Exact P(X > Y) for integer a_x (Evan Miller, "Formulas for Bayesian A/B Testing", 2015):
//   sum_{i=0}^{a_x-1} B(a_y + i, b_y + b_x) / ((b_x + i) B(1 + i, b_x) B(a_y, b_y)).
// Terms are built by their ratio in log space (no overflow, no lgamma cancellation per term)
// and summed with a running log-sum-exp.
double ProbBetaGreaterExact(double a_x, double b_x, double a_y, double b_y) {
  const auto terms = static_cast<int64_t>(a_x);
  // log term_0 = log B(a_y, b_y + b_x) - log B(a_y, b_y).
  double log_term = std::lgamma(b_y + b_x) - std::lgamma(a_y + b_y + b_x) - std::lgamma(b_y) +
                    std::lgamma(a_y + b_y);
  double log_max = log_term, scaled = 1.0;  // sum = exp(log_max) * scaled
  for (int64_t k = 0; k + 1 < terms; ++k) {
    const double i = static_cast<double>(k);
    log_term += std::log((a_y + i) / (a_y + b_y + b_x + i)) +
                std::log((b_x + i) / (b_x + i + 1.0)) + std::log((1.0 + i + b_x) / (1.0 + i));
    if (log_term > log_max) {
      scaled = scaled * std::exp(log_max - log_term) + 1.0;
      log_max = log_term;
    } else {
      scaled += std::exp(log_term - log_max);
    }
  }
  return std::exp(log_max) * scaled;
}

}  // namespace

double ProbBetaGreater(double a_x, double b_x, double a_y, double b_y) {
  if (IsWhole(a_x) && (!IsWhole(a_y) || a_x <= a_y)) {
    return std::clamp(ProbBetaGreaterExact(a_x, b_x, a_y, b_y), 0.0, 1.0);
  }
  if (IsWhole(a_y)) return std::clamp(1.0 - ProbBetaGreaterExact(a_y, b_y, a_x, b_x), 0.0, 1.0);
  // Non-integer shapes (fractional priors): integrate f_X(t) F_Y(t) over the region holding all
  // but 1e-15 of X's mass, split at quantiles of both so the adaptive rule sees the peaks.
  boost::math::beta_distribution<double> x(a_x, b_x), y(a_y, b_y);
  constexpr double kTail = 1e-15;
  const double lo = boost::math::quantile(x, kTail);
  const double hi = boost::math::quantile(x, 1.0 - kTail);
  auto integrand = [&](double t) { return boost::math::pdf(x, t) * boost::math::cdf(y, t); };
  std::vector<double> cuts = {lo, hi};
  for (double q : {1e-6, 0.01, 0.5, 0.99, 1.0 - 1e-6}) {
    for (const auto* d : {&x, &y}) {
      const double c = boost::math::quantile(*d, q);
      if (c > lo && c < hi) cuts.push_back(c);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  double total = 0.0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    if (cuts[i + 1] <= cuts[i]) continue;
    total += boost::math::quadrature::gauss_kronrod<double, 61>::integrate(integrand, cuts[i],
                                                                           cuts[i + 1], 8, 1e-11);
  }
  return std::clamp(total, 0.0, 1.0);
}

BayesComparison CompareBeta(const Posterior& t, const Posterior& c, double alpha, uint64_t seed,
                            int draws) {
  BayesComparison r;
  r.prob_beat_control = ProbBetaGreater(t.alpha, t.beta, c.alpha, c.beta);
  // E[max(c - t, 0)] = E[c 1{c > t}] - E[t 1{c > t}], and E[c 1{c > t}] = E[c] P(c' > t) with
  // c' ~ Beta(a_c + 1, b_c) (size-biased posterior); likewise for t.
  r.expected_loss_treatment =
      std::max(0.0, c.mean * ProbBetaGreater(c.alpha + 1, c.beta, t.alpha, t.beta) -
                        t.mean * ProbBetaGreater(c.alpha, c.beta, t.alpha + 1, t.beta));
  r.expected_loss_control =
      std::max(0.0, t.mean * ProbBetaGreater(t.alpha + 1, t.beta, c.alpha, c.beta) -
                        c.mean * ProbBetaGreater(t.alpha, t.beta, c.alpha + 1, c.beta));
  r.diff_mean = t.mean - c.mean;
  Rng rng(seed);
  std::gamma_distribution<double> gta(t.alpha), gtb(t.beta), gca(c.alpha), gcb(c.beta);
  std::vector<double> diff(static_cast<size_t>(draws)), lift(static_cast<size_t>(draws));
  for (int i = 0; i < draws; ++i) {
    const double ta = gta(rng), tb = gtb(rng), ca = gca(rng), cb = gcb(rng);
    const double pt = ta / (ta + tb), pc = ca / (ca + cb);
    diff[static_cast<size_t>(i)] = pt - pc;
    lift[static_cast<size_t>(i)] = pt / pc - 1.0;
  }
  std::sort(diff.begin(), diff.end());
  std::sort(lift.begin(), lift.end());
  r.diff_low = QuantileSorted(diff, alpha / 2.0);
  r.diff_high = QuantileSorted(diff, 1.0 - alpha / 2.0);
  r.lift_low = QuantileSorted(lift, alpha / 2.0);
  r.lift_high = QuantileSorted(lift, 1.0 - alpha / 2.0);
  return r;
}

BayesComparison CompareNormal(const Posterior& t, const Posterior& c, double alpha, uint64_t seed,
                              int draws) {
  BayesComparison r;
  r.diff_mean = t.mean - c.mean;
  const double sd = std::sqrt(t.sd * t.sd + c.sd * c.sd);
  if (sd > 0.0) {
    const double z = r.diff_mean / sd;
    r.prob_beat_control = NormalCdf(z);
    // E[max(-D, 0)] for D ~ N(d, sd^2) is sd phi(d/sd) - d Phi(-d/sd).
    r.expected_loss_treatment = sd * NormalPdf(z) - r.diff_mean * NormalCdf(-z);
    r.expected_loss_control = sd * NormalPdf(z) + r.diff_mean * NormalCdf(z);
  } else {
    r.prob_beat_control = r.diff_mean > 0 ? 1.0 : (r.diff_mean < 0 ? 0.0 : 0.5);
    r.expected_loss_treatment = std::max(0.0, -r.diff_mean);
    r.expected_loss_control = std::max(0.0, r.diff_mean);
  }
  const double q = NormalQuantile(1.0 - alpha / 2.0);
  r.diff_low = r.diff_mean - q * sd;
  r.diff_high = r.diff_mean + q * sd;
  Rng rng(seed);
  std::normal_distribution<double> nt(t.mean, t.sd > 0 ? t.sd : 1e-300),
      nc(c.mean, c.sd > 0 ? c.sd : 1e-300);
  std::vector<double> lift(static_cast<size_t>(draws));
  for (int i = 0; i < draws; ++i) lift[static_cast<size_t>(i)] = nt(rng) / nc(rng) - 1.0;
  std::sort(lift.begin(), lift.end());
  r.lift_low = QuantileSorted(lift, alpha / 2.0);
  r.lift_high = QuantileSorted(lift, 1.0 - alpha / 2.0);
  return r;
}

}  // namespace prospect::experiment
