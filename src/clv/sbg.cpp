// Shifted-beta-geometric (see sbg.hpp); equations of Fader & Hardie (2007).
#include "prospect/clv/sbg.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <map>
#include <utility>

#include "clv/log_math.hpp"
#include "prospect/common/error.hpp"

namespace prospect::clv {
namespace {

using boost::math::digamma;
using internal::LogBeta;

}  // namespace

double ShiftedBetaGeometric::LogLikelihood(double renewals, bool churned,
                                           std::span<double> gradient) const {
  // Churned: P(T = n + 1) = B(α + 1, β + n)/B(α, β) (eq. 3); subscribed: S(n) = B(α, β + n)/B(α, β)
  // (eq. 4).
  const double a = churned ? alpha + 1 : alpha, n = renewals;
  if (!gradient.empty()) {
    const double common = digamma(alpha + beta) - digamma(a + beta + n);
    gradient[0] = digamma(a) - digamma(alpha) + common;
    gradient[1] = digamma(beta + n) - digamma(beta) + common;
  }
  return LogBeta(a, beta + n) - LogBeta(alpha, beta);
}

double ShiftedBetaGeometric::Survival(double t) const {
  return std::exp(LogBeta(alpha, beta + t) - LogBeta(alpha, beta));
}

double ShiftedBetaGeometric::RetentionRate(double t) const {
  return (beta + t - 1) / (alpha + beta + t - 1);  // eq. 8
}

double ShiftedBetaGeometric::ExpectedRenewals(double renewals, int periods, double discount) const {
  // S(n + k)/S(n) = Π_{j=1..k} r_{n+j}: the product kept as it goes.
  double survive = 1, weight = 1, sum = 0;
  for (int k = 1; k <= periods; ++k) {
    survive *= RetentionRate(renewals + k);
    weight *= discount;
    sum += survive * weight;
  }
  return sum;
}

Subscriptions SubscriptionsOf(const CustomerSummary& s) {
  Subscriptions out;
  for (size_t i = 0; i < s.size(); ++i) {
    const double due = std::floor(s.age[i]), last = std::round(s.recency[i]);
    out.renewals.push_back(std::min(last, due));
    out.churned.push_back(last < due);
    out.due.push_back(due);
  }
  return out;
}

ShiftedBetaGeometricFit FitShiftedBetaGeometric(const Subscriptions& subs,
                                                const MleOptions& options) {
  // Grouped by (renewals, churned): a cohort table's worth of distinct rows.
  std::map<std::pair<double, bool>, double> groups;
  for (size_t i = 0; i < subs.size(); ++i) {
    if (subs.due[i] > 0) groups[{subs.renewals[i], subs.churned[i] != 0}] += 1;
  }
  if (groups.empty())
    Fail(ErrorCode::kInvalidData,
         "clv: sbg: no customer has had a renewal due by the calibration end; use a shorter "
         "--time-unit or a later --calibration-end");
  MleProblem problem;
  problem.names = {"alpha", "beta"};
  problem.customers = 0;
  for (const auto& [key, n] : groups) problem.customers += n;
  problem.log_likelihood = [&groups](std::span<const double> p, std::span<double> grad) {
    const ShiftedBetaGeometric m{.alpha = p[0], .beta = p[1]};
    grad[0] = grad[1] = 0;
    double ll = 0, g[2];
    for (const auto& [key, n] : groups) {
      ll += n * m.LogLikelihood(key.first, key.second, g);
      grad[0] += n * g[0];
      grad[1] += n * g[1];
    }
    return ll;
  };
  ShiftedBetaGeometricFit out;
  out.mle = MaximiseLikelihood(problem, {1.0, 1.0}, options);
  out.model = {.alpha = out.mle.params[0], .beta = out.mle.params[1]};
  return out;
}

}  // namespace prospect::clv
