// Agglomerative clustering with Ward linkage (Ward 1963), exact, by the nearest-neighbour chain
// algorithm over a condensed distance matrix: O(n²) time and n(n−1)/2 doubles of memory, so it
// refuses inputs above max_samples rows (default 10,000 ≈ 400 MB) and suggests k-means.
#pragma once

#include <cstdint>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/cluster/clusterer.hpp"

namespace prospect {

struct WardParams {
  int64_t k = 8;
  int64_t max_samples = 10000;  ///< refuse larger inputs (memory is 4·n² bytes)

  static const ParamSchema<WardParams>& Schema();
};

/// One merge of the dendrogram (scipy linkage row): clusters a and b (ids < n are rows, n + i
/// is the cluster made by merge i), Ward distance, size of the new cluster.
struct WardMerge {
  int64_t a = 0;
  int64_t b = 0;
  double distance = 0;
  int64_t size = 0;
};

/// New rows go to the nearest cluster centroid.
class WardClustering final : public CentroidClusterer<WardParams> {
 public:
  using CentroidClusterer::CentroidClusterer;
  /// Cuts the tree at k clusters; ids numbered by first row.
  void Fit(const DenseMatrixView& x, const Context& ctx) override;
  nlohmann::json Summary() const override;
  /// The n − 1 merges sorted by distance (scipy's linkage order); not saved in model files.
  const std::vector<WardMerge>& merges() const { return merges_; }

 private:
  std::vector<WardMerge> merges_;
};

}  // namespace prospect
