// Binary-classification metrics over held-out predictions: threshold metrics, ROC and PR curves,
// log-loss, Brier, calibration curve, lift/gains by decile and threshold choice. Pure functions,
// numerically matching scikit-learn 1.2 (tests/fixtures/evaluate/make_metric_fixtures.py).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

namespace prospect {

// Conventions shared by every function here:
//  - y_true holds 0/1 labels, y_score a score where higher means "more likely positive" (a
//    probability for LogLoss, BrierScore and ComputeCalibrationCurve, which require [0, 1]).
//  - weights: empty = every row weighs 1; otherwise one finite non-negative weight per row with a
//    positive sum. Zero-weight rows are ignored, as sklearn's curves drop them.
//  - "At a threshold" means: predict positive when score >= threshold.
//  - Bad input (size mismatch, empty, a label other than 0/1, NaN/inf scores, negative weights)
//    throws Error(kInvalidData) naming the argument, the row and the value.
//  - Thread-safe: no shared state.

/// Default clipping for LogLoss: sklearn 1.2's eps="auto", the float64 machine epsilon.
/// (sklearn < 1.2 used 1e-15; pass it explicitly to reproduce older numbers.)
inline constexpr double kLogLossEpsilon = 2.220446049250313e-16;

/// Weighted counts of the four outcomes at a threshold (sklearn confusion_matrix, labels=[0,1]).
struct ConfusionMatrix {
  double tn = 0, fp = 0, fn = 0, tp = 0;
  /// {"tn":…, "fp":…, "fn":…, "tp":…, "matrix": [[tn, fp], [fn, tp]]}
  nlohmann::json ToJson() const;
};

ConfusionMatrix ComputeConfusionMatrix(std::span<const double> y_true,
                                       std::span<const double> y_score, double threshold = 0.5,
                                       std::span<const double> weights = {});
/// Share of (weighted) rows classified correctly at the threshold.
double Accuracy(std::span<const double> y_true, std::span<const double> y_score,
                double threshold = 0.5, std::span<const double> weights = {});
/// tp / (tp + fp); 0 when nothing is predicted positive (sklearn zero_division=0).
double Precision(std::span<const double> y_true, std::span<const double> y_score,
                 double threshold = 0.5, std::span<const double> weights = {});
/// tp / (tp + fn); 0 when there are no positives (sklearn zero_division=0).
double Recall(std::span<const double> y_true, std::span<const double> y_score,
              double threshold = 0.5, std::span<const double> weights = {});
/// 2tp / (2tp + fp + fn); 0 when tp = 0.
double F1Score(std::span<const double> y_true, std::span<const double> y_score,
               double threshold = 0.5, std::span<const double> weights = {});

/// ROC curve as sklearn roc_curve: fpr and tpr increasing; thresholds decreasing, the first being
/// max(score) + 1 (sklearn 1.2's start point (0, 0)).
struct RocCurve {
  std::vector<double> fpr, tpr, thresholds;
};
/// drop_intermediate removes collinear points exactly as sklearn (it never changes the AUC).
/// Throws kInvalidData when the (non-zero-weight) labels hold one class only.
RocCurve ComputeRocCurve(std::span<const double> y_true, std::span<const double> y_score,
                         std::span<const double> weights = {}, bool drop_intermediate = true);
/// Area under the ROC curve, trapezoidal over distinct thresholds (tied scores form one diagonal
/// step, i.e. a tie counts one half), as sklearn roc_auc_score. Throws kInvalidData with one class.
double RocAuc(std::span<const double> y_true, std::span<const double> y_score,
              std::span<const double> weights = {});

/// Precision-recall curve as sklearn precision_recall_curve: one point per distinct score in
/// increasing threshold order, plus a final (precision 1, recall 0) point without a threshold.
struct PrCurve {
  std::vector<double> precision, recall, thresholds;
};
/// Throws kInvalidData when there is no positive label (recall is undefined).
PrCurve ComputePrCurve(std::span<const double> y_true, std::span<const double> y_score,
                       std::span<const double> weights = {});
/// PR-AUC as average precision, Σ (R_k − R_{k−1}) P_k (no interpolation), as sklearn
/// average_precision_score. Throws kInvalidData when there is no positive label.
double AveragePrecision(std::span<const double> y_true, std::span<const double> y_score,
                        std::span<const double> weights = {});

/// Mean negative log-likelihood with probabilities clipped to [eps, 1 − eps], as sklearn
/// log_loss(labels=[0, 1]) (defined with one class too). Scores must lie in [0, 1].
double LogLoss(std::span<const double> y_true, std::span<const double> y_prob,
               std::span<const double> weights = {}, double eps = kLogLossEpsilon);
/// Weighted mean of (y − p)², as sklearn brier_score_loss. Scores must lie in [0, 1].
double BrierScore(std::span<const double> y_true, std::span<const double> y_prob,
                  std::span<const double> weights = {});

/// How ComputeCalibrationCurve places bin edges.
enum class BinStrategy {
  kUniform,   ///< n_bins equal-width bins over [0, 1]
  kQuantile,  ///< edges at the predicted probabilities' quantiles (numpy.percentile, linear)
};
/// Reliability diagram as sklearn calibration_curve: for each non-empty bin, the observed positive
/// rate and the mean predicted probability; `counts` (not in sklearn) the rows per bin.
struct CalibrationCurve {
  std::vector<double> prob_true, prob_pred, counts;
  nlohmann::json ToJson() const;
};
/// Unweighted, as sklearn. A value on an inner edge falls in the lower bin. Throws
/// kInvalidArgument for n_bins < 1, kInvalidData for probabilities outside [0, 1].
CalibrationCurve ComputeCalibrationCurve(std::span<const double> y_true,
                                         std::span<const double> y_prob, size_t n_bins = 10,
                                         BinStrategy strategy = BinStrategy::kUniform);

/// One bin of a lift/gains table (bin 0 holds the highest scores).
struct LiftBin {
  size_t count = 0;      ///< rows in the bin
  double weight = 0;     ///< their total weight (= count without weights)
  double positives = 0;  ///< weighted positives
  double min_score = 0, max_score = 0;
  double response_rate = 0;    ///< positives / weight (0 for an empty bin)
  double lift = 0;             ///< response_rate / overall rate (0 when there are no positives)
  double cumulative_gain = 0;  ///< share of all positives found in bins 0..this
  double cumulative_lift = 0;  ///< cumulative response rate / overall rate
};
/// Lift and cumulative gains: rows sorted by score descending — ties keep their input order (a
/// stable sort), so tied rows on a bin border split by position — then cut into n_bins groups of
/// equal row count, the first (n mod n_bins) one row larger (numpy.array_split). With fewer rows
/// than bins the last bins are empty. Throws kInvalidArgument for n_bins < 1.
std::vector<LiftBin> ComputeLiftTable(std::span<const double> y_true,
                                      std::span<const double> y_score, size_t n_bins = 10,
                                      std::span<const double> weights = {});
nlohmann::json LiftTableToJson(const std::vector<LiftBin>& table);

/// A chosen threshold and the value of the metric it maximises.
struct ThresholdChoice {
  double threshold = 0;  ///< predict/contact when score >= threshold
  double metric = 0;     ///< F1, or expected profit in the units of value and cost
  double contacts = 0;   ///< (weighted) rows at or above the threshold
  nlohmann::json ToJson() const;
};
/// The distinct score that maximises F1; among equal F1 (within 1e-12) the highest threshold.
ThresholdChoice MaxF1Threshold(std::span<const double> y_true, std::span<const double> y_score,
                               std::span<const double> weights = {});
/// The distinct score t maximising profit(t) = Σ_{score ≥ t} w·(y·value_per_conversion −
/// cost_per_contact); among equal profits (within 1e-9) the highest threshold (fewest contacts).
/// Only contacted sets are considered: when every threshold loses money, metric is negative and
/// the better plan is to contact nobody. Throws kInvalidArgument for non-finite value or cost.
ThresholdChoice MaxProfitThreshold(std::span<const double> y_true, std::span<const double> y_score,
                                   double value_per_conversion, double cost_per_contact,
                                   std::span<const double> weights = {});

}  // namespace prospect
