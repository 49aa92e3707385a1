// Metrics of a numeric prediction: RMSE, MAE, R² (definitions as sklearn.metrics).
#pragma once

#include <nlohmann/json.hpp>
#include <span>

namespace prospect {

struct RegressionMetrics {
  size_t rows = 0;
  double rmse = 0;  ///< sqrt(mean((y − ŷ)²))
  double mae = 0;   ///< mean(|y − ŷ|)
  double r2 = 0;  ///< 1 − Σ(y − ŷ)² / Σ(y − ȳ)²; sklearn's convention when y is constant: 1 if
                  ///< exact, else 0
  double mean_target = 0;

  /// Throws kInvalidData for empty input, different lengths or non-finite values.
  static RegressionMetrics Compute(std::span<const double> y, std::span<const double> prediction);
  nlohmann::json ToJson() const;
};

}  // namespace prospect
