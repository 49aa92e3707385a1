// Probability calibration fitted on held-out scores: Platt scaling (a sigmoid of the score) and
// isotonic regression (a monotone step function), each saved to and loaded from JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace prospect {

/// Platt (1999) scaling: P(y = 1 | f) = 1 / (1 + exp(a·f + b)), fitted by Newton's method on the
/// log-loss against Platt's smoothed targets (positives (N₊ + 1) / (N₊ + 2), negatives
/// 1 / (N₋ + 2), counts weighted) — the objective of sklearn's _SigmoidCalibration, as used by
/// CalibratedClassifierCV(method="sigmoid"). sklearn stops BFGS at gradient 1e-5, so its (a, b)
/// differ from this exact optimum by about 1e-7 and its probabilities by well under 1e-6.
/// Not thread-safe while fitting; Predict is const and thread-safe.
class PlattCalibrator {
 public:
  /// scores: any real-valued scores or probabilities; y: 0/1; weights: empty or one per row.
  /// Throws kInvalidData on bad input or when y holds one class only.
  void Fit(std::span<const double> scores, std::span<const double> y,
           std::span<const double> weights = {});
  double Predict(double score) const;
  std::vector<double> Predict(std::span<const double> scores) const;

  double a() const { return a_; }
  double b() const { return b_; }
  bool fitted() const { return fitted_; }

  /// {"method": "platt", "a": …, "b": …}
  nlohmann::json ToJson() const;
  /// Throws kInvalidData when the JSON is not a fitted Platt calibrator.
  static PlattCalibrator FromJson(const nlohmann::json& json);

 private:
  double a_ = 0, b_ = 0;
  bool fitted_ = false;
};

/// Isotonic regression: the non-decreasing step function closest to y in weighted least squares
/// (pool adjacent violators), predicted by linear interpolation between its knots and clipped to
/// the fitted score range — sklearn IsotonicRegression(increasing=True, out_of_bounds="clip").
/// Duplicate scores are merged first (weighted mean of y); only knots where the fitted value
/// changes are kept, as sklearn does. Predict is const and thread-safe.
class IsotonicCalibrator {
 public:
  /// scores: finite; y: any finite targets (0/1 for calibration); weights: empty or one per row
  /// (zero-weight rows are ignored). Throws kInvalidData on bad input.
  void Fit(std::span<const double> scores, std::span<const double> y,
           std::span<const double> weights = {});
  double Predict(double score) const;
  std::vector<double> Predict(std::span<const double> scores) const;

  /// Knots of the fitted function, scores increasing (sklearn X_thresholds_, y_thresholds_).
  const std::vector<double>& x_thresholds() const { return x_; }
  const std::vector<double>& y_thresholds() const { return y_; }
  bool fitted() const { return !x_.empty(); }

  /// {"method": "isotonic", "x": […], "y": […]}
  nlohmann::json ToJson() const;
  /// Throws kInvalidData when the JSON is not a fitted isotonic calibrator (knots must be finite,
  /// x strictly increasing, y non-decreasing).
  static IsotonicCalibrator FromJson(const nlohmann::json& json);

 private:
  std::vector<double> x_, y_;
};

/// A model's probability calibration, as saved with the model and applied by `score`:
/// "platt" fits PlattCalibrator on the log-odds logit(p) (p clipped to [1e-12, 1 − 1e-12]), so
/// the identity map is one of its solutions; "isotonic" fits IsotonicCalibrator on p itself.
/// Fit on held-out predictions only (rows the model did not train on). Apply is thread-safe.
class ProbabilityCalibrator {
 public:
  /// method: "platt" or "isotonic" (kInvalidArgument otherwise, listing both). p in [0, 1];
  /// y 0/1 with both classes (kInvalidData otherwise).
  static ProbabilityCalibrator Fit(const std::string& method, std::span<const double> p,
                                   std::span<const double> y);
  /// Calibrated probabilities, one per input probability.
  std::vector<double> Apply(std::span<const double> p) const;
  const std::string& method() const { return method_; }

  /// {"method": "platt", "input": "logit", "a": …, "b": …} or the isotonic calibrator's JSON.
  nlohmann::json ToJson() const;
  /// Throws kInvalidData naming what is wrong.
  static ProbabilityCalibrator FromJson(const nlohmann::json& json);

 private:
  std::string method_;
  std::optional<PlattCalibrator> platt_;
  std::optional<IsotonicCalibrator> isotonic_;
};

}  // namespace prospect
