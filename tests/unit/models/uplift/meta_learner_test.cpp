// Uplift meta-learners: S, T, X and DR with a ridge base against scikit-learn's Ridge on a linear
// fixture with two treatments (tests/fixtures/uplift/make_meta_learner_fixture.py), a 0/1
// outcome whose effect exists only for half the customers, and the errors of bad input.
#include "prospect/models/uplift/meta_learner.hpp"

#include <gtest/gtest.h>

#include <random>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/json_fixture.hpp"

namespace prospect {
namespace {

DenseMatrix MatrixOf(const nlohmann::json& rows) {
  DenseMatrix m(rows.size(), rows[0].size());
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < rows[r].size(); ++c) m.Row(r)[c] = rows[r][c].get<double>();
  }
  return m;
}

TEST(UpliftMetaLearner, RidgeLearnersAgreeWithScikitLearn) {
  const nlohmann::json& f = testing::LoadJsonFixture("uplift/meta_learner_fixture.json");
  const DenseMatrix x = MatrixOf(f["x"]);
  const DenseMatrix x_test = MatrixOf(f["x_test"]);
  const auto y = f["y"].get<std::vector<double>>();
  const auto group = f["group"].get<std::vector<int32_t>>();
  const Context ctx(1, 1);
  for (const auto& [learner, key] : std::vector<std::pair<std::string, std::string>>{
           {"s", "s"}, {"t", "t"}, {"x", "x_learner"}, {"dr", "dr"}}) {
    UpliftMetaLearner model(
        {{"learner", learner}, {"base", "linear"}, {"base_params", {{"alpha", 1.0}}}});
    model.Fit(
        {.x = x.view(), .y = y, .group = group, .treatments = 2, .feature_names = {"a", "b", "c"}},
        ctx);
    EXPECT_FALSE(model.binary_outcome());
    const std::vector<double> effect = model.Predict(x_test.view(), ctx);
    ASSERT_EQ(effect.size(), x_test.rows() * 2);
    // Saved and loaded, the same effects to the bit.
    EXPECT_EQ(UpliftMetaLearner::Load(model.Save()).Predict(x_test.view(), ctx), effect) << learner;
    for (size_t i = 0; i < x_test.rows(); ++i) {
      for (size_t k = 0; k < 2; ++k) {
        EXPECT_NEAR(effect[i * 2 + k], f[key][i][k].get<double>(), 1e-6)
            << learner << " row " << i << " treatment " << k + 1;
      }
    }
  }
}

// 4,000 customers, x0 and x1 uniform in [-1, 1]; half treated. Conversion 0.2, and 0.5 for
// treated customers with x0 > 0: the true effect is 0.3 there and 0 elsewhere.
struct HalfEffect {
  DenseMatrix x{4000, 2};
  std::vector<double> y;
  std::vector<int32_t> group;
  UpliftData Data(std::span<const double> outcome = {}) const {
    UpliftData d;
    d.x = x.view();
    d.y = outcome.empty() ? std::span<const double>(y) : outcome;
    d.group = group;
    return d;
  }
  HalfEffect() {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(-1, 1);
    std::uniform_real_distribution<double> p(0, 1);
    for (size_t i = 0; i < x.rows(); ++i) {
      x.Row(i)[0] = u(rng);
      x.Row(i)[1] = u(rng);
      group.push_back(i % 2 == 0 ? 1 : 0);
      const double rate = group.back() == 1 && x.Row(i)[0] > 0 ? 0.5 : 0.2;
      y.push_back(p(rng) < rate ? 1.0 : 0.0);
    }
  }
};

TEST(UpliftMetaLearner, BinaryOutcomeEffectsAreFoundWhereTheyAre) {
  const HalfEffect data;
  const Context ctx(2, 1);
  for (const std::string learner : {"s", "t", "x", "dr"}) {
    UpliftMetaLearner model({{"learner", learner},
                             {"base", "gbdt"},
                             {"base_params", {{"n_estimators", 60}}},
                             {"propensity", learner == "dr" ? "estimate" : "share"}});
    model.Fit(data.Data(), ctx);
    EXPECT_TRUE(model.binary_outcome());
    const std::vector<double> effect = model.Predict(data.x.view(), ctx);
    double with = 0, without = 0, n_with = 0, n_without = 0;
    for (size_t i = 0; i < data.x.rows(); ++i) {
      (data.x.Row(i)[0] > 0 ? with : without) += effect[i];
      (data.x.Row(i)[0] > 0 ? n_with : n_without) += 1;
    }
    EXPECT_NEAR(with / n_with, 0.3, 0.08) << learner;
    EXPECT_NEAR(without / n_without, 0.0, 0.08) << learner;
    EXPECT_NEAR(model.mean_propensity()[0], 0.5, 0.02) << learner;
  }
}

TEST(UpliftMetaLearner, BadInputIsNamed) {
  const HalfEffect data;
  const Context ctx(1, 1);
  ExpectErrorStartingWith(
      [] {
        UpliftMetaLearner(nlohmann::json{{"learner", "z"}});
      },
      "uplift parameter learner: \"z\" is not allowed.", "");
  ExpectErrorStartingWith(
      [] {
        UpliftMetaLearner(nlohmann::json{{"base", "xgbost"}});
      },
      "Unknown model", "");
  std::vector<double> spend(data.y.begin(), data.y.end());
  spend[0] = 12.5;
  ExpectError(
      [&] {
        UpliftMetaLearner(nlohmann::json{{"base", "logistic"}}).Fit(data.Data(spend), ctx);
      },
      ErrorCode::kInvalidArgument,
      "uplift: the outcome is a number but logistic is only a classifier; choose a regression "
      "model");
  ExpectError(
      [&] {
        UpliftData two = data.Data();
        two.treatments = 2;
        UpliftMetaLearner().Fit(two, ctx);
      },
      ErrorCode::kInvalidData, "uplift: treatment 2 has no customers");
  // A failed fit leaves the learner untrained, not holding the earlier fit.
  UpliftMetaLearner refit(nlohmann::json{{"base", "linear"}});
  std::vector<double> spend_all(data.y.size());
  for (size_t i = 0; i < spend_all.size(); ++i) spend_all[i] = 10 * data.y[i] + 0.5;
  refit.Fit(data.Data(spend_all), ctx);
  ASSERT_TRUE(refit.fitted());
  UpliftData two = data.Data(spend_all);
  two.treatments = 2;
  EXPECT_THROW(refit.Fit(two, ctx), Error);
  EXPECT_FALSE(refit.fitted());
  std::vector<int32_t> bad = data.group;
  bad[3] = 7;
  ExpectError(
      [&] {
        UpliftData bad_group = data.Data();
        bad_group.group = bad;
        UpliftMetaLearner().Fit(bad_group, ctx);
      },
      ErrorCode::kInvalidData, "uplift: row 4 is in group 7; expected 0 (control) to 1");
  ExpectError([] { UpliftMetaLearner::Load("not a model file"); }, ErrorCode::kInvalidData,
              "not a prospect model file (bad magic bytes)");
  ExpectError([] { UpliftMetaLearner().Save(); }, ErrorCode::kFailedPrecondition,
              "uplift: the model is not trained yet; call Fit first");
  ExpectError([&] { UpliftMetaLearner().Predict(data.x.view(), ctx); },
              ErrorCode::kFailedPrecondition,
              "uplift: the model is not trained yet; call Fit first");
}

}  // namespace
}  // namespace prospect
