// Gamma-Gamma spend model (see gamma_gamma.hpp).
#include "prospect/clv/gamma_gamma.hpp"

#include <fmt/format.h>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/statistics/bivariate_statistics.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "prospect/common/error.hpp"

namespace prospect::clv {
namespace {

using boost::math::digamma;
using boost::math::lgamma;

constexpr size_t kMinCustomers = 10;
constexpr double kDoubtfulCorrelation = 0.3;

}  // namespace

double GammaGamma::LogLikelihood(double x, double m, std::span<double> gradient) const {
  const double px = p * x, log_total = std::log(gamma + m * x);
  const double ll = lgamma(px + q) - lgamma(px) - lgamma(q) + q * std::log(gamma) +
                    (px - 1) * std::log(m) + px * std::log(x) - (px + q) * log_total;
  if (!gradient.empty()) {
    gradient[0] = x * (digamma(px + q) - digamma(px) + std::log(m) + std::log(x) - log_total);
    gradient[1] = digamma(px + q) - digamma(q) + std::log(gamma) - log_total;
    gradient[2] = q / gamma - (px + q) / (gamma + m * x);
  }
  return ll;
}

double GammaGamma::MeanSpend() const {
  return q > 1 ? p * gamma / (q - 1) : std::numeric_limits<double>::infinity();
}

double GammaGamma::ExpectedSpend(double x, double m) const {
  const double weight = p * x / (p * x + q - 1);
  return (1 - weight) * MeanSpend() + weight * (x > 0 ? m : 0.0);
}

GammaGammaFit FitGammaGamma(const CustomerSummary& s, const MleOptions& options) {
  std::vector<double> x, m;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.frequency[i] > 0 && s.monetary[i] > 0) {
      x.push_back(s.frequency[i]);
      m.push_back(s.monetary[i]);
    }
  }
  if (x.size() < kMinCustomers)
    Fail(ErrorCode::kInvalidData,
         "gamma-gamma: {} customers with repeat purchases of positive value; at least {} are "
         "needed (is the value column right?)",
         x.size(), kMinCustomers);
  MleProblem problem;
  problem.names = {"p", "q", "gamma"};
  problem.customers = static_cast<double>(x.size());
  problem.log_likelihood = [&x, &m](std::span<const double> th, std::span<double> grad) {
    const GammaGamma g{.p = th[0], .q = th[1], .gamma = th[2]};
    std::fill(grad.begin(), grad.end(), 0.0);
    double ll = 0, gi[3];
    for (size_t i = 0; i < x.size(); ++i) {
      ll += g.LogLikelihood(x[i], m[i], gi);
      for (size_t j = 0; j < 3; ++j) grad[j] += gi[j];
    }
    return ll;
  };
  double mean_m = 0;
  for (double v : m) mean_m += v / static_cast<double>(m.size());
  GammaGammaFit out;
  // Start: p = 1 and q = 2, so that γ = mean spend makes the population mean pγ/(q − 1) right.
  out.mle = MaximiseLikelihood(problem, {1.0, 2.0, mean_m}, options);
  out.model = {.p = out.mle.params[0], .q = out.mle.params[1], .gamma = out.mle.params[2]};
  out.customers = x.size();
  out.frequency_spend_correlation = boost::math::statistics::correlation_coefficient(x, m);
  if (std::fabs(out.frequency_spend_correlation) > kDoubtfulCorrelation) {
    out.mle.diagnostics.push_back(fmt::format(
        "repeat purchases and their mean value correlate (r = {:.2f}): Gamma-Gamma assumes they "
        "do not, so its spend predictions lean the wrong way for frequent buyers",
        out.frequency_spend_correlation));
  }
  if (out.model.q <= 1) {
    out.mle.diagnostics.push_back(
        "q ≤ 1: the mean spend is infinite under this fit; a few very large purchases dominate");
  }
  return out;
}

}  // namespace prospect::clv
