// A static KD-tree over the rows of a matrix (private): radius and k-nearest queries for DBSCAN,
// its eps suggestion and DBSCAN's Assign. Splits on the widest dimension at the median.
#pragma once

#include <cstdint>
#include <vector>

#include "prospect/linalg/dense.hpp"

namespace prospect::cluster_internal {

class KdTree {
 public:
  explicit KdTree(const DenseMatrixView& points, size_t leaf_size = 24);

  /// Original row ids within sqrt(r2) (inclusive) of q, appended to out in no particular order.
  void RadiusQuery(const double* q, double r2, std::vector<int32_t>& out) const;
  /// The k smallest squared distances from q, ascending (fewer if the tree has fewer rows).
  std::vector<double> KnnQuery(const double* q, size_t k) const;
  /// The nearest row id and its squared distance (−1 for an empty tree).
  std::pair<int32_t, double> Nearest(const double* q) const;

 private:
  struct Node {
    uint32_t begin = 0, end = 0;
    int32_t left = -1, right = -1;
  };
  int32_t Build(uint32_t begin, uint32_t end, size_t leaf_size);
  double BoxDistance(const Node& node, size_t node_id, const double* q) const;
  /// The depth-first walk every query shares: a node whose box is farther from q than `bound()`
  /// is skipped; `visit(row id, squared distance)` sees each point of the leaves reached;
  /// `nearer_first` descends into the nearer child first.
  template <typename Bound, typename Visit>
  void Search(const double* q, bool nearer_first, Bound bound, Visit visit) const;

  size_t d_ = 0;
  std::vector<double> points_;  // rows in tree order
  std::vector<int32_t> ids_;    // original row of each tree-order row
  std::vector<Node> nodes_;
  std::vector<double> lo_, hi_;  // bounding box per node, nodes × d
};

}  // namespace prospect::cluster_internal
