// The compiled walker against XGBoost itself: the same booster, the same rows, XGBoost's own
// predictions (its C API, through the gbdt model) as the reference.
#include "prospect/serve/compiled_trees.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "prospect/io/model_file.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/regress/regressor.hpp"

namespace prospect {
namespace {

// n rows of d features with a non-linear, interacting signal; every 7th cell missing when
// `with_missing` (prediction only: Fit refuses non-finite features).
struct Rows {
  std::vector<double> x;
  std::vector<double> y;
  size_t n, d;
};
Rows MakeRows(size_t n, size_t d, uint64_t seed, bool with_missing) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Rows r{{}, {}, n, d};
  for (size_t i = 0; i < n; ++i) {
    double signal = 0;
    for (size_t j = 0; j < d; ++j) {
      const double v = normal(rng);
      r.x.push_back(with_missing && (i * d + j) % 7 == 3 ? NAN : v);
      signal += (j % 3 == 0 ? v : j % 3 == 1 ? v * v - 1 : (v > 0.5 ? 1.0 : -0.3));
    }
    r.y.push_back(signal + 0.5 * normal(rng));
  }
  return r;
}

std::vector<std::string> Names(size_t d) {
  std::vector<std::string> names;
  for (size_t j = 0; j < d; ++j) names.push_back(fmt::format("f{}", j));
  return names;
}

// The rows as a training set (features f0, f1, ...); it views `rows`, which must outlive it.
Dataset TrainingSet(const Rows& rows) {
  Dataset data;
  data.x = DenseMatrixView(rows.x, rows.n, rows.d);
  data.y = rows.y;
  data.feature_names = Names(rows.d);
  return data;
}

CompiledTrees Compile(const SupervisedModel& model) {
  const std::string bytes = model.Save();
  return CompiledTrees::FromXgboostBooster(ModelReader(bytes).Block("booster"));
}

TEST(CompiledTrees, ClassifierEqualsXgboostWithinOneMillionth) {
  const Context ctx(1);
  Rows train = MakeRows(3000, 12, 1, false);
  for (double& v : train.y) v = v > 0.8 ? 1.0 : 0.0;
  auto model = ClassifierRegistry().Create(
      "gbdt", {{"n_estimators", 100}, {"max_depth", 6}, {"early_stopping_rounds", 0}});
  model->Fit(TrainingSet(train), ctx);

  const CompiledTrees trees = Compile(*model);
  EXPECT_EQ(trees.num_trees(), 100u);
  EXPECT_EQ(trees.num_features(), 12u);
  EXPECT_TRUE(trees.logistic());
  const Rows test = MakeRows(2000, 12, 2, true);  // unseen rows, missing values included
  const std::vector<double> reference =
      model->PredictProba(DenseMatrixView(test.x, test.n, test.d), ctx);
  double worst = 0;
  std::vector<float> row(test.d);
  for (size_t i = 0; i < test.n; ++i) {
    for (size_t j = 0; j < test.d; ++j) row[j] = static_cast<float>(test.x[i * test.d + j]);
    worst = std::max(worst, std::abs(trees.Predict(row.data()) - reference[i]));
  }
  EXPECT_LE(worst, 1e-6);
  // The scores spread: a walker that returned a constant would not pass by luck.
  EXPECT_GT(*std::max_element(reference.begin(), reference.end()) -
                *std::min_element(reference.begin(), reference.end()),
            0.5);
}

TEST(CompiledTrees, RegressorEqualsXgboostWithinOneMillionth) {
  const Context ctx(1);
  const Rows train = MakeRows(2000, 8, 3, false);
  auto model = RegressorRegistry().Create(
      "gbdt", {{"n_estimators", 60}, {"max_depth", 5}, {"early_stopping_rounds", 0}});
  model->Fit(TrainingSet(train), ctx);
  const CompiledTrees trees = Compile(*model);
  EXPECT_FALSE(trees.logistic());
  const Rows test = MakeRows(1000, 8, 4, true);
  const std::vector<double> reference =
      model->Predict(DenseMatrixView(test.x, test.n, test.d), ctx);
  std::vector<float> row(test.d);
  for (size_t i = 0; i < test.n; ++i) {
    for (size_t j = 0; j < test.d; ++j) row[j] = static_cast<float>(test.x[i * test.d + j]);
    ASSERT_NEAR(trees.Predict(row.data()), reference[i],
                1e-6 * std::max(1.0, std::abs(reference[i])))
        << "row " << i;
  }
}

TEST(CompiledTrees, RejectsACorruptedBooster) {
  EXPECT_THROW(CompiledTrees::FromXgboostBooster("not a booster"), Error);
}

}  // namespace
}  // namespace prospect
