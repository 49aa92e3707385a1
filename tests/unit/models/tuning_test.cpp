// Training's tune step (TuneModel) for both tasks and any metric: its cross-validation is the
// mean of the metric over the folds that StratifiedKFold / KFold give, each scored by a model
// fitted on the other folds (recomputed here fold by fold), and its search keeps the assignment
// that is best in the metric's own direction.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "prospect/evaluate/metrics.hpp"
#include "prospect/evaluate/regression.hpp"
#include "prospect/evaluate/search.hpp"
#include "prospect/evaluate/split.hpp"
#include "prospect/models/training.hpp"
#include "support/expect_error.hpp"

namespace prospect {
namespace {

// spend = 3·x1 − 2·x2 + noise; bought = 1 when spend plus more noise is positive.
Table MakeTable(size_t n) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  ColumnVector<double> x1(n), x2(n), spend(n);
  ColumnVector<int64_t> bought(n);
  for (size_t i = 0; i < n; ++i) {
    x1[i] = normal(rng);
    x2[i] = normal(rng);
    spend[i] = 3 * x1[i] - 2 * x2[i] + normal(rng);
    bought[i] = spend[i] + 2 * normal(rng) > 0 ? 1 : 0;
  }
  return Table(Schema({{"x1", DataType::kDouble},
                       {"x2", DataType::kDouble},
                       {"spend", DataType::kDouble},
                       {"bought", DataType::kInt64}}),
               {Column::FromDoubles(x1), Column::FromDoubles(x2), Column::FromDoubles(spend),
                Column::FromInts(DataType::kInt64, bought)});
}

struct Prepared {
  TrainRequest request;
  EncodedSplit data;
};

// The first steps of training, as TrainModel runs them, for `target` (the other target excluded).
Prepared Prepare(TrainTask task, const std::string& target, const std::string& model) {
  Prepared p;
  p.request.table = "t";
  p.request.target = target;
  p.request.exclude = {target == "spend" ? "bought" : "spend"};
  p.request.model = model;
  const SplitSpec split =
      SplitSpec::Parse(task == TrainTask::kRegression ? "random" : "stratified", 0.2);
  const PreparedTable prepared = PrepareTraining(MakeTable(300), p.request, task, split);
  p.data = SplitAndEncode(prepared, split, true, Context(1));
  return p;
}

std::vector<double> Take(const std::vector<double>& v, const std::vector<size_t>& rows) {
  std::vector<double> out;
  for (size_t r : rows) out.push_back(v[r]);
  return out;
}

// The metric over `folds` of the training part, each fold scored by a fresh model fitted on the
// others: what TuneModel's cross-validation must equal.
double ManualCv(
    TrainTask task, const std::string& model, const nlohmann::json& params,
    const EncodedSplit& data, const std::vector<TrainTestSplit>& folds,
    const std::function<double(std::span<const double>, std::span<const double>)>& metric) {
  double sum = 0;
  for (const auto& fold : folds) {
    const DenseMatrix x_fit = TakeRows(data.x_train, fold.train);
    const DenseMatrix x_score = TakeRows(data.x_train, fold.test);
    const std::vector<double> y_fit = Take(data.y_train, fold.train);
    Dataset set;
    set.x = x_fit;
    set.y = y_fit;
    set.feature_names = data.pipeline.feature_names();
    std::vector<double> prediction;
    if (task == TrainTask::kRegression) {
      auto m = RegressorRegistry().Create(model, params);
      m->Fit(set, Context(1));
      prediction = m->Predict(x_score, Context(1));
    } else {
      auto m = ClassifierRegistry().Create(model, params);
      m->Fit(set, Context(1));
      prediction = m->PredictProba(x_score, Context(1));
    }
    sum += metric(Take(data.y_train, fold.test), prediction);
  }
  return sum / static_cast<double>(folds.size());
}

TEST(TuneModel, RegressionCrossValidationIsTheMeanMaeOverShuffledFolds) {
  Prepared p = Prepare(TrainTask::kRegression, "spend", "linear");
  p.request.cv = 4;
  p.request.metric = "mae";
  const Tuning tuning = TuneModel(TrainTask::kRegression, p.request, p.data, Context(1));
  ASSERT_FALSE(tuning.cv.is_null());
  EXPECT_EQ(tuning.cv["metric"], "mae");
  EXPECT_EQ(tuning.cv["scores"].size(), 4u);
  const double expected =
      ManualCv(TrainTask::kRegression, "linear", nlohmann::json::object(), p.data,
               KFold(p.data.y_train.size(), 4, kDefaultSeed),
               [](auto y, auto pred) { return RegressionMetrics::Compute(y, pred).mae; });
  EXPECT_DOUBLE_EQ(tuning.cv["mean"].get<double>(), expected);
  EXPECT_GT(expected, 0.5);  // the noise has sd 1: a mean absolute error near 0.8
  EXPECT_LT(expected, 1.1);
}

TEST(TuneModel, ClassificationCrossValidationIsTheMeanPrAucOverStratifiedFolds) {
  Prepared p = Prepare(TrainTask::kClassification, "bought", "logistic");
  p.request.cv = 3;
  p.request.metric = "pr_auc";
  const Tuning tuning = TuneModel(TrainTask::kClassification, p.request, p.data, Context(1));
  EXPECT_EQ(tuning.cv["metric"], "pr_auc");
  const double expected = ManualCv(TrainTask::kClassification, "logistic", nlohmann::json::object(),
                                   p.data, StratifiedKFold(p.data.y_train, 3, kDefaultSeed),
                                   [](auto y, auto pred) { return AveragePrecision(y, pred); });
  EXPECT_DOUBLE_EQ(tuning.cv["mean"].get<double>(), expected);
}

// A grid search keeps the assignment with the highest r2 and the lowest rmse: each metric in its
// own direction (read the wrong way, the search would keep the worst alpha).
TEST(TuneModel, SearchKeepsTheBestAssignmentInTheMetricsDirection) {
  for (const auto& [metric, higher_is_better] :
       std::vector<std::pair<std::string, bool>>{{"r2", true}, {"rmse", false}}) {
    Prepared p = Prepare(TrainTask::kRegression, "spend", "linear");
    p.request.search = "grid";
    p.request.metric = metric;
    // The ridge penalty from 1e-4 to 1e3 (the registry's space): large ones shrink the fit.
    const Tuning tuning = TuneModel(TrainTask::kRegression, p.request, p.data, Context(1));
    const auto grid =
        GridAssignments(SearchSpace::FromJson(RegressorRegistry().Find("linear").search_space));
    const auto folds = KFold(p.data.y_train.size(), 3, kDefaultSeed);
    double best = NAN;
    nlohmann::json best_params;
    for (const auto& assignment : grid) {
      const double score = ManualCv(
          TrainTask::kRegression, "linear", assignment, p.data, folds, [&](auto y, auto pred) {
            const RegressionMetrics m = RegressionMetrics::Compute(y, pred);
            return metric == "r2" ? m.r2 : m.rmse;
          });
      if (std::isnan(best) || (higher_is_better ? score > best : score < best)) {
        best = score;
        best_params = assignment;
      }
    }
    EXPECT_EQ(tuning.search["metric"], metric);
    EXPECT_EQ(tuning.search["best_params"], best_params) << metric;
    EXPECT_DOUBLE_EQ(tuning.search["best_cv_score"].get<double>(), best) << metric;
    EXPECT_LT(best_params["alpha"].get<double>(), 1e3) << metric;
  }
}

TEST(TuneModel, MetricsBelongToATask) {
  EXPECT_EQ(FindTuningMetric(TrainTask::kClassification, "").name, "roc_auc");
  EXPECT_EQ(FindTuningMetric(TrainTask::kRegression, "").name, "rmse");
  EXPECT_FALSE(FindTuningMetric(TrainTask::kClassification, "log_loss").higher_is_better);
  ExpectError([] { (void)FindTuningMetric(TrainTask::kRegression, "roc_auc"); },
              ErrorCode::kInvalidArgument,
              "metric \"roc_auc\" is not a regression metric. Valid metrics: rmse, mae, r2.");
  ExpectError([] { (void)FindTuningMetric(TrainTask::kClassification, "brie"); },
              ErrorCode::kInvalidArgument,
              "metric \"brie\" is not a classification metric. Did you mean \"brier\"? Valid "
              "metrics: roc_auc, pr_auc, log_loss, brier.");
}

}  // namespace
}  // namespace prospect
