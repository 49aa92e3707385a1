// Regressors: parity with sklearn / xgboost (tests/fixtures/models/make_regressor_fixtures.py →
// regressor_fixtures.json), the regression metrics against sklearn.metrics, and what every
// registry entry adds to the shared model contract (tests/conformance/model_conformance_test.cpp):
// it learns the signal, and a non-finite target names its row.
#include "prospect/models/regress/regressor.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "prospect/common/error.hpp"
#include "prospect/evaluate/regression.hpp"
#include "support/expect_error.hpp"
#include "support/model_fixtures.hpp"

namespace prospect {
namespace {

using testing::LabelledData;
using testing::SmallEnsembleParams;

const LabelledData& RegFixture() { return testing::RegressorFixture(); }

TEST(RegressionMetrics, MatchSklearnMetrics) {
  const LabelledData& data = RegFixture();
  std::vector<double> pred;
  for (const auto& v : data.fx["metrics"]["pred"]) pred.push_back(v.get<double>());
  const RegressionMetrics m = RegressionMetrics::Compute(data.y, pred);
  EXPECT_NEAR(m.rmse, data.fx["metrics"]["rmse"].get<double>(), 1e-9);
  EXPECT_NEAR(m.mae, data.fx["metrics"]["mae"].get<double>(), 1e-9);
  EXPECT_NEAR(m.r2, data.fx["metrics"]["r2"].get<double>(), 1e-9);
  EXPECT_EQ(m.rows, data.n);
  const std::vector<double> constant(3, 2.0);
  EXPECT_EQ(RegressionMetrics::Compute(constant, constant).r2, 1.0);  // sklearn's convention
  ExpectError([&] { (void)RegressionMetrics::Compute(constant, std::vector<double>(2, 0.0)); },
              ErrorCode::kInvalidData, "regression metrics: 3 targets but 2 predictions");
}

TEST(LinearRegressor, MatchesSklearnRidgeAndLeastSquares) {
  const LabelledData& data = RegFixture();
  Context ctx(1);
  for (const double alpha : {0.0, 10.0}) {
    for (const bool weighted : {false, true}) {
      auto model = RegressorRegistry().Create("linear", {{"alpha", alpha}});
      model->Fit(data.Set(weighted), ctx);
      const auto p = model->Predict(data.X(), ctx);
      const auto& expected = data.fx[fmt::format("linear_{}_{}", alpha, weighted ? 1 : 0)];
      for (size_t r = 0; r < data.n; ++r)
        EXPECT_NEAR(p[r], expected["pred"][r].get<double>(), 1e-8) << alpha << weighted << r;
      const auto c = model->Contributions(data.X(), ctx);
      EXPECT_NEAR(c[data.d], expected["intercept"].get<double>(), 1e-8);
      for (size_t j = 0; j < data.d; ++j)
        EXPECT_NEAR(c[j], expected["coef"][j].get<double>() * data.x[j], 1e-8);
    }
  }
}

TEST(TreeRegressor, GrowsSklearnsTree) {
  const LabelledData& data = RegFixture();
  Context ctx(1);
  for (const auto& [depth, leaf] : {std::pair{3, 1}, std::pair{6, 5}}) {
    auto model =
        RegressorRegistry().Create("tree", {{"max_depth", depth}, {"min_samples_leaf", leaf}});
    model->Fit(data.Set(), ctx);
    const auto p = model->Predict(data.X(), ctx);
    const auto& expected = data.fx[fmt::format("tree_{}_{}", depth, leaf)];
    for (size_t r = 0; r < data.n; ++r)
      EXPECT_NEAR(p[r], expected["pred"][r].get<double>(), 1e-9) << depth << " row " << r;
    const auto imp = model->Importance();
    for (size_t j = 0; j < data.d; ++j)
      EXPECT_NEAR(imp[j], expected["importances"][j].get<double>(), 1e-9) << j;
  }
}

TEST(GbdtRegressor, MatchesPythonXgboost) {
  const LabelledData& data = RegFixture();
  Context ctx(1);
  auto model = RegressorRegistry().Create("gbdt", testing::FixtureXgboostParams());
  model->Fit(data.Set(), ctx);
  const auto p = model->Predict(data.X(), ctx);
  const auto c = model->Contributions(data.X(), ctx);
  const auto& expected = data.fx["gbdt"];
  for (size_t r = 0; r < data.n; ++r) {
    EXPECT_NEAR(p[r], expected["pred"][r].get<double>(), 1e-6 * std::max(1.0, std::abs(p[r]))) << r;
    for (size_t j = 0; j <= data.d; ++j) {
      EXPECT_NEAR(c[r * (data.d + 1) + j], expected["contribs"][r][j].get<double>(),
                  1e-6 * std::max(1.0, std::abs(p[r])));
    }
  }
}

class RegressorLearnsTheSignal : public ::testing::TestWithParam<std::string> {};

TEST_P(RegressorLearnsTheSignal, FromTheFixture) {
  const LabelledData& data = RegFixture();
  Context ctx(2);
  auto model = RegressorRegistry().Create(GetParam(), SmallEnsembleParams(GetParam()));
  model->Fit(data.Set(), ctx);
  const RegressionMetrics m = RegressionMetrics::Compute(data.y, model->Predict(data.X(), ctx));
  EXPECT_GT(m.r2, 0.7) << GetParam();
  const auto imp = model->Importance();
  ASSERT_EQ(imp.size(), data.d);
  EXPECT_GT(imp[0], imp[2]) << GetParam();  // f0 drives y, f2 is noise
  // Contributions add up to the prediction.
  const auto p = model->Predict(data.X(), ctx);
  const auto c = model->Contributions(data.X(), ctx);
  for (size_t r = 0; r < data.n; r += 29) {
    double sum = 0;
    for (size_t j = 0; j <= data.d; ++j) sum += c[r * (data.d + 1) + j];
    EXPECT_NEAR(sum, p[r], 1e-3 * std::max(1.0, std::abs(p[r]))) << GetParam();
  }
}

TEST_P(RegressorLearnsTheSignal, ANonFiniteTargetNamesItsRow) {
  const LabelledData& data = RegFixture();
  std::vector<double> bad_y = data.y;
  bad_y[3] = std::nan("");
  Dataset nan_target = data.Set();
  nan_target.y = bad_y;
  auto model = RegressorRegistry().Create(GetParam(), SmallEnsembleParams(GetParam()));
  ExpectError([&] { model->Fit(nan_target, Context(1)); }, ErrorCode::kInvalidData,
              GetParam() + ": the target of row 4 is nan");
}

INSTANTIATE_TEST_SUITE_P(Registry, RegressorLearnsTheSignal,
                         ::testing::ValuesIn(RegressorRegistry().Names()),
                         [](const auto& info) { return info.param; });

TEST(RegressorRegistry, UnknownNameListsValidOnes) {
  ExpectErrorStartingWith([] { (void)RegressorRegistry().Create("ridge"); },
                          "Unknown regression model \"ridge\".",
                          "Valid regression models: linear, tree, forest, gbdt.");
}

TEST(GbdtRegressor, ScalePosWeightIsAnErrorNotIgnored) {
  // It weights the positive class of a binary target; a numeric target has none.
  ExpectError(
      [&] {
        (void)RegressorRegistry().Create("gbdt", {{"scale_pos_weight", 5}});
      },
      ErrorCode::kInvalidArgument,
      "gbdt regression: scale_pos_weight (5) weights the positive class of a binary target, and a "
      "numeric "
      "target has none. Possible fix: leave it out, or train a classifier (--task "
      "classification).");
  // Its neutral value, as saved models carry it, is fine.
  EXPECT_EQ(RegressorRegistry()
                .Create("gbdt", {{"scale_pos_weight", 1}})
                ->Params()
                .at("scale_pos_weight"),
            1.0);
}

}  // namespace
}  // namespace prospect
