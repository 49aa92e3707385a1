// Power, sample size, minimum detectable effect and duration for two-sample tests with a normal
// approximation, matching statsmodels NormalIndPower (zt_ind_solve_power) and
// proportion_effectsize.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

namespace prospect::experiment {

/// Power of a two-sided two-sample z-test for a standardised effect `effect_size` (Cohen's d or
/// h) with nobs1 units in group 1 (control) and nobs1 * ratio in group 2, as statsmodels
/// NormalIndPower().power(effect_size, nobs1, alpha, ratio, alternative="two-sided"):
/// with m = 1 / (1/nobs1 + 1/(nobs1 ratio)) and c = z_{1-alpha/2},
///   power = Phi(d sqrt(m) - c) + Phi(-c - d sqrt(m)).
double NormalIndPower(double effect_size, double nobs1, double alpha, double ratio = 1.0);

/// nobs1 (not rounded) that reaches `power`; solves the equation above to 1e-12 relative.
double SolveNobs1(double effect_size, double alpha, double power, double ratio = 1.0);

/// Smallest standardised effect (> 0) detectable with `power` at nobs1 and ratio.
double SolveEffectSize(double nobs1, double alpha, double power, double ratio = 1.0);

/// Cohen's h for proportions, as statsmodels proportion_effectsize(p2, p1):
/// 2 asin(sqrt(p2)) - 2 asin(sqrt(p1)).
double ProportionEffectSize(double p2, double p1);

/// Inverse of ProportionEffectSize for a given p1: p2 with h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1)).
double ProportionFromEffectSize(double h, double p1);

/// A sample-size plan for the CLI: per-group and total units, and days of traffic.
struct PowerPlan {
  double effect_size = 0.0;    ///< standardised effect used (Cohen's h for binary, d otherwise)
  double nobs1_exact = 0.0;    ///< control units, unrounded
  int64_t nobs_control = 0;    ///< ceil(nobs1_exact)
  int64_t nobs_treatment = 0;  ///< ceil(nobs1_exact * ratio)
  int64_t total = 0;
  double days = 0.0;  ///< total / (daily_traffic * traffic_share), 0 when no traffic given
};

/// Days to collect `total` units when `daily_traffic` units arrive a day and `traffic_share` of
/// them enter the experiment. Throws kInvalidArgument for non-positive traffic.
double DurationDays(int64_t total, double daily_traffic, double traffic_share = 1.0);

/// Sample size for a standardised effect, rounded up per group, with the duration when
/// daily_traffic > 0.
PowerPlan PlanSampleSize(double effect_size, double alpha, double power, double ratio,
                         double daily_traffic = 0.0, double traffic_share = 1.0);

/// `prospect experiment power`: for a conversion rate (sd unset: baseline in (0, 1)) or a
/// continuous metric (sd > 0), either the sample size (and duration) that detects `mde`, or,
/// with `nobs_control`, the minimum detectable effect for that many control units.
struct PowerRequest {
  std::optional<double> baseline;  ///< control rate (binary) or mean (continuous)
  std::optional<double> sd;        ///< continuous metrics only
  std::optional<double> mde;       ///< absolute, or relative to the baseline with `relative`
  bool relative = false;
  std::optional<double> nobs_control;  ///< solve for the MDE instead
  double alpha = 0.05;
  double power = 0.8;
  double ratio = 1.0;          ///< treatment units per control unit
  double daily_traffic = 0.0;  ///< > 0: the duration too
  double traffic_share = 1.0;
};
struct PowerResult {
  PowerRequest request;
  bool binary = true;
  double effect_size = 0.0;  ///< standardised (Cohen's h or d)
  double mde_absolute = 0.0;
  std::optional<double> mde_relative;  ///< MDE mode with a baseline
  std::optional<PowerPlan> plan;       ///< sample-size mode
  /// metric, alpha, power, ratio, baseline, sd, and the mode's figures (the keys of
  /// docs/user/experiments.md).
  nlohmann::json ToJson() const;
};
/// Throws kInvalidArgument naming the missing or out-of-range field (baseline, mde, ...).
PowerResult PlanPower(const PowerRequest& request);

}  // namespace prospect::experiment
