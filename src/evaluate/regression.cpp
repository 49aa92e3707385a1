// RMSE, MAE and R² with sklearn.metrics' definitions (mean_squared_error(squared=False),
// mean_absolute_error, r2_score), summed in long double.
#include "prospect/evaluate/regression.hpp"

#include <cmath>

#include "prospect/common/error.hpp"

namespace prospect {

RegressionMetrics RegressionMetrics::Compute(std::span<const double> y, std::span<const double> p) {
  if (y.empty()) Fail(ErrorCode::kInvalidData, "regression metrics: no rows");
  if (y.size() != p.size()) {
    Fail(ErrorCode::kInvalidData, "regression metrics: {} targets but {} predictions", y.size(),
         p.size());
  }
  long double sum_y = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i]) || !std::isfinite(p[i])) {
      Fail(ErrorCode::kInvalidData, "regression metrics: row {} has target {} and prediction {}",
           i + 1, y[i], p[i]);
    }
    sum_y += y[i];
  }
  const long double n = static_cast<long double>(y.size());
  const long double mean = sum_y / n;
  long double sse = 0, sae = 0, sst = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const long double e = static_cast<long double>(y[i]) - p[i];
    sse += e * e;
    sae += std::fabs(e);
    sst += (y[i] - mean) * (y[i] - mean);
  }
  RegressionMetrics m;
  m.rows = y.size();
  m.rmse = static_cast<double>(std::sqrt(sse / n));
  m.mae = static_cast<double>(sae / n);
  m.r2 = sst > 0 ? static_cast<double>(1 - sse / sst) : (sse == 0 ? 1.0 : 0.0);
  m.mean_target = static_cast<double>(mean);
  return m;
}

nlohmann::json RegressionMetrics::ToJson() const {
  return {{"rows", rows}, {"rmse", rmse}, {"mae", mae}, {"r2", r2}, {"mean_target", mean_target}};
}

}  // namespace prospect
