// The regressor registry: one line per algorithm (name, description, factory, search space).
#include "models/gbdt/gbdt.hpp"
#include "models/regress/families.hpp"

namespace prospect {

const std::vector<RegressorEntry>& RegressorRegistry() {
  using nlohmann::json;
  auto f = [](double low, double high, bool log = false) { return json{{"type", "float"}, {"low", low}, {"high", high}, {"log", log}}; };
  auto i = [](int64_t low, int64_t high, bool log = false) { return json{{"type", "int"}, {"low", low}, {"high", high}, {"log", log}}; };
  static const std::vector<RegressorEntry> registry = {
      {"linear", "ridge regression (least squares with an L2 penalty, Eigen)", MakeLinearRegressor,
       json{{"alpha", f(1e-4, 1e3, true)}}},
      {"tree", "CART regression tree (squared error)", MakeTreeRegressor,
       json{{"max_depth", i(2, 12)}, {"min_samples_leaf", i(1, 500, true)}}},
      {"forest", "random forest of CART regression trees (bootstrap, d/3 features)", MakeForestRegressor,
       json{{"max_depth", i(4, 20)}, {"min_samples_leaf", i(1, 100, true)}}},
      {"gbdt", "gradient-boosted trees (XGBoost reg:squarederror, hist)", MakeGbdtRegressor,
       json{{"learning_rate", f(0.01, 0.3, true)}, {"max_depth", i(2, 10)}, {"min_child_weight", f(0.5, 50, true)},
            {"subsample", f(0.5, 1.0)}, {"colsample_bytree", f(0.4, 1.0)}, {"reg_lambda", f(0.01, 20, true)}}},
  };
  return registry;
}

}  // namespace prospect
