// k-means (Lloyd and Elkan) with greedy k-means++ initialisation, n_init restarts and automatic k
// (silhouette, Calinski-Harabasz, elbow); and mini-batch k-means for large n.
// Follows scikit-learn 1.2's KMeans / MiniBatchKMeans definitions (see
// docs/user/segment-algorithms.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "prospect/common/params.hpp"
#include "prospect/models/cluster/clusterer.hpp"

namespace prospect {

struct KMeansParams {
  int64_t k = 8;                   ///< clusters; 0 = choose automatically in [k_min, k_max]
  std::string init = "k-means++";  ///< k-means++ | random
  int64_t n_init = 10;             ///< restarts; the lowest inertia wins
  int64_t max_iter = 300;
  double tol = 1e-4;                ///< relative to the mean feature variance (as sklearn)
  std::string algorithm = "elkan";  ///< elkan | lloyd (same result, different speed)
  int64_t k_min = 2;
  int64_t k_max = 10;
  std::string k_method = "silhouette";  ///< silhouette | calinski_harabasz | elbow
  int64_t silhouette_sample = 10000;    ///< rows sampled for the silhouette (0 = all)

  static const ParamSchema<KMeansParams>& Schema();
};

/// One candidate k of the automatic search.
struct KScore {
  int64_t k = 0;
  double inertia = 0;
  double score = 0;  ///< silhouette or Calinski-Harabasz (higher is better), or inertia for elbow
};

class KMeans final : public CentroidClusterer<KMeansParams> {
 public:
  using CentroidClusterer::CentroidClusterer;
  void Fit(const DenseMatrixView& x, const Context& ctx) override;
  nlohmann::json Summary() const override;
  int64_t n_iter() const { return n_iter_; }
  const std::vector<KScore>& k_scores() const { return k_scores_; }

 protected:
  std::vector<double> MoreStats() const override { return {static_cast<double>(n_iter_)}; }
  void RestoreMoreStats(std::span<const double> stats) override {
    n_iter_ = static_cast<int64_t>(stats[0]);
  }

 private:
  void FitFixedK(const DenseMatrixView& x, int64_t k, const Context& ctx);
  int64_t n_iter_ = 0;
  std::vector<KScore> k_scores_;
};

struct MiniBatchKMeansParams {
  int64_t k = 8;
  int64_t batch_size = 1024;
  int64_t max_iter = 100;  ///< passes over the data (epochs)
  int64_t n_init = 3;      ///< k-means++ inits compared on a validation sample
  int64_t max_no_improvement =
      10;                 ///< stop after this many batches without a better smoothed inertia
  double tol = 0.0;       ///< stop when the centre change is below tol × mean variance (0 = off)
  int64_t init_size = 0;  ///< rows for init (0 = 3 × batch_size)

  static const ParamSchema<MiniBatchKMeansParams>& Schema();
};

/// Mini-batch k-means (Sculley 2010) with per-centre learning rates 1/count, as sklearn.
class MiniBatchKMeans final : public CentroidClusterer<MiniBatchKMeansParams> {
 public:
  using CentroidClusterer::CentroidClusterer;
  void Fit(const DenseMatrixView& x, const Context& ctx) override;
  nlohmann::json Summary() const override;
  int64_t n_steps() const { return n_steps_; }  ///< (not saved in model files)

 private:
  int64_t n_steps_ = 0;
};

/// Nearest-centre labels and the inertia they give (shared by k-means flavours and tests).
/// Deterministic whatever ctx.threads().
std::vector<int32_t> NearestCentres(const DenseMatrixView& x, const DenseMatrixView& centres,
                                    const Context& ctx, double* inertia);

/// Greedy k-means++ seeding (Arthur & Vassilvitskii 2007; 2 + ln k local trials as sklearn).
DenseMatrix KMeansPlusPlus(const DenseMatrixView& x, int64_t k, uint64_t seed, const Context& ctx);

}  // namespace prospect
