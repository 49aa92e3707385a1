// The classifier registry: one line per algorithm (name, description, factory, search space).
#include "models/classify/families.hpp"

namespace prospect {

const std::vector<ClassifierEntry>& ClassifierRegistry() {
  using nlohmann::json;
  static const std::vector<ClassifierEntry> registry = {
      {"logistic", "logistic regression (liblinear), L1 or L2", MakeLogistic,
       json{{"c", {{"log", 1e-3, 1e2}}}, {"penalty", {{"choice", json::array({"l1", "l2"})}}}}},
      {"tree", "CART decision tree with readable rules", MakeTree,
       json{{"max_depth", {{"int", 2, 12}}}, {"min_samples_leaf", {{"log_int", 1, 500}}},
            {"criterion", {{"choice", json::array({"gini", "entropy"})}}}}},
      {"forest", "random forest of CART trees (bootstrap, sqrt features)", MakeForest,
       json{{"max_depth", {{"int", 4, 20}}}, {"min_samples_leaf", {{"log_int", 1, 100}}},
            {"max_features", {{"choice", json::array({"sqrt", "log2"})}}}}},
      {"gbdt", "gradient-boosted trees (XGBoost, hist, early stopping)", MakeGbdt,
       json{{"learning_rate", {{"log", 0.01, 0.3}}}, {"max_depth", {{"int", 2, 10}}},
            {"min_child_weight", {{"log", 0.5, 50}}}, {"subsample", {{"float", 0.5, 1.0}}},
            {"colsample_bytree", {{"float", 0.4, 1.0}}}, {"reg_lambda", {{"log", 0.01, 20}}}}},
  };
  return registry;
}

}  // namespace prospect
