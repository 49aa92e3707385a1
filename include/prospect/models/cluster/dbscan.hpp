// DBSCAN (Ester et al. 1996) with the same neighbourhood and labelling rules as sklearn, plus an
// eps suggestion from the knee of the sorted k-distance curve.
#pragma once

#include <cstdint>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/cluster/clusterer.hpp"

namespace prospect {

struct DbscanParams {
  double eps = 0.5;         ///< neighbourhood radius (Euclidean; a point is its own neighbour)
  int64_t min_samples = 5;  ///< neighbours (self included) that make a core point

  static const ParamSchema<DbscanParams>& Schema();
};

class Dbscan final : public ModelWithParams<Clusterer, DbscanParams> {
 public:
  using ModelWithParams::ModelWithParams;
  /// Labels: clusters numbered in the order of their first core row; noise −1.
  void Fit(const DenseMatrixView& x, const Context& ctx) override;
  /// New rows join the cluster of their nearest core sample within eps, else −1 (noise).
  std::vector<int32_t> Assign(const DenseMatrixView& x, const Context& ctx) const override;
  nlohmann::json Summary() const override;
  int64_t num_noise() const { return num_noise_; }
  int64_t num_core() const { return static_cast<int64_t>(core_labels_.size()); }

 protected:
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

 private:
  DenseMatrix core_points_;  ///< core samples, for Assign
  std::vector<int32_t> core_labels_;
  int64_t num_noise_ = 0;
};

/// eps suggestion: distances of every row to its min_samples-th nearest neighbour (self counted
/// first, as DBSCAN counts it), sorted ascending; the knee of that curve (KneeIndex).
struct EpsSuggestion {
  double eps = 0;
  std::vector<double> k_distances;  ///< sorted ascending (a sample if n is large)
};
EpsSuggestion SuggestEps(const DenseMatrixView& x, int64_t min_samples, const Context& ctx);

/// Row indices within `radius` (inclusive) of each query row: a KD-tree for d ≤ 16, brute force
/// above. neighbours[i] is sorted ascending.
std::vector<std::vector<int32_t>> RadiusNeighbours(const DenseMatrixView& points,
                                                   const DenseMatrixView& queries, double radius,
                                                   const Context& ctx);

}  // namespace prospect
