// Training a propensity/churn model from any table, as steps that take a Table (prepare the
// target and features, split and encode, tune, fit) and one that registers the result as a
// version in the store (versions, stage, data fingerprint); TrainModel runs them all. Also
// scoring and explanations.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/evaluate/calibration.hpp"
#include "prospect/evaluate/regression.hpp"
#include "prospect/evaluate/report.hpp"
#include "prospect/evaluate/split.hpp"
#include "prospect/features/pipeline.hpp"
#include "prospect/models/classify/classifier.hpp"
#include "prospect/models/regress/regressor.hpp"
#include "prospect/store/store.hpp"

namespace prospect {

struct TrainRequest {
  std::string table;
  std::string target;
  std::optional<std::string>
      positive;           ///< the positive class's text; auto for yes/no, true/false, 1/0
  std::string id_column;  ///< excluded from features, written by score
  std::vector<std::string> exclude;
  std::string model = "gbdt";
  /// "auto": regression when the target is numeric with values other than 0/1 (and no
  /// --positive), else classification; or "classification" / "regression".
  std::string task = "auto";
  nlohmann::json params = nlohmann::json::object();  ///< model parameters (override the defaults)
  std::string split = "stratified";  ///< SplitSpec's text: "stratified", "random" or "time:COLUMN"
  double test_fraction = 0.2;
  int64_t cv = 0;       ///< k-fold CV on the training part (0 = none)
  std::string search;   ///< "", "grid", "random", "bayes"
  int64_t trials = 20;  ///< search budget (grid: its size, capped)
  /// What search and cv rank by (FindTuningMetric); "" = the task's default (roc_auc, rmse).
  std::string metric;
  std::string name;  ///< registry name; default TABLE_TARGET_MODEL
};

/// How rows are split into a training and a held-out part, parsed once from its text form:
/// "stratified" (by class, seeded), "random" (seeded) or "time:COLUMN" (the latest rows held out).
struct SplitSpec {
  enum class Kind { kStratified, kRandom, kTime };
  Kind kind = Kind::kStratified;
  std::string time_column;  ///< kTime only
  double test_fraction = 0.2;

  /// Throws kInvalidArgument naming the field (split, test_fraction) and the value.
  static SplitSpec Parse(std::string_view text, double test_fraction);
  std::string ToString() const;
  /// Train and held-out rows of `table`; `target` stratifies a kStratified split.
  TrainTestSplit Apply(const Table& table, std::span<const double> target, uint64_t seed) const;
};

enum class TrainTask { kClassification, kRegression };
std::string_view TrainTaskName(TrainTask task);
/// request.task as a TrainTask: "classification", "regression", or "auto" (regression when the
/// target is numeric with a value other than 0/1 and no positive class is given; only "auto"
/// reads `table`). kInvalidArgument for another text.
TrainTask ChooseTask(const Table& table, const TrainRequest& request);

/// Step 1, prepare: the rows with a known target, the target as numbers (0/1 for a classifier)
/// and the feature columns: everything but the target, the id, the exclusions and the time-split
/// column, leaving out (with a warning) strings that look like identifiers or free text.
struct PreparedTable {
  Table table;
  std::vector<double> target;
  std::string positive;  ///< classification: the positive class's text
  std::vector<std::string> features;
  std::vector<std::string> warnings;
};
PreparedTable PrepareTraining(const Table& table, const TrainRequest& request, TrainTask task,
                              const SplitSpec& split);

/// Step 2, split and encode: the feature pipeline fitted on the training part only, both parts
/// encoded with it.
struct EncodedSplit {
  TrainTestSplit rows;
  FeaturePipeline pipeline;
  DenseMatrix x_train, x_test;
  std::vector<double> y_train, y_test;
};
EncodedSplit SplitAndEncode(const PreparedTable& data, const SplitSpec& split, bool scale_features,
                            const Context& ctx);
/// SplitAndEncode with the rows already chosen (for splits SplitSpec does not describe).
EncodedSplit EncodeSplit(const PreparedTable& data, TrainTestSplit rows, bool scale_features,
                         const Context& ctx);

/// Adds a warning for every encoded feature that alone predicts `y` almost perfectly (ROC-AUC
/// ≥ 0.99 for a 0/1 target, R² ≥ 0.98 for a number): usually the target in disguise.
void WarnAboutLeakage(const DenseMatrixView& x, const std::vector<double>& y,
                      const std::vector<std::string>& names, bool classification,
                      const std::string& target, std::vector<std::string>* warnings);

/// A metric that search and cross-validation rank models by: classification roc_auc (the
/// default), pr_auc, log_loss, brier on probabilities; regression rmse (the default), mae, r2.
struct TuningMetric {
  std::string_view name;
  bool higher_is_better;
  double (*score)(std::span<const double> y, std::span<const double> prediction);
};
/// The task's metric `name` ("" = the default); kInvalidArgument naming the valid ones otherwise.
const TuningMetric& FindTuningMetric(TrainTask task, std::string_view name);

/// Step 3, tune: the search over the registry's search space (request.search, request.trials)
/// and k-fold cross-validation (request.cv), both by request.metric over k folds of the
/// training part (stratified for a classifier, shuffled for a regressor). `params` is what the
/// final fit uses.
struct Tuning {
  nlohmann::json params;
  nlohmann::json search;  ///< null without a search: method, trials, metric, best_cv_score, ...
  nlohmann::json cv;      ///< null without cv: folds, metric, mean, std, scores
};
Tuning TuneModel(TrainTask task, const TrainRequest& request, const EncodedSplit& data,
                 const Context& ctx);

/// Step 4, fit: the final model on the training part. A model that supports early stopping
/// (with early_stopping_rounds > 0) keeps a tenth of the training rows to stop on, split the way
/// the task splits (stratified for a classifier, random for a regressor), given 20 rows or more.
std::unique_ptr<SupervisedModel> FitFinalModel(TrainTask task, const std::string& model,
                                               const nlohmann::json& params,
                                               const EncodedSplit& data, const Context& ctx);

/// Step 5, register: `model` as the next version of registry entry `name`, with `meta`; returns
/// the version. Audited.
int64_t RegisterModelVersion(Store& store, const std::string& name, const nlohmann::json& meta,
                             const Model& model);

/// A trained model as the registry stores it.
struct ModelPackage {
  std::string name;
  int64_t version = 0;
  std::string target;
  std::string positive;
  std::string id_column;
  std::string table;
  FeaturePipeline pipeline;
  std::string task = "classification";     ///< or "regression"
  std::unique_ptr<Classifier> classifier;  ///< set for classification
  std::unique_ptr<Regressor> regressor;    ///< set for regression
  nlohmann::json meta;  ///< everything else: metrics, params, search, fingerprint, stage
  /// Set when the version was calibrated (`prospect evaluate --calibrate`): Score applies it.
  std::optional<ProbabilityCalibrator> calibrator;

  /// P(positive) (classification; calibrated when the model has a calibrator) or the predicted
  /// target (regression) for every row of `table` (which must have the training columns).
  std::vector<double> Score(const Table& table, const Context& ctx) const;
  /// The model's own predictions, before any calibration.
  std::vector<double> RawScore(const Table& table, const Context& ctx) const;
  /// Numeric label per row from the target column: 0/1 (classification) or the value
  /// (regression); NaN where the target is empty. Throws if the column is absent.
  std::vector<double> Labels(const Table& table) const;
};

struct TrainResult {
  std::string name;
  int64_t version = 0;
  MetricsReport holdout;                        ///< classification
  std::optional<RegressionMetrics> regression;  ///< regression: held-out RMSE, MAE, R²
  nlohmann::json summary;                       ///< what `prospect train --json` prints
};

/// The whole of training: the steps above on request.table, then the version registered.
TrainResult TrainModel(Store& store, const TrainRequest& request, const Context& ctx);

/// `request` as a model's meta records it ("request"), so `prospect retrain` can run it again.
nlohmann::json TrainRequestToJson(const TrainRequest& request);
/// The request a model version was trained with: its meta's "request", or, for versions trained
/// before requests were recorded, rebuilt from the meta's table, target, type, split and final
/// parameters (their exclusions were not recorded).
TrainRequest RecordedTrainRequest(const ModelPackage& model);

/// Latest version (or `version`) of a registered model. Throws kNotFound listing the models.
ModelPackage LoadModel(Store& store, const std::string& name, int64_t version = 0);
/// Rows of `table` that `model` held out at training: the same split (stratified or time, same
/// seed and fraction, rows with an empty target left out) reproduced on the training table.
/// Empty when `table` is not the data the model was trained on (its fingerprint differs).
std::vector<size_t> HeldOutRows(const ModelPackage& model, const Table& table);
/// A cheap, stable fingerprint of a table (schema, row count, every 997th row), as stored in a
/// model's meta "data_fingerprint".
std::string TableFingerprint(const Table& table);

/// Every registered model's latest version: name, version, type, target, stage, metrics.
nlohmann::json ListModels(Store& store);
/// Marks a version as the production one (a new version of the registry entry's meta).
void PromoteModel(Store& store, const std::string& name, int64_t version);
/// The version PromoteModel marked as the production one, or 0 when none was.
int64_t ProductionVersion(Store& store, const std::string& name);

}  // namespace prospect
