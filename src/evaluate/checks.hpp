// Private helpers shared by the evaluate/ sources: input validation and sklearn's
// _binary_clf_curve (cumulative weighted counts at each distinct score).
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace prospect::evaluate_internal {

/// Throws kInvalidData (prefixed by `what`) unless y_true is 0/1, scores are finite (and in [0, 1]
/// when `probabilities`), lengths agree and weights are valid.
void CheckLabelsAndScores(std::string_view what, std::span<const double> y_true,
                          std::span<const double> y_score, std::span<const double> weights,
                          bool probabilities);
/// Empty, or finite non-negative with a positive sum; throws kInvalidData otherwise.
void CheckWeights(std::string_view what, std::span<const double> weights);

/// sklearn's _binary_clf_curve: for each distinct score, descending, the weighted true and false
/// positives among rows scoring at least that much. Zero-weight rows are dropped first.
struct ClfCurve {
  std::vector<double> fps, tps, thresholds;
};
ClfCurve BinaryClfCurve(std::span<const double> y_true, std::span<const double> y_score,
                        std::span<const double> weights);

}  // namespace prospect::evaluate_internal
