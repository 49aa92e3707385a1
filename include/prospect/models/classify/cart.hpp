// CART decision tree (Breiman et al. 1984) for K classes: gini or entropy splits on numeric
// features, depth/leaf limits, sample weights, readable rules and impurity importances. Used
// directly for persona rules and as the "tree" classifier.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/common/params.hpp"
#include "prospect/models/tree/binned_features.hpp"
#include "prospect/models/tree/tree_node.hpp"

namespace prospect {

struct CartParams {
  std::string criterion = "gini";  ///< gini | entropy
  int64_t max_depth = 5;
  int64_t min_samples_split = 2;
  int64_t min_samples_leaf = 1;
  double min_impurity_decrease = 0.0;  ///< weighted, as sklearn's
  /// Features tried per split (0 = all). Like sklearn, the search goes on past the limit until
  /// one non-constant feature has been found. Candidates are drawn with the Context's seed.
  int64_t max_features = 0;

  static const ParamSchema<CartParams>& Schema();
};

/// One node; `value` holds weighted class totals.
struct CartNode : TreeNode {
  std::vector<double> value;
};

/// A root-to-leaf path in words.
struct CartRule {
  std::vector<std::string> conditions;  ///< "recency_days <= 45.5"
  int32_t predicted_class = 0;
  double confidence = 0;  ///< weighted share of the predicted class in the leaf
  int64_t samples = 0;
  std::string Text(const std::vector<std::string>& class_names) const;
};

class CartTree {
 public:
  explicit CartTree(CartParams params = {}) : params_(std::move(params)) {}

  /// x: n × d row-major; y: class ids in [0, num_classes); weights empty or n. NaN features are
  /// an error (impute first). `rows`, if not empty, restricts training to those rows (a bootstrap
  /// sample's distinct rows, with their counts as weights).
  void Fit(std::span<const double> x, size_t n, size_t d, std::span<const int32_t> y,
           size_t num_classes, std::span<const double> weights, const Context& ctx,
           std::span<const size_t> rows = {});

  /// The same tree growth on pre-binned features: each candidate feature's best split is found
  /// from a histogram of class weights over its bins (O(rows) instead of a sort per node).
  /// Thresholds are the bins' cuts, so the tree predicts on raw values like any other.
  void FitBinned(const BinnedFeatures& bins, std::span<const int32_t> y, size_t num_classes,
                 std::span<const double> weights, const Context& ctx,
                 std::span<const size_t> rows = {});

  /// Class probabilities, n × num_classes row-major.
  std::vector<double> PredictProba(std::span<const double> x, size_t n) const;
  std::vector<int32_t> Predict(std::span<const double> x, size_t n) const;
  /// The leaf one row (num_features() values) falls into.
  const CartNode& Leaf(const double* row) const;

  /// Leaves as rules, largest first.
  std::vector<CartRule> Rules(const std::vector<std::string>& feature_names) const;
  /// Total weighted impurity decrease per feature, normalised to sum 1 (sklearn's
  /// feature_importances_).
  std::vector<double> Importances() const;

  const std::vector<CartNode>& nodes() const { return nodes_; }
  size_t num_features() const { return num_features_; }
  size_t num_classes() const { return num_classes_; }
  int depth() const;

  nlohmann::json ToJson() const;
  static CartTree FromJson(const nlohmann::json& json);

 private:
  CartParams params_;
  size_t num_features_ = 0;
  size_t num_classes_ = 0;
  std::vector<CartNode> nodes_;
};

}  // namespace prospect
