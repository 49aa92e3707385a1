// The shifted-beta-geometric model against Fader & Hardie (2007)'s published fits and scipy
// (tests/fixtures/clv/make_sbg_fixture.py).
#include "prospect/clv/sbg.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"

namespace prospect::clv {
namespace {

// A cohort table (customers still subscribed at the start of each period) as per-customer rows.
Subscriptions CohortSubscriptions(const std::vector<int>& alive, size_t periods) {
  Subscriptions s;
  for (size_t t = 1; t <= periods; ++t) {
    for (int i = 0; i < alive[t - 1] - alive[t]; ++i) {
      s.renewals.push_back(static_cast<double>(t - 1));
      s.churned.push_back(1);
      s.due.push_back(static_cast<double>(periods));
    }
  }
  for (int i = 0; i < alive[periods]; ++i) {
    s.renewals.push_back(static_cast<double>(periods));
    s.churned.push_back(0);
    s.due.push_back(static_cast<double>(periods));
  }
  return s;
}

TEST(ShiftedBetaGeometric, FitsReproduceFaderHardie2007) {
  // Years 1-7 of each cohort: High End α = 0.668, β = 3.806; Regular α = 0.704, β = 1.182 (the
  // paper's Table 1 estimates, to their three decimals), and scipy's maximum on the same data.
  const nlohmann::json& f = testing::LoadJsonFixture("clv/sbg_fixture.json")["cohorts"];
  const std::array<std::array<double, 2>, 2> published = {{{0.668, 3.806}, {0.704, 1.182}}};
  size_t i = 0;
  for (const char* name : {"high_end", "regular"}) {
    const auto& c = f[name];
    const auto alive = c["alive"].get<std::vector<int>>();
    const ShiftedBetaGeometricFit fit =
        FitShiftedBetaGeometric(CohortSubscriptions(alive, c["calibration_years"]));
    ASSERT_TRUE(fit.mle.converged) << fit.mle.ToJson().dump();
    EXPECT_NEAR(fit.model.alpha, published[i][0], 5e-4) << name;
    EXPECT_NEAR(fit.model.beta, published[i][1], 5e-4) << name;
    EXPECT_NEAR(fit.model.alpha, c["alpha"].get<double>(), 1e-5) << name;
    EXPECT_NEAR(fit.model.beta, c["beta"].get<double>(), 1e-5) << name;
    EXPECT_NEAR(fit.mle.log_likelihood, c["log_likelihood"].get<double>(), 1e-6) << name;
    EXPECT_TRUE(std::isfinite(fit.mle.standard_errors[0]) &&
                std::isfinite(fit.mle.standard_errors[1]));
    ++i;
  }
}

TEST(ShiftedBetaGeometric, SurvivalAndRenewalsAgreeWithScipy) {
  const nlohmann::json& f = testing::LoadJsonFixture("clv/sbg_fixture.json")["cohorts"];
  for (const char* name : {"high_end", "regular"}) {
    const auto& c = f[name];
    const ShiftedBetaGeometric m{.alpha = c["alpha"], .beta = c["beta"]};
    const auto survival = c["survival"].get<std::vector<double>>();
    for (size_t t = 0; t < survival.size(); ++t) {
      EXPECT_NEAR(m.Survival(static_cast<double>(t)), survival[t], 1e-12) << name << t;
      if (t > 0) {  // r_t = S(t)/S(t − 1)
        EXPECT_NEAR(m.RetentionRate(static_cast<double>(t)), survival[t] / survival[t - 1], 1e-12);
      }
    }
    // Discounted at 10 % per period, to convergence (the closed form is the infinite sum).
    for (const auto& e : c["discounted_renewals"]) {
      EXPECT_NEAR(m.ExpectedRenewals(e[0], 5000, 1 / 1.1), e[1].get<double>(), 1e-9)
          << name << " n " << e[0];
    }
  }
  // The log-likelihood at (1, 1) of the High End cohort, per customer: −2.1155 (the spreadsheet's
  // starting point in Fader & Hardie's note; scipy gives the same).
  const auto alive = f["high_end"]["alive"].get<std::vector<int>>();
  const Subscriptions s = CohortSubscriptions(alive, 7);
  const ShiftedBetaGeometric flat{.alpha = 1, .beta = 1};
  double ll = 0;
  for (size_t i = 0; i < s.size(); ++i) ll += flat.LogLikelihood(s.renewals[i], s.churned[i] != 0);
  EXPECT_NEAR(ll, f["high_end"]["log_likelihood_at_1_1"].get<double>(), 1e-9);
  EXPECT_NEAR(ll / 1000, -2.1155, 5e-5);
}

TEST(ShiftedBetaGeometric, GradientAgreesWithCentralDifferences) {
  const ShiftedBetaGeometric m{.alpha = 0.7, .beta = 1.2};
  for (const bool churned : {false, true}) {
    for (const double n : {0.0, 3.0, 40.0}) {
      std::array<double, 2> g{};
      (void)m.LogLikelihood(n, churned, g);
      const double h = 1e-6;
      const ShiftedBetaGeometric a_up{.alpha = 0.7 + h, .beta = 1.2},
          a_down{.alpha = 0.7 - h, .beta = 1.2}, b_up{.alpha = 0.7, .beta = 1.2 + h},
          b_down{.alpha = 0.7, .beta = 1.2 - h};
      EXPECT_NEAR(g[0],
                  (a_up.LogLikelihood(n, churned) - a_down.LogLikelihood(n, churned)) / (2 * h),
                  1e-6);
      EXPECT_NEAR(g[1],
                  (b_up.LogLikelihood(n, churned) - b_down.LogLikelihood(n, churned)) / (2 * h),
                  1e-6);
    }
  }
}

TEST(SubscriptionsOf, RenewalsAreMatchedToTheNearestPeriodAndMissedOncePastDue) {
  CustomerSummary s;
  // Monthly periods: paid at months 0 and 1.96 (a renewal paid a day early), observed 3.2
  // months: renewals 2 and 3 were due, renewal 2 paid, 3 missed → 2 renewals, churned.
  // Observed 2.5 months, last paid at 2.02: 2 renewals, subscribed. Observed 0.9: none due.
  s.ids = {"a", "b", "c"};
  s.frequency = {1, 2, 0};
  s.recency = {1.96, 2.02, 0};
  s.age = {3.2, 2.5, 0.9};
  const Subscriptions subs = SubscriptionsOf(s);
  EXPECT_EQ(subs.renewals, (std::vector<double>{2, 2, 0}));
  EXPECT_EQ(subs.churned, (std::vector<char>{1, 0, 0}));
  EXPECT_EQ(subs.due, (std::vector<double>{3, 2, 0}));
  Subscriptions nothing_due;
  nothing_due.renewals = {0};
  nothing_due.churned = {0};
  nothing_due.due = {0};
  ExpectError([&] { (void)FitShiftedBetaGeometric(nothing_due); }, ErrorCode::kInvalidData,
              "clv: sbg: no customer has had a renewal due by the calibration end; use a shorter "
              "--time-unit or a later --calibration-end");
}

}  // namespace
}  // namespace prospect::clv
