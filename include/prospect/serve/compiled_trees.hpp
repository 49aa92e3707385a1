// CompiledTrees: a boosted tree ensemble laid out as one flat node array, for scoring one row at
// a time in the server. XGBoost's own single-row prediction goes through its generic predictor
// (a DMatrix or an adapter per call, thread-local buffers, several virtual calls); this walk is a
// loop over 16-byte nodes with both children of a split side by side, four trees at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace prospect {

class CompiledTrees {
 public:
  /// From an XGBoost booster as the gbdt model saves it (UBJSON; CheckBooster runs first), for
  /// the objectives prospect trains: binary:logistic (Predict gives the probability) and
  /// reg:squarederror (the value). Throws kInvalidData for a corrupted booster and
  /// kUnimplemented for another objective.
  static CompiledTrees FromXgboostBooster(std::string_view ubj);

  /// The model's output for one row of num_features() values (NaN = missing), computed as
  /// XGBoost computes it: features compared as float, leaf values summed in float in tree order
  /// from the base margin, the sigmoid in float. Thread-safe; allocates nothing.
  double Predict(const float* row) const;
  /// The sum of the leaf values and the base margin (log-odds for binary:logistic).
  float Margin(const float* row) const;

  size_t num_features() const { return num_features_; }
  size_t num_trees() const { return roots_.size(); }
  size_t num_nodes() const { return nodes_.size(); }
  bool logistic() const { return logistic_; }

 private:
  // A leaf points at itself (left = missing = its own index, threshold +inf on feature 0), so a
  // walk may take more steps than a tree is deep and still end on its leaf: trees are walked
  // four at a time for a fixed number of steps, without a branch per node.
  struct Node {
    float threshold;   ///< go left when x < threshold (+inf at a leaf)
    int32_t feature;   ///< the feature compared (0 at a leaf)
    uint32_t left;     ///< index of the left child; the right child is left + 1
    uint32_t missing;  ///< the child a missing value goes to
  };
  static_assert(sizeof(Node) == 16);

  std::vector<Node> nodes_;
  std::vector<float> leaf_values_;  ///< by node index (0 for splits)
  std::vector<uint32_t> roots_;
  std::vector<uint32_t> depths_;  ///< per tree: splits on its longest path
  size_t num_features_ = 0;
  float base_margin_ = 0;
  bool logistic_ = false;
};

}  // namespace prospect
