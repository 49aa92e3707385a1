// Shifted-beta-geometric model (Fader & Hardie 2007, "How to project customer retention") for
// contractual customers (subscriptions): at the end of each period a customer renews, or churns
// with probability θ, and θ ~ Beta(α, β) across customers. Its retention rate rises with tenure
// (r_t = (β + t − 1)/(α + β + t − 1)) because the customers likeliest to churn leave first.
//
// A customer is summarised by the renewals made (n) and whether they churned at the renewal after
// (or are still subscribed: censored). From a payment log in periods of the fit's unit (see
// SubscriptionsOf): the first payment starts the subscription, a payment counts for the renewal
// nearest its day, and a renewal counts as missed once its due date is past.
#pragma once

#include <span>
#include <vector>

#include "prospect/clv/mle.hpp"
#include "prospect/clv/summary.hpp"

namespace prospect::clv {

struct ShiftedBetaGeometric {
  double alpha = 1, beta = 1;

  /// log P(churned at renewal n + 1) = log[B(α + 1, β + n)/B(α, β)], or, still subscribed after
  /// n renewals, log S(n) = log[B(α, β + n)/B(α, β)]; with `gradient` (2 values) its derivatives
  /// with respect to α and β.
  double LogLikelihood(double renewals, bool churned, std::span<double> gradient = {}) const;
  /// S(t): the share of a cohort still subscribed after t renewals.
  double Survival(double t) const;
  /// r_t = S(t)/S(t − 1): the share of those due their t-th renewal (t ≥ 1) who make it.
  double RetentionRate(double t) const;
  /// Σ_{k=1..periods} S(n + k)/S(n) · discount^k: the renewals a subscriber with n so far is
  /// expected to make in the next `periods` periods, each weighted by discount^k (1: undiscounted).
  double ExpectedRenewals(double renewals, int periods, double discount = 1) const;
};

/// Per customer: renewals made and whether they churned, from the summary of their payments in
/// periods of its unit: the last payment's renewal is the nearest whole number of periods from the
/// first, lround(t_x), and the renewals due by the calibration end floor(T); a customer churned
/// when the last payment's renewal is before the last one due.
struct Subscriptions {
  std::vector<double> renewals;
  std::vector<char> churned;
  std::vector<double> due;  ///< renewals due by the calibration end, floor(T)
  size_t size() const { return renewals.size(); }
};
Subscriptions SubscriptionsOf(const CustomerSummary& summary);

struct ShiftedBetaGeometricFit {
  ShiftedBetaGeometric model;
  MleResult mle;  ///< parameters named alpha, beta
};
/// sBG by maximum likelihood, from α = β = 1. kInvalidData when no customer has had a renewal
/// due (nothing to fit).
ShiftedBetaGeometricFit FitShiftedBetaGeometric(const Subscriptions& subscriptions,
                                                const MleOptions& options = {});

}  // namespace prospect::clv
