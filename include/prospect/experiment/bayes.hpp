// Bayesian comparison of a treatment with control: Beta-Binomial for conversion metrics and a
// Normal model for means. Probability to beat control, expected loss, credible intervals.
#pragma once

#include <cstdint>

#include "prospect/experiment/stats.hpp"

namespace prospect::experiment {

/// Beta prior for conversion rates. The default Beta(1, 1) is uniform on [0, 1]: it adds one
/// success and one failure, negligible beyond a few hundred units.
struct BetaPrior {
  double alpha = 1.0;
  double beta = 1.0;
};

/// Posterior of a rate or a mean with its equal-tailed 1 - alpha credible interval.
struct Posterior {
  double alpha = 0.0;  ///< Beta posterior parameters (Beta model only)
  double beta = 0.0;
  double mean = 0.0;  ///< posterior mean
  double sd = 0.0;    ///< posterior standard deviation
  double ci_low = 0.0;
  double ci_high = 0.0;
};

/// Beta(prior.alpha + successes, prior.beta + n - successes), interval by Beta quantiles.
Posterior BetaPosterior(int64_t successes, int64_t n, BetaPrior prior = {}, double alpha = 0.05);

/// Normal model for a mean with a flat prior and the sample variance plugged in (large-sample):
/// mu | data ~ N(mean, variance / n).
Posterior NormalPosterior(const SampleStats& stats, double alpha = 0.05);

/// Treatment against control.
struct BayesComparison {
  double prob_beat_control = 0.0;  ///< P(theta_t > theta_c | data)
  /// E[max(theta_c - theta_t, 0)]: what shipping treatment costs if control is really better.
  double expected_loss_treatment = 0.0;
  /// E[max(theta_t - theta_c, 0)]: what keeping control costs if treatment is really better.
  double expected_loss_control = 0.0;
  double diff_mean = 0.0;  ///< posterior mean of theta_t - theta_c
  double diff_low = 0.0;   ///< credible interval of theta_t - theta_c
  double diff_high = 0.0;
  double lift_low = 0.0;  ///< credible interval of theta_t / theta_c - 1 (Monte Carlo)
  double lift_high = 0.0;
};

/// P(X > Y) for independent X ~ Beta(a_x, b_x), Y ~ Beta(a_y, b_y). Exact closed-form sum
/// (Evan Miller 2015) when a shape is a whole number (always, for counts with integer priors),
/// O(min(a_x, a_y)); otherwise adaptive Gauss-Kronrod integration of f_X(t) F_Y(t).
double ProbBetaGreater(double a_x, double b_x, double a_y, double b_y);

/// Beta-Binomial comparison. Probability and expected losses are exact (see ProbBetaGreater); the
/// intervals of the difference and the lift use `draws` seeded Monte Carlo draws from the
/// posteriors.
BayesComparison CompareBeta(const Posterior& t, const Posterior& c, double alpha, uint64_t seed,
                            int draws = 100000);

/// Normal comparison: the difference is N(m_t - m_c, sd_t^2 + sd_c^2), so probability, losses and
/// the difference interval are closed-form; the lift interval uses seeded Monte Carlo draws.
BayesComparison CompareNormal(const Posterior& t, const Posterior& c, double alpha, uint64_t seed,
                              int draws = 100000);

}  // namespace prospect::experiment
