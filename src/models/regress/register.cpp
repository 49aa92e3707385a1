// The regressor registry: one entry per algorithm (name, description, factory, search space,
// traits).
#include "models/gbdt/gbdt.hpp"
#include "models/regress/families.hpp"
#include "prospect/evaluate/search.hpp"

namespace prospect {

const Registry<Regressor>& RegressorRegistry() {
  using S = SearchSpace;
  static const Registry<Regressor> registry(
      {"regression model", "regression models", "regress/"},
      {
          {"linear", "ridge regression (least squares with an L2 penalty, Eigen)",
           LinearRegressorFactory(), S().AddFloat("alpha", 1e-4, 1e3, true).ToJson(),
           ModelTraits()},
          {"tree", "CART regression tree (squared error)", TreeRegressorFactory(),
           S().AddInt("max_depth", 2, 12).AddInt("min_samples_leaf", 1, 500, true).ToJson(),
           ModelTraits::Tree()},
          {"forest", "random forest of CART regression trees (bootstrap, d/3 features)",
           ForestRegressorFactory(),
           S().AddInt("max_depth", 4, 20).AddInt("min_samples_leaf", 1, 100, true).ToJson(),
           ModelTraits::Forest()},
          {"gbdt", "gradient-boosted trees (XGBoost reg:squarederror, hist)",
           GbdtRegressorFactory(), GbdtSearchSpace(), ModelTraits::Boosted()},
      });
  return registry;
}

}  // namespace prospect
