// P(Y(t) = n | x, t_x, T), the probability of n purchases ahead, for BG/NBD, MBG/NBD and
// Pareto/NBD: against scipy's integration of the models' definitions
// (tests/fixtures/clv/make_purchase_count_fixture.py), and summing to 1 with a mean equal to the
// conditional expectation the literature values check.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "prospect/clv/frequency_model.hpp"
#include "support/json_fixture.hpp"

namespace prospect::clv {
namespace {

FrequencyModel ModelOf(const nlohmann::json& f, const std::string& name) {
  return FrequencyModelFromJson(name, name == "pareto-nbd" ? f["pareto_nbd"] : f["bgnbd"]);
}

// Conditional on the history: alive with the model's counts, or gone and buying nothing.
std::vector<double> Counts(const FrequencyModel& m, double t, int max_n, double x, double t_x,
                           double age) {
  const double alive = ProbabilityAlive(m, x, t_x, age);
  std::vector<double> p = PurchaseCountsIfAlive(m, t, max_n, x, age);
  for (double& v : p) v *= alive;
  p[0] += 1 - alive;
  return p;
}

TEST(PurchaseCounts, MatchScipyIntegrationOfTheModels) {
  const nlohmann::json& f = testing::LoadJsonFixture("clv/purchase_count_fixture.json");
  ASSERT_EQ(f["cases"].size(), 12u);
  for (const auto& c : f["cases"]) {
    const FrequencyModel m = ModelOf(f, c["model"]);
    const auto& want = c["p"];
    const std::vector<double> got =
        Counts(m, c["t"], static_cast<int>(want.size()) - 1, c["x"], c["t_x"], c["T"]);
    for (size_t n = 0; n < want.size(); ++n) {
      EXPECT_NEAR(got[n], want[n].get<double>(), 1e-7)
          << c["model"] << " x=" << c["x"] << " t_x=" << c["t_x"] << " T=" << c["T"] << " n=" << n;
    }
  }
}

TEST(PurchaseCounts, SumToOneWithTheConditionalExpectationAsMean) {
  const nlohmann::json& f = testing::LoadJsonFixture("clv/purchase_count_fixture.json");
  for (const std::string name : {"bgnbd", "mbgnbd", "pareto-nbd"}) {
    const FrequencyModel m = ModelOf(f, name);
    for (const auto& [x, t_x, age] : {std::tuple{0.0, 0.0, 38.86},
                                      {2.0, 30.43, 38.86},
                                      {26.0, 30.86, 31.0},
                                      {100.0, 20.0, 39.0}}) {
      const std::vector<double> p = Counts(m, 39, 400, x, t_x, age);
      double total = 0, mean = 0;
      for (size_t n = 0; n < p.size(); ++n) {
        total += p[n];
        mean += static_cast<double>(n) * p[n];
      }
      EXPECT_NEAR(total, 1, 1e-9) << name << " x=" << x;
      EXPECT_NEAR(mean, ConditionalExpectedPurchases(m, 39, x, t_x, age), 1e-7)
          << name << " x=" << x;
    }
  }
}

}  // namespace
}  // namespace prospect::clv
