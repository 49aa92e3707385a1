// Log-space helpers shared by the CLV models' likelihoods (internal to src/clv).
#pragma once

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>

namespace prospect::clv::internal {

/// log B(x, y) = log Γ(x) + log Γ(y) − log Γ(x + y).
inline double LogBeta(double x, double y) {
  using boost::math::lgamma;
  return lgamma(x) + lgamma(y) - lgamma(x + y);
}

/// log(e^p + e^q) without overflow.
inline double LogAddExp(double p, double q) {
  const double m = std::max(p, q);
  if (m == -INFINITY) return -INFINITY;
  return m + std::log(std::exp(p - m) + std::exp(q - m));
}

/// P(N = n) where N is Poisson(λt) and λ ~ Gamma(shape, rate): the negative binomial
/// Γ(shape + n)/(Γ(shape) n!) · (rate/(rate + t))^shape · (t/(rate + t))^n.
inline double NbdProbability(int n, double shape, double rate, double t) {
  using boost::math::lgamma;
  const double log_p = lgamma(shape + n) - lgamma(shape) - lgamma(n + 1.0) +
                       shape * std::log(rate / (rate + t)) +
                       (n > 0 ? n * std::log(t / (rate + t)) : 0.0);
  return std::exp(log_p);
}

}  // namespace prospect::clv::internal
