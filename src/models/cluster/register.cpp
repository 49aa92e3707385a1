// The clustering registry: one entry per algorithm (name, description, factory with its
// parameters, traits).
#include "prospect/models/cluster/dbscan.hpp"
#include "prospect/models/cluster/gmm.hpp"
#include "prospect/models/cluster/kmeans.hpp"
#include "prospect/models/cluster/rfm.hpp"
#include "prospect/models/cluster/ward.hpp"

namespace prospect {

namespace {

// Clusterers take their params struct, filled from the JSON overrides.
template <typename Model, typename P>
ModelFactory<Clusterer> ClustererFactory() {
  return {[](const nlohmann::json& params) -> std::unique_ptr<Clusterer> {
            P p;
            if (!params.is_null()) P::Schema().SetFromJson(p, params);
            return std::make_unique<Model>(std::move(p));
          },
          DescribeParams(P::Schema())};
}

}  // namespace

const Registry<Clusterer>& ClustererRegistry() {
  const ModelTraits seeded{.randomised = true};
  const ModelTraits exact;
  static const Registry<Clusterer> registry(
      {"clustering method", "methods", "cluster/"},
      {
          {"kmeans",
           "k-means (k-means++, Elkan/Lloyd, n_init); k = 0 picks k by silhouette, Calinski-Harabasz or elbow",
           ClustererFactory<KMeans, KMeansParams>(), nullptr, seeded},
          {"minibatch_kmeans", "mini-batch k-means for millions of rows",
           ClustererFactory<MiniBatchKMeans, MiniBatchKMeansParams>(), nullptr, seeded},
          {"dbscan", "density-based clusters of any shape, with noise (−1); see SuggestEps",
           ClustererFactory<Dbscan, DbscanParams>(), nullptr, exact},
          {"gmm", "Gaussian mixture by EM, full or diagonal covariance; k = 0 picks k by BIC",
           ClustererFactory<GaussianMixture, GmmParams>(), nullptr, seeded},
          {"ward", "agglomerative clustering with Ward linkage (exact; up to max_samples rows)",
           ClustererFactory<WardClustering, WardParams>(), nullptr, exact},
          {"rfm",
           "RFM quintile scores with marketing segment names (Champions, Loyal, …); columns recency, frequency, "
           "monetary",
           ClustererFactory<RfmSegmenter, RfmParams>(), nullptr, exact},
      });
  return registry;
}

}  // namespace prospect
