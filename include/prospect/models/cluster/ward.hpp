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

class WardClustering final : public Clusterer {
 public:
  explicit WardClustering(WardParams params = {});
  std::string Type() const override { return "ward"; }
  nlohmann::json Params() const override { return WardParams::Schema().ToJson(params_); }
  /// Cuts the tree at k clusters; ids numbered by first row.
  void Fit(const DenseMatrixView& x, const Context& ctx) override;
  /// New rows go to the nearest cluster centroid.
  std::vector<int32_t> Assign(const DenseMatrixView& x, const Context& ctx) const override;
  nlohmann::json Summary() const override;
  DenseMatrix Centres() const override { return centres_; }
  /// The n − 1 merges sorted by distance (scipy's linkage order).
  const std::vector<WardMerge>& merges() const { return merges_; }

 protected:
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

 private:
  WardParams params_;
  DenseMatrix centres_;
  std::vector<WardMerge> merges_;
  double inertia_ = 0;
};

}  // namespace prospect
