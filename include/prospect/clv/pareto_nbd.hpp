// Pareto/NBD (Schmittlein, Morrison & Colombo 1987): repeat purchases of non-contractual
// customers who buy at rate λ ~ Gamma(r, α) (a Poisson process) while active and stay active for
// an exponential lifetime of rate μ ~ Gamma(s, β). Unlike BG/NBD a customer may leave at any time,
// not only right after a purchase.
//
// Expressions are those of Fader, Hardie & Lee, "A note on deriving the Pareto/NBD model and
// related expressions" (2005), with a customer summarised as in bgnbd.hpp: x repeat purchases, the
// last at t_x, observed for T (`age`). The likelihood's Gaussian hypergeometric functions
// 2F1(r + s + x, ·; r + s + x + 1; z) are computed after Euler's transformation as
// (1 − z)^(1 − b) · 2F1(1, c − b; c; z): a series of positive terms whose ratio is below z < 1,
// summed until the geometric bound on its tail is below 1e-16 of the sum (the convergence check;
// NaN after a million terms, which makes the fit step back). Everything is in log space.
#pragma once

#include <span>
#include <vector>

#include "prospect/clv/mle.hpp"
#include "prospect/clv/summary.hpp"

namespace prospect::clv {

struct ParetoNbd {
  double r = 1, alpha = 1, s = 1, beta = 1;

  /// One customer's log-likelihood; with `gradient` (4 values) also its derivatives with respect
  /// to r, α, s, β, by central differences (the hypergeometric function has no closed-form
  /// derivative in its parameters).
  double LogLikelihood(double x, double t_x, double age, std::span<double> gradient = {}) const;
  /// E[X(t)]: expected repeat purchases of a new customer in (0, t].
  double ExpectedPurchases(double t) const;
  /// P(still active at T | x, t_x, T).
  double ProbabilityAlive(double x, double t_x, double age) const;
  /// E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] of a customer with that history;
  /// ExpectedPurchasesIfAlive(t, x, T) × ProbabilityAlive(x, t_x, T).
  double ConditionalExpectedPurchases(double t, double x, double t_x, double age) const;
  /// E[Y(t) | x, T, alive at T].
  double ExpectedPurchasesIfAlive(double t, double x, double age) const;
  /// P(Y(t) = n | x, T, alive at T) for n = 0 … max_n. With λ ~ Gamma(r + x, α + T) and
  /// μ ~ Gamma(s, β + T) a posteriori: alive through t with n purchases, plus dying at d < t after
  /// n purchases, ∫₀ᵗ NBD(n; d) · s (β + T)^s/(β + T + d)^(s + 1) dd (Gauss–Kronrod).
  std::vector<double> PurchaseCountsIfAlive(double t, int max_n, double x, double age) const;
};

struct ParetoNbdFit {
  ParetoNbd model;
  MleResult mle;  ///< parameters named r, alpha, s, beta
};
/// Pareto/NBD by maximum likelihood over the grouped histories, starting from r = s = 1 and
/// α = β = the mean age over the mean frequency.
ParetoNbdFit FitParetoNbd(const GroupedHistories& histories, const MleOptions& options = {});

}  // namespace prospect::clv
