// The clustering registry: one entry per algorithm (name, description, factory with its
// parameters, traits).
#include "prospect/models/cluster/dbscan.hpp"
#include "prospect/models/cluster/gmm.hpp"
#include "prospect/models/cluster/kmeans.hpp"
#include "prospect/models/cluster/rfm.hpp"
#include "prospect/models/cluster/ward.hpp"

namespace prospect {

const Registry<Clusterer>& ClustererRegistry() {
  const ModelTraits seeded{.randomised = true};
  const ModelTraits exact;
  static const Registry<Clusterer> registry(
      {"clustering method", "methods", "cluster/"},
      {
          {"kmeans",
           "k-means (k-means++, Elkan/Lloyd, n_init); k = 0 picks k by silhouette, "
           "Calinski-Harabasz or elbow",
           FactoryOf<Clusterer, KMeans, KMeansParams>(), nullptr, seeded},
          {"minibatch_kmeans", "mini-batch k-means for millions of rows",
           FactoryOf<Clusterer, MiniBatchKMeans, MiniBatchKMeansParams>(), nullptr, seeded},
          {"dbscan", "density-based clusters of any shape, with noise (−1); see SuggestEps",
           FactoryOf<Clusterer, Dbscan, DbscanParams>(), nullptr, exact},
          {"gmm", "Gaussian mixture by EM, full or diagonal covariance; k = 0 picks k by BIC",
           FactoryOf<Clusterer, GaussianMixture, GmmParams>(), nullptr, seeded},
          {"ward", "agglomerative clustering with Ward linkage (exact; up to max_samples rows)",
           FactoryOf<Clusterer, WardClustering, WardParams>(), nullptr, exact},
          {"rfm",
           "RFM quintile scores with marketing segment names (Champions, Loyal, …); columns "
           "recency, frequency, "
           "monetary",
           FactoryOf<Clusterer, RfmSegmenter, RfmParams>(), nullptr, exact},
      });
  return registry;
}

}  // namespace prospect
