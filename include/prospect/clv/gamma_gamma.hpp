// Gamma-Gamma spend model (Fader, Hardie & Lee 2005b, "RFM and CLV: using iso-value curves";
// the formulation of Colombo & Jiang 1999): each purchase's value is Gamma(p, ν) around the
// customer's mean p/ν, and ν ~ Gamma(q, γ) across customers. It is fitted on the customers with
// repeat purchases (x > 0) from their number x and mean value m̄ of the repeat purchases, and it
// assumes that how much customers spend does not depend on how often they buy: the fit reports
// the correlation of x and m̄ among them as the check (close to 0 is what the model needs).
#pragma once

#include <span>

#include "prospect/clv/mle.hpp"
#include "prospect/clv/summary.hpp"

namespace prospect::clv {

struct GammaGamma {
  double p = 1, q = 2, gamma = 1;

  /// One customer's log-likelihood of x repeat purchases with mean value m (both > 0), up to a
  /// term free of the parameters (lifetimes' form); with `gradient` (3 values) its derivatives
  /// with respect to p, q, γ.
  double LogLikelihood(double x, double m, std::span<double> gradient = {}) const;

  /// The parts of the log-likelihood and its gradient that depend on x alone (the special
  /// functions), which a fit computes once per distinct x.
  struct CountTerms {
    double log_terms = 0, d_p = 0, d_q = 0;
  };
  CountTerms TermsOf(double x) const;
  /// LogLikelihood with x's terms from TermsOf(x).
  double LogLikelihood(double x, double m, const CountTerms& terms,
                       std::span<double> gradient = {}) const;
  /// E[value of a purchase | x, m]: the population mean pγ/(q − 1) and the customer's own mean
  /// m weighted by px/(px + q − 1); the population mean for x = 0. Needs q > 1.
  double ExpectedSpend(double x, double m) const;
  /// The population mean of a purchase's value, pγ/(q − 1) (infinite for q ≤ 1).
  double MeanSpend() const;
};

struct GammaGammaFit {
  GammaGamma model;
  MleResult mle;         ///< parameters named p, q, gamma
  size_t customers = 0;  ///< with repeat purchases and a positive mean value: those fitted on
  /// Pearson's r of x and m̄ over them: the independence the model assumes is doubtful when
  /// |r| is large (a diagnostic says so above 0.3).
  double frequency_spend_correlation = 0;
};

/// Gamma-Gamma by maximum likelihood on the summary's customers with x > 0 and monetary > 0.
/// kInvalidData when fewer than 10 such customers (nothing to fit).
GammaGammaFit FitGammaGamma(const CustomerSummary& summary, const MleOptions& options = {});

}  // namespace prospect::clv
