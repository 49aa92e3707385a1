// What every decision tree of prospect shares, whatever its leaves predict: a node's links and
// statistics, the walk from the root to a leaf, impurity importances and the link check of a
// loaded tree. CartNode (class totals) and the regression tree's node (a mean) extend TreeNode.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <numeric>
#include <vector>

namespace prospect {

/// A node; leaves have feature == -1. Node 0 is the root and children come after their parent.
struct TreeNode {
  int32_t feature = -1;
  double threshold = 0;  ///< go left when x[feature] <= threshold
  int32_t left = -1;
  int32_t right = -1;
  double impurity = 0;  ///< the criterion's impurity of the node's rows (gini, entropy, variance)
  double weight = 0;    ///< weighted samples reaching the node
  int64_t samples = 0;
};

/// Reads the fields every tree file stores first in a node's array, [feature, threshold, left,
/// right, ...], each index checked to be an integer of its type (the file is untrusted; the links
/// themselves are checked by FirstBadLink).
void ReadNodeLinks(const nlohmann::json& a, TreeNode& node);

/// The leaf one row (at least the tree's feature count of values) falls into.
template <typename Node>
const Node& FindLeaf(const std::vector<Node>& nodes, const double* row) {
  int32_t i = 0;
  while (nodes[static_cast<size_t>(i)].feature >= 0) {
    const Node& node = nodes[static_cast<size_t>(i)];
    i = row[node.feature] <= node.threshold ? node.left : node.right;
  }
  return nodes[static_cast<size_t>(i)];
}

/// Total weighted impurity decrease per feature, normalised to sum 1 (sklearn's
/// feature_importances_); all zero for a single leaf.
template <typename Node>
std::vector<double> ImpurityImportances(const std::vector<Node>& nodes, size_t num_features) {
  std::vector<double> imp(num_features, 0.0);
  for (const Node& n : nodes) {
    if (n.feature < 0) continue;
    const Node& l = nodes[static_cast<size_t>(n.left)];
    const Node& r = nodes[static_cast<size_t>(n.right)];
    imp[static_cast<size_t>(n.feature)] +=
        n.weight * n.impurity - l.weight * l.impurity - r.weight * r.impurity;
  }
  const double total = std::accumulate(imp.begin(), imp.end(), 0.0);
  if (total > 0) {
    for (double& v : imp) v /= total;
  }
  return imp;
}

/// For a tree read from a file: the first split node whose feature is not below num_features or
/// whose children are not after it inside the array (a walk could leave the array or loop), or
/// -1 when every link is sound.
template <typename Node>
int64_t FirstBadLink(const std::vector<Node>& nodes, size_t num_features) {
  const auto count = static_cast<int64_t>(nodes.size());
  for (int64_t i = 0; i < count; ++i) {
    const Node& n = nodes[static_cast<size_t>(i)];
    if (n.feature < 0) continue;
    if (static_cast<size_t>(n.feature) >= num_features || n.left <= i || n.right <= i ||
        n.left >= count || n.right >= count) {
      return i;
    }
  }
  return -1;
}

}  // namespace prospect
