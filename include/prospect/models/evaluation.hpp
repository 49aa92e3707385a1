// Evaluating a registered model on a table (`prospect evaluate`): the held-out rows of its own
// training table by default. A classifier: every metric of MetricsReport at a chosen threshold (a
// number, max F1 or max expected profit), and optional probability calibration saved as a new
// model version. A regressor: RMSE, MAE and R².
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/evaluate/report.hpp"
#include "prospect/models/training.hpp"
#include "prospect/store/store.hpp"

namespace prospect {

struct EvaluateRequest {
  std::string model;
  int64_t version = 0;  ///< 0 = latest
  /// Table with the target column. Empty = the model's training table, restricted to the rows it
  /// held out (HeldOutRows); when that table changed since training, all its rows (with a warning).
  std::string table;
  /// "0.5" or any number in [0, 1], "max-f1", or "max-profit" (needs value and cost).
  std::string threshold = "0.5";
  std::optional<double> value_per_conversion, cost_per_contact;
  /// "", "platt" or "isotonic": fit a calibrator on the evaluated rows (which must be held out
  /// from training) and save it with the model as a new version, which `score` then applies.
  std::string calibrate;
  size_t lift_bins = 10;
  size_t calibration_bins = 10;
};

struct EvaluateResult {
  std::string model;
  int64_t version = 0;
  std::string table;
  std::string rows_used;  ///< "held-out" or "all"
  size_t rows = 0;
  MetricsReport metrics;  ///< a classifier, as registered (its own calibration applied, if any)
  std::optional<RegressionMetrics> regression;  ///< set instead of `metrics` for a regressor
  /// With --calibrate: the metrics of calibrated probabilities, each row's calibrated value coming
  /// from a calibrator fitted on the other half of the rows (2-fold cross-fitting), so they are
  /// honest; and the version the calibrated model was saved as (fitted on all the rows).
  std::optional<MetricsReport> calibrated;
  int64_t calibrated_version = 0;
  nlohmann::json calibration;  ///< the saved calibrator (null without --calibrate)
  std::vector<std::string> warnings;

  /// What `prospect evaluate --json` prints: MetricsReport::ToJson (a regressor:
  /// RegressionMetrics::ToJson) plus model, version, table, rows_used, warnings and, for a
  /// classifier, "calibration" {method, version, metrics} or null.
  nlohmann::json ToJson() const;
};

/// Throws kInvalidArgument for a bad threshold spec, max-profit without value and cost, an
/// unknown calibration method or calibration of a regressor; kInvalidData when a classifier's
/// rows hold one class only.
EvaluateResult EvaluateModel(Store& store, const EvaluateRequest& request, const Context& ctx);

/// Parses a threshold spec (number in [0, 1], "max-f1", "max-profit"); throws kInvalidArgument
/// naming the value and what is allowed.
std::string CheckThresholdSpec(const std::string& spec);

}  // namespace prospect
