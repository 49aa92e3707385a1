// Classifiers: parity with sklearn/xgboost (tests/fixtures/models/make_classifier_fixtures.py) and
// that every registry entry learns the fixture's signal (the shared model contract is
// tests/conformance/model_conformance_test.cpp).
#include "prospect/models/classify/classifier.hpp"

#include <gtest/gtest.h>

#include "prospect/common/error.hpp"
#include "support/expect_error.hpp"
#include "support/model_fixtures.hpp"

namespace prospect {
namespace {

using testing::ClassifierFixture;
using testing::LabelledData;
using testing::SmallEnsembleParams;

TEST(Logistic, MatchesSklearnLiblinear) {
  const LabelledData& data = ClassifierFixture();
  Context ctx(1);
  for (const std::string penalty : {"l2", "l1"}) {
    auto model = ClassifierRegistry().Create(
        "logistic", {{"penalty", penalty}, {"c", 0.5}, {"tol", 1e-8}, {"solver", "liblinear"}});
    model->Fit(data.Set(), ctx);
    const auto proba = model->PredictProba({data.x, data.n, data.d}, ctx);
    const auto& expected = data.fx["logistic_" + penalty];
    for (size_t r = 0; r < data.n; ++r)
      EXPECT_NEAR(proba[r], expected["proba"][r].get<double>(), 1e-6) << penalty << r;
    // Contributions are coefficient × value plus the intercept, and add up to the log-odds.
    const auto contrib = model->Contributions({data.x, data.n, data.d}, ctx);
    EXPECT_NEAR(contrib[data.d], expected["intercept"].get<double>(), 1e-5);
    double z = 0;
    for (size_t j = 0; j <= data.d; ++j) z += contrib[j];
    EXPECT_NEAR(1 / (1 + std::exp(-z)), proba[0], 1e-12);
  }
}

TEST(Logistic, LbfgsMatchesSklearnLogisticRegressionDefaultObjective) {
  // The default solver: sklearn's LogisticRegression() objective (intercept not penalised),
  // solved by sklearn to 1e-12; unweighted and with balanced class weights.
  const LabelledData& data = ClassifierFixture();
  for (const std::string class_weight : {"none", "balanced"}) {
    auto model = ClassifierRegistry().Create(
        "logistic",
        {{"c", 0.5}, {"tol", 1e-10}, {"max_iter", 1000}, {"class_weight", class_weight}});
    model->Fit(data.Set(), Context(2));
    const auto proba = model->PredictProba({data.x, data.n, data.d}, Context(1));
    const auto& expected = data.fx[fmt::format("logistic_lbfgs_{}", class_weight)];
    for (size_t r = 0; r < data.n; ++r)
      EXPECT_NEAR(proba[r], expected["proba"][r].get<double>(), 1e-7) << class_weight << r;
    const auto contrib = model->Contributions({data.x, data.n, data.d}, Context(1));
    EXPECT_NEAR(contrib[data.d], expected["intercept"].get<double>(), 1e-6) << class_weight;
  }
  // L1 is not smooth: lbfgs refuses it by name; auto picks liblinear.
  EXPECT_THROW(ClassifierRegistry()
                   .Create("logistic", {{"penalty", "l1"}, {"solver", "lbfgs"}})
                   ->Fit(data.Set(), Context(1)),
               Error);
  EXPECT_NO_THROW(
      ClassifierRegistry().Create("logistic", {{"penalty", "l1"}})->Fit(data.Set(), Context(1)));
}

TEST(Gbdt, MatchesPythonXgboostPredictionsAndShap) {
  const LabelledData& data = ClassifierFixture();
  Context ctx(1);
  auto model = ClassifierRegistry().Create("gbdt", testing::FixtureXgboostParams());
  model->Fit(data.Set(), ctx);
  const auto proba = model->PredictProba({data.x, data.n, data.d}, ctx);
  const auto contrib = model->Contributions({data.x, data.n, data.d}, ctx);
  const auto& expected = data.fx["gbdt"];
  for (size_t r = 0; r < data.n; ++r) {
    EXPECT_NEAR(proba[r], expected["proba"][r].get<double>(), 1e-6) << r;
    for (size_t j = 0; j <= data.d; ++j) {
      EXPECT_NEAR(contrib[r * (data.d + 1) + j], expected["contribs"][r][j].get<double>(), 1e-5)
          << r << "," << j;
    }
  }
}

class LearnsTheSignal : public ::testing::TestWithParam<std::string> {};

TEST_P(LearnsTheSignal, FromTheFixture) {
  const LabelledData& data = ClassifierFixture();
  Context ctx(2);
  auto model = ClassifierRegistry().Create(GetParam(), SmallEnsembleParams(GetParam()));
  model->Fit(data.Set(), ctx);
  const auto p = model->PredictProba({data.x, data.n, data.d}, ctx);
  // Mean predicted probability is higher for positives than for negatives by a clear margin.
  double pos = 0, neg = 0, npos = 0;
  for (size_t r = 0; r < data.n; ++r) {
    (data.y[r] == 1 ? pos : neg) += p[r];
    npos += data.y[r];
    EXPECT_GE(p[r], 0.0);
    EXPECT_LE(p[r], 1.0);
  }
  EXPECT_GT(pos / npos - neg / (static_cast<double>(data.n) - npos), 0.2) << GetParam();
  const auto imp = model->Importance();
  ASSERT_EQ(imp.size(), data.d);
  EXPECT_GT(imp[1], imp[2]) << GetParam();  // f1 drives y, f2 is noise
}

TEST(Seeds, ADifferentSeedGrowsADifferentForestAndBoostedModel) {
  // The seed drives the forest's bootstrap and feature draws, and xgboost's row and column
  // sampling: an ignored seed would give equal predictions for seeds 9 and 10.
  const LabelledData& data = ClassifierFixture();
  const std::vector<std::pair<std::string, nlohmann::json>> models = {
      {"forest", {{"n_estimators", 20}}},
      {"gbdt",
       {{"n_estimators", 20},
        {"subsample", 0.7},
        {"colsample_bytree", 0.7},
        {"early_stopping_rounds", 0}}}};
  for (const auto& [name, params] : models) {
    auto Predict = [&](uint64_t seed) {
      auto model = ClassifierRegistry().Create(name, params);
      model->Fit(data.Set(), Context(1, seed));
      return model->PredictProba({data.x, data.n, data.d}, Context(1));
    };
    const auto nine = Predict(9);
    EXPECT_EQ(Predict(9), nine) << name;
    const auto ten = Predict(10);
    size_t differ = 0;
    for (size_t r = 0; r < data.n; ++r) differ += ten[r] != nine[r];
    EXPECT_GT(differ, data.n / 2) << name
                                  << ": seeds 9 and 10 gave the same predictions on most rows";
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, LearnsTheSignal,
                         ::testing::ValuesIn(ClassifierRegistry().Names()),
                         [](const auto& info) { return info.param; });

TEST(ClassifierRegistry, UnknownNameListsValidOnes) {
  ExpectErrorStartingWith([] { (void)ClassifierRegistry().Create("xgbost"); },
                          "Unknown model \"xgbost\".",
                          "Valid models: logistic, tree, forest, gbdt");
  EXPECT_THROW((void)ClassifierRegistry().Create("gbdt", {{"max_dpth", 3}}), Error);
}

}  // namespace
}  // namespace prospect
