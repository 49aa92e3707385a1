// The clustering registry: one line per algorithm (name, description, params schema, factory).
#include "prospect/models/cluster/registry.hpp"

#include "prospect/common/strings.hpp"
#include "prospect/models/cluster/dbscan.hpp"
#include "prospect/models/cluster/gmm.hpp"
#include "prospect/models/cluster/kmeans.hpp"
#include "prospect/models/cluster/rfm.hpp"
#include "prospect/models/cluster/ward.hpp"

namespace prospect {

namespace {

template <typename Model, typename P>
ClustererInfo Entry(std::string name, std::string description) {
  ClustererInfo info;
  info.name = std::move(name);
  info.description = std::move(description);
  info.params = DescribeParams(P::Schema());
  info.create = [](const nlohmann::json& params) -> std::unique_ptr<Clusterer> {
    P p;
    if (!params.is_null()) P::Schema().SetFromJson(p, params);
    return std::make_unique<Model>(std::move(p));
  };
  return info;
}

}  // namespace

const std::vector<ClustererInfo>& ClustererRegistry() {
  static const std::vector<ClustererInfo> registry = {
      Entry<KMeans, KMeansParams>("kmeans", "k-means (k-means++, Elkan/Lloyd, n_init); k = 0 picks k by silhouette, "
                                            "Calinski-Harabasz or elbow"),
      Entry<MiniBatchKMeans, MiniBatchKMeansParams>("minibatch_kmeans", "mini-batch k-means for millions of rows"),
      Entry<Dbscan, DbscanParams>("dbscan", "density-based clusters of any shape, with noise (−1); see SuggestEps"),
      Entry<GaussianMixture, GmmParams>("gmm", "Gaussian mixture by EM, full or diagonal covariance; k = 0 picks k by "
                                               "BIC"),
      Entry<WardClustering, WardParams>("ward", "agglomerative clustering with Ward linkage (exact; up to "
                                                "max_samples rows)"),
      Entry<RfmSegmenter, RfmParams>("rfm", "RFM quintile scores with marketing segment names (Champions, Loyal, …); "
                                            "columns recency, frequency, monetary"),
  };
  return registry;
}

std::vector<std::string> ClustererNames() {
  std::vector<std::string> names;
  for (const auto& info : ClustererRegistry()) names.push_back(info.name);
  return names;
}

const ClustererInfo& FindClusterer(std::string_view name) {
  for (const auto& info : ClustererRegistry()) {
    if (info.name == name) return info;
  }
  const auto names = ClustererNames();
  Fail(ErrorCode::kInvalidArgument, "Unknown clustering method {}. {}Valid methods: {}.", QuoteForMessage(name),
       DidYouMean(name, names), Join(names, ", "));
}

std::unique_ptr<Clusterer> CreateClusterer(std::string_view name, const nlohmann::json& params) {
  return FindClusterer(name).create(params);
}

}  // namespace prospect
