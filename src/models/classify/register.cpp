// The classifier registry: one entry per algorithm (name, description, factory, search space,
// traits).
#include "models/classify/families.hpp"
#include "models/gbdt/gbdt.hpp"

namespace prospect {

const Registry<Classifier>& ClassifierRegistry() {
  using nlohmann::json;
  // Search spaces in SearchSpace::FromJson form (include/prospect/evaluate/search.hpp).
  auto f = [](double low, double high, bool log = false) {
    return json{{"type", "float"}, {"low", low}, {"high", high}, {"log", log}};
  };
  auto i = [](int64_t low, int64_t high, bool log = false) {
    return json{{"type", "int"}, {"low", low}, {"high", high}, {"log", log}};
  };
  auto c = [](json choices) { return json{{"type", "choice"}, {"choices", std::move(choices)}}; };
  const ModelTraits linear;
  const ModelTraits tree{.wants_scaled_features = false, .importance_kind = "gain"};
  const ModelTraits forest{
      .wants_scaled_features = false, .randomised = true, .importance_kind = "gain"};
  const ModelTraits gbdt{
      .wants_scaled_features = false, .supports_early_stopping = true, .importance_kind = "gain"};
  // liblinear's dual coordinate descent visits rows in an order drawn from the seed, and libsvm's
  // Platt probabilities come from a seeded internal cross-validation.
  const ModelTraits linear_svm{.randomised = true};
  const ModelTraits kernel_svm{.randomised = true, .importance_kind = "mean_abs_contribution"};
  static const Registry<Classifier> registry(
      {"model", "models", ""},
      {
          {"logistic",
           "logistic regression: L2 by L-BFGS (sklearn's default objective), L1 by liblinear",
           LogisticFactory(), json{{"c", f(1e-3, 1e2, true)}, {"penalty", c({"l1", "l2"})}},
           linear},
          {"tree", "CART decision tree with readable rules", TreeFactory(),
           json{{"max_depth", i(2, 12)},
                {"min_samples_leaf", i(1, 500, true)},
                {"criterion", c({"gini", "entropy"})}},
           tree},
          {"forest", "random forest of CART trees (bootstrap, sqrt features)", ForestFactory(),
           json{{"max_depth", i(4, 20)},
                {"min_samples_leaf", i(1, 100, true)},
                {"max_features", c({"sqrt", "log2"})}},
           forest},
          {"gbdt", "gradient-boosted trees (XGBoost, hist, early stopping)",
           GbdtClassifierFactory(),
           json{{"learning_rate", f(0.01, 0.3, true)},
                {"max_depth", i(2, 10)},
                {"min_child_weight", f(0.5, 50, true)},
                {"subsample", f(0.5, 1.0)},
                {"colsample_bytree", f(0.4, 1.0)},
                {"reg_lambda", f(0.01, 20, true)}},
           gbdt},
          {"linear_svm", "linear SVM (liblinear, squared hinge), Platt probabilities",
           LinearSvmFactory(),
           json{{"c", f(1e-3, 1e2, true)}, {"loss", c({"squared_hinge", "hinge"})}}, linear_svm},
          {"kernel_svm", "kernel SVM (libsvm C-SVC, RBF by default), Platt probabilities",
           KernelSvmFactory(), json{{"c", f(1e-2, 1e2, true)}, {"gamma", f(1e-3, 1, true)}},
           kernel_svm},
      });
  return registry;
}

}  // namespace prospect
