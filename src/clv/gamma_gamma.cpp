// Gamma-Gamma spend model (see gamma_gamma.hpp).
#include "prospect/clv/gamma_gamma.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/statistics/bivariate_statistics.hpp>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "prospect/common/error.hpp"

namespace prospect::clv {
namespace {

using boost::math::digamma;
using boost::math::lgamma;

constexpr size_t kMinCustomers = 10;
constexpr double kDoubtfulCorrelation = 0.3;

}  // namespace

GammaGamma::CountTerms GammaGamma::TermsOf(double x) const {
  const double px = p * x;
  return {
      .log_terms = lgamma(px + q) - lgamma(px) - lgamma(q) + q * std::log(gamma) + px * std::log(x),
      .d_p = x * (digamma(px + q) - digamma(px) + std::log(x)),
      .d_q = digamma(px + q) - digamma(q) + std::log(gamma)};
}

double GammaGamma::LogLikelihood(double x, double m, std::span<double> gradient) const {
  return LogLikelihood(x, m, TermsOf(x), gradient);
}

double GammaGamma::LogLikelihood(double x, double m, const CountTerms& terms,
                                 std::span<double> gradient) const {
  const double px = p * x, log_m = std::log(m), log_total = std::log(gamma + m * x);
  const double ll = terms.log_terms + (px - 1) * log_m - (px + q) * log_total;
  if (!gradient.empty()) {
    gradient[0] = terms.d_p + x * (log_m - log_total);
    gradient[1] = terms.d_q - log_total;
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
  // The customers with repeat purchases of positive value, sorted by x so that a fit computes
  // x's special functions once per distinct x.
  std::vector<std::pair<double, double>> rows;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.frequency[i] > 0 && s.monetary[i] > 0) rows.emplace_back(s.frequency[i], s.monetary[i]);
  }
  std::sort(rows.begin(), rows.end());
  std::vector<double> x, m;
  for (const auto& [xi, mi] : rows) {
    x.push_back(xi);
    m.push_back(mi);
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
    GammaGamma::CountTerms terms;
    for (size_t i = 0; i < x.size(); ++i) {
      if (i == 0 || x[i] != x[i - 1]) terms = g.TermsOf(x[i]);
      ll += g.LogLikelihood(x[i], m[i], terms, gi);
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
