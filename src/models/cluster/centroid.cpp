// CentroidClusterer: assignment to the nearest centre and the centres + inertia model blocks
// shared by k-means, mini-batch k-means and Ward.
#include <span>

#include "models/cluster/kernels.hpp"
#include "prospect/models/cluster/kmeans.hpp"
#include "prospect/models/cluster/ward.hpp"

namespace prospect {

template <typename P>
std::vector<int32_t> CentroidClusterer<P>::Assign(const DenseMatrixView& x,
                                                  const Context& ctx) const {
  this->CheckAssignInput(x);
  return NearestCentres(x, this->centres_, ctx, nullptr);
}

template <typename P>
void CentroidClusterer<P>::SaveState(ModelWriter& writer) const {
  cluster_internal::WriteMatrixBlock(writer, "centres", this->centres_);
  std::vector<double> stats = {inertia_};
  for (double v : MoreStats()) stats.push_back(v);
  writer.AddArray<double>("stats", stats);
}

template <typename P>
void CentroidClusterer<P>::LoadState(const ModelReader& reader) {
  this->centres_ = cluster_internal::ReadMatrixBlock(
      reader, "centres", static_cast<size_t>(this->num_clusters_), this->num_features_);
  const auto stats = reader.FiniteArray("stats");
  const size_t expected = 1 + MoreStats().size();
  if (stats.size() != expected) {
    Fail(ErrorCode::kInvalidData, "model file: block \"stats\" must hold {} value{}", expected,
         expected == 1 ? "" : "s");
  }
  inertia_ = stats[0];
  RestoreMoreStats(std::span<const double>(stats).subspan(1));
}

template class CentroidClusterer<KMeansParams>;
template class CentroidClusterer<MiniBatchKMeansParams>;
template class CentroidClusterer<WardParams>;

}  // namespace prospect
