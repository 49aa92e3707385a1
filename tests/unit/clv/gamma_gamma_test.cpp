// Gamma-Gamma: lifetimes' formulas (scipy fixture), gradients, and recovery from simulated spend.
#include "prospect/clv/gamma_gamma.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <random>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"

namespace prospect::clv {
namespace {

TEST(GammaGamma, LogLikelihoodAndExpectedSpendAgreeWithLifetimesFormulas) {
  // tests/fixtures/clv/make_clv_fixture.py at FHL 2005b's CDNOW estimates (6.25, 3.74, 15.44).
  const nlohmann::json& f = testing::LoadJsonFixture("clv/clv_fixture.json")["gamma_gamma"];
  const auto th = f["params"].get<std::vector<double>>();
  const GammaGamma g{.p = th[0], .q = th[1], .gamma = th[2]};
  for (const auto& c : f["cases"]) {
    const double x = c["x"], m = c["m"];
    EXPECT_NEAR(g.LogLikelihood(x, m), c["log_likelihood"].get<double>(), 1e-9) << x;
    EXPECT_NEAR(g.ExpectedSpend(x, m), c["expected_spend"].get<double>(), 1e-9) << x;
  }
  EXPECT_DOUBLE_EQ(g.ExpectedSpend(0, 0), g.MeanSpend());
  EXPECT_NEAR(g.MeanSpend(), 6.25 * 15.44 / 2.74, 1e-12);
}

TEST(GammaGamma, GradientsAgreeWithCentralDifferences) {
  const GammaGamma g{.p = 6.25, .q = 3.74, .gamma = 15.44};
  for (const auto& [x, m] : std::array<std::array<double, 2>, 3>{{{1, 5}, {6, 20}, {40, 110}}}) {
    std::array<double, 3> grad{};
    (void)g.LogLikelihood(x, m, grad);
    for (int j = 0; j < 3; ++j) {
      GammaGamma up = g, down = g;
      double* pu = j == 0 ? &up.p : j == 1 ? &up.q : &up.gamma;
      double* pd = j == 0 ? &down.p : j == 1 ? &down.q : &down.gamma;
      const double h = 1e-6 * *pu;
      *pu += h;
      *pd -= h;
      EXPECT_NEAR(grad[j], (up.LogLikelihood(x, m) - down.LogLikelihood(x, m)) / (2 * h),
                  1e-5 * std::max(1.0, std::fabs(grad[j])))
          << x << " " << j;
    }
  }
}

TEST(FitGammaGamma, RecoversTheParametersItWasSimulatedFromWithinThreeStandardErrors) {
  // 20,000 customers: ν ~ Gamma(q, γ), 1-12 repeat purchases each of value Gamma(p, ν); a third
  // without repeat purchases (left out of the fit).
  const GammaGamma truth{.p = 6.25, .q = 3.74, .gamma = 15.44};
  std::mt19937_64 rng(3);
  std::gamma_distribution<double> nu_of(truth.q, 1 / truth.gamma);
  std::uniform_int_distribution<int> count(0, 12);
  CustomerSummary s;
  for (int i = 0; i < 20000; ++i) {
    const double nu = nu_of(rng);
    const int x = i % 3 == 0 ? 0 : std::max(1, count(rng));
    std::gamma_distribution<double> value(truth.p, 1 / nu);
    double total = 0;
    for (int k = 0; k < x; ++k) total += value(rng);
    s.ids.push_back(std::to_string(i));
    s.frequency.push_back(x);
    s.monetary.push_back(x > 0 ? total / x : 0);
    s.recency.push_back(0);
    s.age.push_back(0);
  }
  const GammaGammaFit fit = FitGammaGamma(s);
  ASSERT_TRUE(fit.mle.converged) << fit.mle.ToJson().dump();
  EXPECT_EQ(fit.customers, 13333u);
  const double want[3] = {truth.p, truth.q, truth.gamma};
  for (size_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(fit.mle.params[j], want[j], 3 * fit.mle.standard_errors[j]) << fit.mle.names[j];
    EXPECT_LT(fit.mle.standard_errors[j], 0.2 * want[j]) << fit.mle.names[j];
  }
  EXPECT_LT(std::fabs(fit.frequency_spend_correlation), 0.05);  // independent by construction
}

TEST(FitGammaGamma, TooFewRepeatBuyersIsAClearError) {
  CustomerSummary s;
  for (int i = 0; i < 30; ++i) {
    s.ids.push_back(std::to_string(i));
    s.frequency.push_back(i < 5 ? 2 : 0);
    s.monetary.push_back(i < 5 ? 10 : 0);
    s.recency.push_back(0);
    s.age.push_back(1);
  }
  ExpectError([&] { (void)FitGammaGamma(s); }, ErrorCode::kInvalidData,
              "gamma-gamma: 5 customers with repeat purchases of positive value; at least 10 are "
              "needed (is the value column right?)");
}

}  // namespace
}  // namespace prospect::clv
