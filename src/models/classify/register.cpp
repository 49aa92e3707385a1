// The classifier registry: one line per algorithm (name, description, factory, search space).
#include "models/classify/families.hpp"
#include "models/gbdt/gbdt.hpp"

namespace prospect {

const std::vector<ClassifierEntry>& ClassifierRegistry() {
  using nlohmann::json;
  // Search spaces in SearchSpace::FromJson form (include/prospect/evaluate/search.hpp).
  auto f = [](double low, double high, bool log = false) { return json{{"type", "float"}, {"low", low}, {"high", high}, {"log", log}}; };
  auto i = [](int64_t low, int64_t high, bool log = false) { return json{{"type", "int"}, {"low", low}, {"high", high}, {"log", log}}; };
  auto c = [](json choices) { return json{{"type", "choice"}, {"choices", std::move(choices)}}; };
  static const std::vector<ClassifierEntry> registry = {
      {"logistic", "logistic regression: L2 by L-BFGS (sklearn's default objective), L1 by liblinear", MakeLogistic,
       json{{"c", f(1e-3, 1e2, true)}, {"penalty", c({"l1", "l2"})}}},
      {"tree", "CART decision tree with readable rules", MakeTree,
       json{{"max_depth", i(2, 12)}, {"min_samples_leaf", i(1, 500, true)}, {"criterion", c({"gini", "entropy"})}}},
      {"forest", "random forest of CART trees (bootstrap, sqrt features)", MakeForest,
       json{{"max_depth", i(4, 20)}, {"min_samples_leaf", i(1, 100, true)}, {"max_features", c({"sqrt", "log2"})}}},
      {"gbdt", "gradient-boosted trees (XGBoost, hist, early stopping)", MakeGbdtClassifier,
       json{{"learning_rate", f(0.01, 0.3, true)}, {"max_depth", i(2, 10)}, {"min_child_weight", f(0.5, 50, true)},
            {"subsample", f(0.5, 1.0)}, {"colsample_bytree", f(0.4, 1.0)}, {"reg_lambda", f(0.01, 20, true)}}},
      {"linear_svm", "linear SVM (liblinear, squared hinge), Platt probabilities", MakeLinearSvm,
       json{{"c", f(1e-3, 1e2, true)}, {"loss", c({"squared_hinge", "hinge"})}}},
      {"kernel_svm", "kernel SVM (libsvm C-SVC, RBF by default), Platt probabilities", MakeKernelSvm,
       json{{"c", f(1e-2, 1e2, true)}, {"gamma", f(1e-3, 1, true)}}},
  };
  return registry;
}

}  // namespace prospect
