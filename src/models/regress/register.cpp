// The regressor registry: one entry per algorithm (name, description, factory, search space,
// traits).
#include "models/gbdt/gbdt.hpp"
#include "models/regress/families.hpp"

namespace prospect {

const Registry<Regressor>& RegressorRegistry() {
  using nlohmann::json;
  auto f = [](double low, double high, bool log = false) {
    return json{{"type", "float"}, {"low", low}, {"high", high}, {"log", log}};
  };
  auto i = [](int64_t low, int64_t high, bool log = false) {
    return json{{"type", "int"}, {"low", low}, {"high", high}, {"log", log}};
  };
  const ModelTraits linear;
  const ModelTraits tree{.wants_scaled_features = false, .importance_kind = "gain"};
  const ModelTraits forest{
      .wants_scaled_features = false, .randomised = true, .importance_kind = "gain"};
  const ModelTraits gbdt{
      .wants_scaled_features = false, .supports_early_stopping = true, .importance_kind = "gain"};
  static const Registry<Regressor> registry(
      {"regression model", "regression models", "regress/"},
      {
          {"linear", "ridge regression (least squares with an L2 penalty, Eigen)",
           LinearRegressorFactory(), json{{"alpha", f(1e-4, 1e3, true)}}, linear},
          {"tree", "CART regression tree (squared error)", TreeRegressorFactory(),
           json{{"max_depth", i(2, 12)}, {"min_samples_leaf", i(1, 500, true)}}, tree},
          {"forest", "random forest of CART regression trees (bootstrap, d/3 features)",
           ForestRegressorFactory(),
           json{{"max_depth", i(4, 20)}, {"min_samples_leaf", i(1, 100, true)}}, forest},
          {"gbdt", "gradient-boosted trees (XGBoost reg:squarederror, hist)",
           GbdtRegressorFactory(),
           json{{"learning_rate", f(0.01, 0.3, true)},
                {"max_depth", i(2, 10)},
                {"min_child_weight", f(0.5, 50, true)},
                {"subsample", f(0.5, 1.0)},
                {"colsample_bytree", f(0.4, 1.0)},
                {"reg_lambda", f(0.01, 20, true)}},
           gbdt},
      });
  return registry;
}

}  // namespace prospect
