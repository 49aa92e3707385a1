// Pareto/NBD (see pareto_nbd.hpp). Equations from Fader, Hardie & Lee (2005), "A note on
// deriving the Pareto/NBD model and related expressions".
#include "prospect/clv/pareto_nbd.hpp"

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>

#include "clv/log_math.hpp"

namespace prospect::clv {
namespace {

using boost::math::lgamma;
using internal::LogAddExp;

constexpr int kMaxSeriesTerms = 1'000'000;

// log 2F1(1, e; c; z) for 0 ≤ z < 1 and 0 < e < c: Σ_k (e)_k/(c)_k z^k. Each term is the last
// times (e + k)/(c + k)·z < z, so the terms fall and everything after a term t is below
// t·z/(1 − z): the sum stops when that bound is under 1e-16 of it. NaN if it does not.
double LogHyp2F1WithFirstParameterOne(double e, double c, double z) {
  if (z == 0) return 0;
  double term = 1, sum = 1;
  const double tail_factor = z / (1 - z);
  for (int k = 0; k < kMaxSeriesTerms; ++k) {
    term *= (e + k) / (c + k) * z;
    sum += term;
    if (term * tail_factor < 1e-16 * sum) return std::log(sum);
  }
  return std::nan("");
}

// Past this z the series needs thousands of terms (its terms fall like z^k k^−(r + x)): near the
// no-dropout edge (β ≫ α, z → 1) a million were not enough.
constexpr double kMaxSeriesZ = 0.95;

// The same term as an integral over the time of leaving τ (FHL 2005 note, eq. 11's origin):
// s ∫ (α + τ)^−(r+x) (β + τ)^−(s+1) dτ from t_x to T; the integrand is taken relative to its value
// at t_x so that it cannot underflow, and integrated by adaptive Gauss–Kronrod.
double LogLeftTermByIntegral(const ParetoNbd& p, double x, double t_x, double age) {
  const double k = p.r + x, m = p.s + 1, a0 = p.alpha + t_x, b0 = p.beta + t_x;
  const auto relative = [&](double u) {  // u = τ − t_x
    return std::exp(-k * std::log1p(u / a0) - m * std::log1p(u / b0));
  };
  const double integral = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
      relative, 0, age - t_x, 15, 1e-13);
  return std::log(p.s) - k * std::log(a0) - m * std::log(b0) + std::log(integral);
}

// log[s/(r + s + x) · A0], the likelihood's term for a customer who left between t_x and T
// (FHL 2005 note, eq. 19): A0 = F(z(t_x))/(m + t_x)^(r+s+x) − F(z(T))/(m + T)^(r+s+x) with
// F(z) = 2F1(r + s + x, b; r + s + x + 1; z), m = max(α, β), z(y) = |α − β|/(m + y), and b = s + 1
// when α ≥ β, r + x otherwise. −inf when t_x = T (no time to leave in).
double LogLeftTerm(const ParetoNbd& p, double x, double t_x, double age) {
  const double a = p.r + p.s + x, c = a + 1;
  const bool alpha_larger = p.alpha >= p.beta;
  const double high = alpha_larger ? p.alpha : p.beta, low = alpha_larger ? p.beta : p.alpha;
  const double b = alpha_larger ? p.s + 1 : p.r + x;
  // Euler: 2F1(a, b; c; z) = (1 − z)^(c − a − b) 2F1(c − a, c − b; c; z), c − a = 1, and
  // 1 − z(y) = (low + y)/(high + y).
  const auto log_term = [&](double y) {
    const double log_high = std::log(high + y);
    return (1 - b) * (std::log(low + y) - log_high) - a * log_high +
           LogHyp2F1WithFirstParameterOne(c - b, c, (high - low) / (high + y));
  };
  if (!(t_x < age)) return -INFINITY;
  if ((high - low) / (high + t_x) > kMaxSeriesZ) return LogLeftTermByIntegral(p, x, t_x, age);
  const double at_recency = log_term(t_x), at_age = log_term(age);
  if (!(at_age < at_recency)) return -INFINITY;
  return std::log(p.s) - std::log(a) + at_recency + std::log(-std::expm1(at_age - at_recency));
}

// log of the likelihood's other term, for a customer still active at T: (α+T)^−(r+x) (β+T)^−s.
double LogStayedTerm(const ParetoNbd& p, double x, double age) {
  return -(p.r + x) * std::log(p.alpha + age) - p.s * std::log(p.beta + age);
}

// (1 − (1 + u)^−k)/k, which is log(1 + u) at k = 0: the expected purchases' time integral.
double PowerIntegral(double k, double u) {
  const double log1pu = std::log1p(u);
  return std::fabs(k) < 1e-12 ? log1pu : -std::expm1(-k * log1pu) / k;
}

}  // namespace

double ParetoNbd::LogLikelihood(double x, double t_x, double age,
                                std::span<double> gradient) const {
  const double ll = lgamma(r + x) - lgamma(r) + r * std::log(alpha) + s * std::log(beta) +
                    LogAddExp(LogStayedTerm(*this, x, age), LogLeftTerm(*this, x, t_x, age));
  if (!gradient.empty()) {
    // Central differences with a relative step near the cube root of the machine epsilon.
    constexpr double h = 1e-5;
    double ParetoNbd::*const members[4] = {&ParetoNbd::r, &ParetoNbd::alpha, &ParetoNbd::s,
                                           &ParetoNbd::beta};
    for (size_t j = 0; j < 4; ++j) {
      ParetoNbd up = *this, down = *this;
      const double step = h * this->*members[j];
      up.*members[j] += step;
      down.*members[j] -= step;
      gradient[j] = (up.LogLikelihood(x, t_x, age) - down.LogLikelihood(x, t_x, age)) / (2 * step);
    }
  }
  return ll;
}

double ParetoNbd::ExpectedPurchases(double t) const {
  // FHL 2005 note, eq. 27: rβ/(α(s − 1)) · [1 − (β/(β + t))^(s − 1)].
  return r / alpha * beta * PowerIntegral(s - 1, t / beta);
}

double ParetoNbd::ProbabilityAlive(double x, double t_x, double age) const {
  // Eq. 18: the stayed term's share of the likelihood.
  const double log_odds = LogLeftTerm(*this, x, t_x, age) - LogStayedTerm(*this, x, age);
  return 1 / (1 + std::exp(log_odds));
}

double ParetoNbd::ExpectedPurchasesIfAlive(double t, double x, double age) const {
  // Eq. 28 without its P(alive): (r + x)(β + T)/((α + T)(s − 1)) · [1 − ((β + T)/(β + T + t))^(s −
  // 1)].
  return (r + x) / (alpha + age) * (beta + age) * PowerIntegral(s - 1, t / (beta + age));
}

std::vector<double> ParetoNbd::PurchaseCountsIfAlive(double t, int max_n, double x,
                                                     double age) const {
  const double shape = r + x, rate = alpha + age, b = beta + age;
  const double survive = std::pow(b / (b + t), s);  // E[e^(−μt)]
  std::vector<double> p(static_cast<size_t>(max_n) + 1);
  for (int n = 0; n <= max_n; ++n) {
    const internal::NbdProbability purchases(n, shape, rate);
    // Death at d has density E[μ e^(−μd)] = s b^s/(b + d)^(s + 1).
    const auto dies_after_n = [&](double d) {
      return purchases(d) * s / (b + d) * std::pow(b / (b + d), s);
    };
    p[static_cast<size_t>(n)] =
        purchases(t) * survive + boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
                                     dies_after_n, 0, t, 15, 1e-12);
  }
  return p;
}

double ParetoNbd::ConditionalExpectedPurchases(double t, double x, double t_x, double age) const {
  return ExpectedPurchasesIfAlive(t, x, age) * ProbabilityAlive(x, t_x, age);
}

ParetoNbdFit FitParetoNbd(const GroupedHistories& h, const MleOptions& options) {
  MleProblem problem;
  problem.names = {"r", "alpha", "s", "beta"};
  problem.customers = h.customers;
  problem.log_likelihood = [&h](std::span<const double> p, std::span<double> grad) {
    const ParetoNbd m{.r = p[0], .alpha = p[1], .s = p[2], .beta = p[3]};
    std::fill(grad.begin(), grad.end(), 0.0);
    double ll = 0, g[4];
    for (size_t i = 0; i < h.count.size(); ++i) {
      ll += h.count[i] * m.LogLikelihood(h.frequency[i], h.recency[i], h.age[i], g);
      for (size_t j = 0; j < 4; ++j) grad[j] += h.count[i] * g[j];
    }
    return ll;
  };
  double x = 0, age = 0;
  for (size_t i = 0; i < h.count.size(); ++i) {
    x += h.count[i] * h.frequency[i];
    age += h.count[i] * h.age[i];
  }
  const double rate = std::max(x > 0 ? age / x : std::max(age / h.customers, 1.0), 1e-3);
  ParetoNbdFit out;
  out.mle = MaximiseLikelihood(problem, {1.0, rate, 1.0, rate}, options);
  out.model = {.r = out.mle.params[0],
               .alpha = out.mle.params[1],
               .s = out.mle.params[2],
               .beta = out.mle.params[3]};
  // The expected share of customers lost over the longest history, at the mean dropout rate.
  const double longest = h.age.empty() ? 0 : *std::max_element(h.age.begin(), h.age.end());
  CheckDropout(out.mle, out.model.s / out.model.beta * longest,
               "the share of customers lost over the longest history at the mean dropout rate s/β",
               "s and β", 2);
  return out;
}

}  // namespace prospect::clv
