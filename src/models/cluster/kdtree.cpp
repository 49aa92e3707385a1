// KD-tree build and queries (radius, k-nearest, nearest) with bounding-box pruning.
#include "models/cluster/kdtree.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <queue>

#include "models/cluster/kernels.hpp"

namespace prospect::cluster_internal {

KdTree::KdTree(const DenseMatrixView& points, size_t leaf_size) : d_(points.cols()) {
  const size_t n = points.rows();
  ids_.resize(n);
  std::iota(ids_.begin(), ids_.end(), 0);
  points_.assign(points.data(), points.data() + n * d_);
  if (n == 0) return;
  nodes_.reserve(2 * n / std::max<size_t>(leaf_size, 1) + 2);
  Build(0, static_cast<uint32_t>(n), std::max<size_t>(leaf_size, 1));
  // Put the rows in tree order so leaves are contiguous.
  std::vector<double> ordered(n * d_);
  for (size_t i = 0; i < n; ++i)
    std::copy_n(points.Row(static_cast<size_t>(ids_[i])), d_, &ordered[i * d_]);
  points_ = std::move(ordered);
}

int32_t KdTree::Build(uint32_t begin, uint32_t end, size_t leaf_size) {
  const int32_t id = static_cast<int32_t>(nodes_.size());
  nodes_.push_back({begin, end, -1, -1});
  lo_.resize(nodes_.size() * d_, std::numeric_limits<double>::infinity());
  hi_.resize(nodes_.size() * d_, -std::numeric_limits<double>::infinity());
  // points_ is still in original order here; ids_[begin, end) are the rows of this node.
  for (uint32_t i = begin; i < end; ++i) {
    const double* row = &points_[static_cast<size_t>(ids_[i]) * d_];
    for (size_t j = 0; j < d_; ++j) {
      lo_[id * d_ + j] = std::min(lo_[id * d_ + j], row[j]);
      hi_[id * d_ + j] = std::max(hi_[id * d_ + j], row[j]);
    }
  }
  if (end - begin <= leaf_size) return id;
  size_t dim = 0;
  double spread = -1;
  for (size_t j = 0; j < d_; ++j) {
    const double s = hi_[id * d_ + j] - lo_[id * d_ + j];
    if (s > spread) {
      spread = s;
      dim = j;
    }
  }
  if (spread <= 0) return id;  // all rows identical: keep as a leaf
  const uint32_t mid = begin + (end - begin) / 2;
  std::nth_element(ids_.begin() + begin, ids_.begin() + mid, ids_.begin() + end,
                   [&](int32_t a, int32_t b) {
                     return points_[static_cast<size_t>(a) * d_ + dim] <
                            points_[static_cast<size_t>(b) * d_ + dim];
                   });
  const int32_t left = Build(begin, mid, leaf_size);
  const int32_t right = Build(mid, end, leaf_size);
  nodes_[static_cast<size_t>(id)].left = left;
  nodes_[static_cast<size_t>(id)].right = right;
  return id;
}

double KdTree::BoxDistance(const Node&, size_t node_id, const double* q) const {
  double s = 0;
  const double* lo = &lo_[node_id * d_];
  const double* hi = &hi_[node_id * d_];
  for (size_t j = 0; j < d_; ++j) {
    const double t = q[j] < lo[j] ? lo[j] - q[j] : (q[j] > hi[j] ? q[j] - hi[j] : 0.0);
    s += t * t;
  }
  return s;
}

template <typename Bound, typename Visit>
void KdTree::Search(const double* q, bool nearer_first, Bound bound, Visit visit) const {
  if (nodes_.empty()) return;
  int32_t stack[128];
  int top = 0;
  stack[top++] = 0;
  while (top > 0) {
    const size_t id = static_cast<size_t>(stack[--top]);
    const Node& node = nodes_[id];
    if (BoxDistance(node, id, q) > bound()) continue;
    if (node.left < 0) {
      for (uint32_t i = node.begin; i < node.end; ++i)
        visit(ids_[i], SqDist(&points_[static_cast<size_t>(i) * d_], q, d_));
      continue;
    }
    const auto left = static_cast<size_t>(node.left), right = static_cast<size_t>(node.right);
    if (nearer_first && BoxDistance(nodes_[left], left, q) > BoxDistance(nodes_[right], right, q)) {
      stack[top++] = node.left;  // the child pushed last is visited first
      stack[top++] = node.right;
    } else {
      stack[top++] = node.right;
      stack[top++] = node.left;
    }
  }
}

void KdTree::RadiusQuery(const double* q, double r2, std::vector<int32_t>& out) const {
  Search(
      q, false, [r2] { return r2; },
      [&](int32_t id, double s) {
        if (s <= r2) out.push_back(id);
      });
}

std::vector<double> KdTree::KnnQuery(const double* q, size_t k) const {
  if (k == 0) return {};
  std::priority_queue<double> heap;  // max-heap of the k best so far
  const auto bound = [&] {
    return heap.size() < k ? std::numeric_limits<double>::infinity() : heap.top();
  };
  Search(q, true, bound, [&](int32_t, double s) {
    if (heap.size() < k) {
      heap.push(s);
    } else if (s < heap.top()) {
      heap.pop();
      heap.push(s);
    }
  });
  std::vector<double> out(heap.size());
  for (size_t i = out.size(); i-- > 0;) {
    out[i] = heap.top();
    heap.pop();
  }
  return out;
}

std::pair<int32_t, double> KdTree::Nearest(const double* q) const {
  int32_t best = -1;
  double best_d = std::numeric_limits<double>::infinity();
  Search(
      q, false, [&] { return best_d; },
      [&](int32_t id, double s) {
        if (s < best_d || (s == best_d && id < best)) {
          best_d = s;
          best = id;
        }
      });
  return {best, best_d};
}

}  // namespace prospect::cluster_internal
