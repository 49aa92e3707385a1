// MetricsReport: every evaluation of one model's held-out predictions at once, as printed by
// `prospect evaluate --json` and drawn by the report's ROC, PR, gains/lift, calibration and
// confusion-matrix charts.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>

#include "prospect/evaluate/metrics.hpp"

namespace prospect {

struct MetricsReportOptions {
  double threshold = 0.5;  ///< for accuracy, precision, recall, F1 and the confusion matrix
  size_t lift_bins = 10;   ///< deciles
  size_t calibration_bins = 10;
  BinStrategy calibration_strategy = BinStrategy::kUniform;
  /// Both set: also choose the max-profit threshold.
  std::optional<double> value_per_conversion, cost_per_contact;
  size_t max_curve_points = 200;  ///< ROC and PR curves are thinned to at most this many points
};

/// All metrics of held-out predictions (y_true 0/1, y_prob in [0, 1], optional weights).
struct MetricsReport {
  size_t rows = 0;
  double weight = 0;     ///< total weight (= rows without weights)
  double positives = 0;  ///< weighted positives
  MetricsReportOptions options;
  double accuracy = 0, precision = 0, recall = 0, f1 = 0;
  double roc_auc = 0, average_precision = 0, log_loss = 0, brier = 0;
  ConfusionMatrix confusion;
  ThresholdChoice max_f1;
  std::optional<ThresholdChoice> max_profit;
  RocCurve roc;  ///< thinned for charts (the AUC above uses the full curve)
  PrCurve pr;    ///< thinned for charts
  std::vector<LiftBin> lift;
  CalibrationCurve calibration;

  /// Throws what the metric functions throw: kInvalidData for one class in y_true (ROC-AUC is
  /// undefined), probabilities outside [0, 1], bad labels or weights.
  static MetricsReport Compute(std::span<const double> y_true, std::span<const double> y_prob,
                               std::span<const double> weights = {},
                               const MetricsReportOptions& options = {});

  /// One JSON document: counts, "metrics" (scalars), "threshold", "confusion_matrix",
  /// "thresholds" (max_f1, max_profit or null), "curves" {roc, pr, calibration}, "lift" (rows).
  /// The ROC curve's first threshold (max score + 1, sklearn's convention) is kept as a number.
  nlohmann::json ToJson() const;
};

/// Indices of at most max_points points of a curve of n points, evenly spaced along it and always
/// including the first and the last (all of them when n <= max_points). max_points >= 2.
std::vector<size_t> ThinCurveIndices(size_t n, size_t max_points);

}  // namespace prospect
