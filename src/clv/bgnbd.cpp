// BG/NBD and MBG/NBD (see bgnbd.hpp). Equation numbers are those of Fader, Hardie & Lee (2005)
// and of their note "Computing P(alive) using the BG/NBD model" (2008); MBG/NBD follows Batislam
// et al. (2007) as lifetimes implements it.
#include "prospect/clv/bgnbd.hpp"

#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <cmath>

#include "clv/log_math.hpp"
#include "prospect/common/error.hpp"

namespace prospect::clv {
namespace {

using boost::math::digamma;
using boost::math::lgamma;
using internal::LogAddExp;
using internal::LogBeta;

}  // namespace

double PowerTimesHyp2F1(double power, double a, double b, double c, double z) {
  if (z == 0) return 1;
  const double series = boost::math::hypergeometric_pFq({c - a, c - b}, {c}, z);
  return std::exp((power + c - a - b) * std::log1p(-z)) * series;
}

BgNbd::CountTerms BgNbd::TermsOf(double x) const {
  // A1 = log[Γ(r + x) α^r / Γ(r)], the NBD count, and A2 = the beta-geometric survival through x
  // (BG/NBD) or x + 1 (MBG/NBD) purchases; their derivatives but for the terms in T and t_x.
  const double e = modified ? 1 : 0;
  const double a1 = lgamma(r + x) - lgamma(r) + r * std::log(alpha);
  const double a2 = lgamma(a + b) + lgamma(b + x + e) - lgamma(b) - lgamma(a + b + x + e);
  const double common = digamma(a + b) - digamma(a + b + x + e);
  return {.log_terms = a1 + a2,
          .d_r = digamma(r + x) - digamma(r) + std::log(alpha),
          .d_a = common,
          .d_b = common + digamma(b + x + e) - digamma(b)};
}

double BgNbd::LogLikelihood(double x, double t_x, double age, std::span<double> gradient) const {
  return LogLikelihood(x, t_x, age, TermsOf(x), gradient);
}

double BgNbd::LogLikelihood(double x, double t_x, double age, const CountTerms& terms,
                            std::span<double> gradient) const {
  // Still active at T (a3), or dropped out right after the last purchase at t_x (a4); BG/NBD's
  // second term needs a repeat purchase to drop out after (x > 0).
  const double e = modified ? 1 : 0;
  const double a3 = -(r + x) * std::log(alpha + age);
  const bool can_leave = modified || x > 0;
  const double a4 = can_leave
                        ? std::log(a) - std::log(b + x - 1 + e) - (r + x) * std::log(alpha + t_x)
                        : -INFINITY;
  const double ll = terms.log_terms + (can_leave ? LogAddExp(a3, a4) : a3);
  if (!gradient.empty()) {
    const double w4 = can_leave ? 1 / (1 + std::exp(a3 - a4)) : 0, w3 = 1 - w4;
    gradient[0] = terms.d_r - w3 * std::log(alpha + age) - w4 * std::log(alpha + t_x);
    gradient[1] = r / alpha - w3 * (r + x) / (alpha + age) - w4 * (r + x) / (alpha + t_x);
    gradient[2] = terms.d_a + w4 / a;
    gradient[3] = terms.d_b - w4 / (b + x - 1 + e);
  }
  return ll;
}

double BgNbd::ExpectedPurchases(double t) const {
  // FHL eq. 9: (a + b − 1)/(a − 1) · [1 − (α/(α + t))^r 2F1(r, b; a + b − 1; t/(α + t))];
  // MBG/NBD: (a + b − 1)/(a − 1) · [1 − (α/(α + t))^r 2F1(r, b + 1; a + b; t/(α + t))].
  const double z = t / (alpha + t), e = modified ? 1 : 0;
  return (a + b - 1) / (a - 1) * (1 - PowerTimesHyp2F1(r, r, b + e, a + b - 1 + e, z));
}

double BgNbd::ProbabilityOfPurchases(double t, int n) const {
  if (modified)
    Fail(ErrorCode::kUnimplemented, "P(X(t) = n) is available for BG/NBD only, not MBG/NBD");
  // FHL eq. 8.
  const double x = n, log_stay = r * std::log(alpha / (alpha + t)),
               log_z = std::log(t / (alpha + t));
  const double first = std::exp(LogBeta(a, b + x) - LogBeta(a, b) + lgamma(r + x) - lgamma(r) -
                                lgamma(x + 1) + log_stay + x * log_z);
  if (n == 0) return first;
  double sum = 0;
  for (int j = 0; j < n; ++j)
    sum += std::exp(lgamma(r + j) - lgamma(r) - lgamma(j + 1.0) + log_stay + j * log_z);
  return first + std::exp(LogBeta(a + 1, b + x - 1) - LogBeta(a, b)) * (1 - sum);
}

double BgNbd::ProbabilityAlive(double x, double t_x, double age) const {
  // FHL 2008 note: 1 / (1 + δ(x > 0) a/(b + x − 1) ((α + T)/(α + t_x))^(r + x)); MBG/NBD:
  // 1 / (1 + a/(b + x) ((α + T)/(α + t_x))^(r + x)) for every x.
  if (!modified && x == 0) return 1;
  const double e = modified ? 1 : 0;
  const double log_odds =
      std::log(a / (b + x - 1 + e)) + (r + x) * (std::log(alpha + age) - std::log(alpha + t_x));
  return 1 / (1 + std::exp(log_odds));
}

double BgNbd::ExpectedPurchasesIfAlive(double t, double x, double age) const {
  // FHL eq. 10 without its P(alive): (a + b + x − 1)/(a − 1) · [1 − ((α + T)/(α + T + t))^(r + x)
  //   2F1(r + x, b + x; a + b + x − 1; t/(α + T + t))]; MBG/NBD with b + x + 1 and a + b + x.
  const double z = t / (alpha + age + t), e = modified ? 1 : 0;
  const double first = (a + b + x - 1 + e) / (a - 1);
  return first * (1 - PowerTimesHyp2F1(r + x, r + x, b + x + e, a + b + x - 1 + e, z));
}

std::vector<double> BgNbd::PurchaseCountsIfAlive(double t, int max_n, double x, double age) const {
  const double shape = r + x, rate = alpha + age, b_post = b + x + (modified ? 1 : 0);
  const double log_b = internal::LogBeta(a, b_post);
  std::vector<double> p(static_cast<size_t>(max_n) + 1);
  p[0] = internal::NbdProbability(0, shape, rate)(t);
  for (int n = 1; n <= max_n; ++n) {
    // E[(1 − p)^(n−1) p] · P(N(t) ≥ n) + E[(1 − p)^n] · P(N(t) = n); P(N ≥ n) = I_z(n, r + x).
    const double drop_at_n = std::exp(internal::LogBeta(a + 1, b_post + n - 1) - log_b);
    const double stay = std::exp(internal::LogBeta(a, b_post + n) - log_b);
    p[static_cast<size_t>(n)] = drop_at_n * boost::math::ibeta(n, shape, t / (rate + t)) +
                                stay * internal::NbdProbability(n, shape, rate)(t);
  }
  return p;
}

double BgNbd::ConditionalExpectedPurchases(double t, double x, double t_x, double age) const {
  return ExpectedPurchasesIfAlive(t, x, age) * ProbabilityAlive(x, t_x, age);
}

BgNbdFit FitBgNbd(const GroupedHistories& h, bool modified, const MleOptions& options) {
  MleProblem problem;
  problem.names = {"r", "alpha", "a", "b"};
  problem.customers = h.customers;
  problem.log_likelihood = [&h, modified](std::span<const double> p, std::span<double> grad) {
    const BgNbd m{.r = p[0], .alpha = p[1], .a = p[2], .b = p[3], .modified = modified};
    std::fill(grad.begin(), grad.end(), 0.0);
    double ll = 0, g[4];
    BgNbd::CountTerms terms;
    for (size_t i = 0; i < h.count.size(); ++i) {
      // The histories are sorted by x: its special functions once per distinct x.
      if (i == 0 || h.frequency[i] != h.frequency[i - 1]) terms = m.TermsOf(h.frequency[i]);
      ll += h.count[i] * m.LogLikelihood(h.frequency[i], h.recency[i], h.age[i], terms, g);
      for (int j = 0; j < 4; ++j) grad[static_cast<size_t>(j)] += h.count[i] * g[j];
    }
    return ll;
  };
  double x = 0, age = 0;
  for (size_t i = 0; i < h.count.size(); ++i) {
    x += h.count[i] * h.frequency[i];
    age += h.count[i] * h.age[i];
  }
  const double alpha = x > 0 ? age / x : std::max(age / h.customers, 1.0);
  BgNbdFit out;
  out.mle = MaximiseLikelihood(problem, {1.0, std::max(alpha, 1e-3), 1.0, 3.0}, options);
  out.model = {.r = out.mle.params[0],
               .alpha = out.mle.params[1],
               .a = out.mle.params[2],
               .b = out.mle.params[3],
               .modified = modified};
  CheckDropout(out.mle, out.model.a / (out.model.a + out.model.b),
               "the mean dropout probability a/(a + b)", "a and b", 2);
  return out;
}

}  // namespace prospect::clv
