// Approximate top-k over item vectors for large catalogues: the largest dot products x·yᵢ found
// with an HNSW graph (hnswlib, Malkov & Yashunin 2018) instead of scoring every item. Maximum
// inner product is turned into nearest neighbours in L2 by one extra coordinate (Bachrach et al.
// 2014): yᵢ → [yᵢ, √(M² − ‖yᵢ‖²)] with M the largest ‖yᵢ‖, x → [x, 0], so the nearest item is the
// one with the largest dot product. The returned scores are the exact dot products.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/models/recommend/recommender.hpp"

namespace prospect {

struct AnnParams {
  int64_t m = 16;                 ///< graph links per node (hnswlib's M)
  int64_t ef_construction = 200;  ///< candidate list while building
  int64_t ef_search = 64;         ///< candidate list while searching: recall against speed
};

class ItemVectorIndex {
 public:
  /// Indexes `items` (count × dim, row-major), seeded by ctx.seed(), on one thread (see ann.cpp):
  /// the same vectors and seed give the same graph and the same answers.
  ItemVectorIndex(std::span<const float> items, size_t dim, const AnnParams& params,
                  const Context& ctx);
  ~ItemVectorIndex();
  ItemVectorIndex(const ItemVectorIndex&) = delete;
  ItemVectorIndex& operator=(const ItemVectorIndex&) = delete;

  /// About the k items with the largest query·item, best first (ties to the lower index), none
  /// where excluded[i] is non-zero (empty: none excluded). Thread-safe.
  std::vector<ScoredItem> Search(std::span<const float> query, size_t k,
                                 std::span<const uint8_t> excluded = {}) const;
  size_t size() const { return count_; }
  size_t dim() const { return dim_; }

 private:
  struct Graph;
  std::unique_ptr<Graph> graph_;
  std::vector<float> items_;  ///< the vectors as given, for the exact scores
  size_t count_ = 0, dim_ = 0;
  int64_t ef_search_ = 64;
};

}  // namespace prospect
