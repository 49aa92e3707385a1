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

/// P(N(t) = n) where N is a Poisson process of rate λ ~ Gamma(shape, rate): the negative binomial
/// Γ(shape + n)/(Γ(shape) n!) · (rate/(rate + t))^shape · (t/(rate + t))^n, for one n at any t
/// (the Γ terms once: quadrature calls it at many t).
class NbdProbability {
 public:
  NbdProbability(int n, double shape, double rate)
      : n_(n),
        shape_(shape),
        rate_(rate),
        log_coefficient_(boost::math::lgamma(shape + n) - boost::math::lgamma(shape) -
                         boost::math::lgamma(n + 1.0)) {}
  double operator()(double t) const {
    return std::exp(log_coefficient_ + shape_ * std::log(rate_ / (rate_ + t)) +
                    (n_ > 0 ? n_ * std::log(t / (rate_ + t)) : 0.0));
  }

 private:
  int n_;
  double shape_, rate_, log_coefficient_;
};

}  // namespace prospect::clv::internal
