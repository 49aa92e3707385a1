// BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way") and MBG/NBD
// (Batislam, Denizel & Filiztekin 2007): repeat purchases of non-contractual customers. While
// active a customer buys at rate λ ~ Gamma(r, α) (a Poisson process); after each purchase (BG/NBD:
// each repeat purchase; MBG/NBD: also at time 0, so a customer without repeat purchases may have
// left) they drop out with probability p ~ Beta(a, b).
//
// A customer is summarised by x (repeat purchases), t_x (time of the last one since the first
// purchase; 0 when x = 0) and T (time since the first purchase; `age` in the code), in one time
// unit throughout.
// Everything is computed in log space; the Gaussian hypergeometric functions are Boost.Math's
// hypergeometric_pFq after Euler's transformation, which turns the conditional expectation's
// 2F1(r + x, b + x; a + b + x − 1; z), whose series needs about x·z terms, into one with small
// numerator parameters (converging in a few terms at any x).
#pragma once

#include <span>
#include <vector>

#include "prospect/clv/mle.hpp"
#include "prospect/clv/summary.hpp"

namespace prospect::clv {

struct BgNbd {
  double r = 1, alpha = 1, a = 1, b = 1;
  bool modified = false;  ///< MBG/NBD

  /// One customer's log-likelihood; with `gradient` (4 values) also its derivatives with respect
  /// to r, α, a, b in that order. For BG/NBD x = 0 needs t_x = 0.
  double LogLikelihood(double x, double t_x, double age, std::span<double> gradient = {}) const;

  /// The parts of the log-likelihood and its gradient that depend on x alone: the special
  /// functions, which a fit computes once per distinct x rather than once per customer.
  struct CountTerms {
    double log_terms = 0;  ///< log[Γ(r + x) α^r / Γ(r)] + the beta-geometric survival's log
    double d_r = 0, d_a = 0, d_b = 0;
  };
  CountTerms TermsOf(double x) const;
  /// LogLikelihood with x's terms from TermsOf(x).
  double LogLikelihood(double x, double t_x, double age, const CountTerms& terms,
                       std::span<double> gradient = {}) const;
  /// E[X(t)]: expected repeat purchases of a new customer in (0, t].
  double ExpectedPurchases(double t) const;
  /// P(X(t) = n) for a new customer (BG/NBD only: FHL 2005 eq. 8; kUnimplemented for MBG/NBD).
  double ProbabilityOfPurchases(double t, int n) const;
  /// P(still active at T | x, t_x, T).
  double ProbabilityAlive(double x, double t_x, double age) const;
  /// E[Y(t) | x, t_x, T]: expected purchases in (T, T + t] of a customer with that history;
  /// ExpectedPurchasesIfAlive(t, x, T) × ProbabilityAlive(x, t_x, T).
  double ConditionalExpectedPurchases(double t, double x, double t_x, double age) const;
  /// E[Y(t) | x, T, alive at T] (t_x does not enter once the customer is known to be alive).
  double ExpectedPurchasesIfAlive(double t, double x, double age) const;
  /// P(Y(t) = n | x, T, alive at T) for n = 0 … max_n: the posterior of an alive customer is
  /// λ ~ Gamma(r + x, α + T), p ~ Beta(a, b + x) (MBG/NBD: b + x + 1), and n purchases in t are
  /// n with no dropout and no (n + 1)-th purchase, or dropping out at the n-th.
  std::vector<double> PurchaseCountsIfAlive(double t, int max_n, double x, double age) const;
};

struct BgNbdFit {
  BgNbd model;
  MleResult mle;  ///< parameters named r, alpha, a, b
};
/// BG/NBD (or, with `modified`, MBG/NBD) by maximum likelihood over the grouped histories,
/// starting from r = 1, α = the mean age over the mean frequency (so that r/α, the mean purchase
/// rate, starts at the observed one), a = 1, b = 3.
BgNbdFit FitBgNbd(const GroupedHistories& histories, bool modified, const MleOptions& options = {});

/// (1 − z)^power · 2F1(a, b; c; z) for 0 ≤ z < 1, by Euler's transformation
/// 2F1(a, b; c; z) = (1 − z)^(c − a − b) · 2F1(c − a, c − b; c; z).
double PowerTimesHyp2F1(double power, double a, double b, double c, double z);

}  // namespace prospect::clv
