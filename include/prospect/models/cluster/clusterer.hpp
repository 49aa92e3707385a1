// The Clusterer interface: every clustering algorithm (k-means, mini-batch k-means, DBSCAN,
// Gaussian mixture, Ward, RFM) fits on a DenseMatrixView (n × d, row-major float64) and assigns
// rows.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/linalg/dense.hpp"
#include "prospect/models/model.hpp"
#include "prospect/models/registry.hpp"

namespace prospect {

/// Version of the clustering state inside the model-file container (block "cluster_meta").
/// Loaders accept this and older versions.
inline constexpr int kClustererFormatVersion = 1;

/// A clustering model. Not thread-safe for concurrent Fit; const methods may run concurrently.
///
/// Documented errors (asserted verbatim in tests/conformance/model_conformance_test.cpp):
/// - Assign or Save before Fit: kFailedPrecondition (Model::CheckTrained)
///   "<type>: the model is not trained yet; call Fit first".
/// - Fit on 0 rows: kInvalidData (Model::CheckNotEmpty) "<type>: no training rows".
/// - NaN or ±inf anywhere: kInvalidData "... has a non-finite value (nan) at row R, column C. ...".
/// - Assign with a different column count: kInvalidData (Model::CheckFeatureCount)
///   "<type>: the model was trained on D features but the data has E".
/// - Fewer rows than clusters: kInvalidArgument "<type>: k = K clusters need at least K rows; the
/// data has N".
class Clusterer : public Model {
 public:
  /// Fits on x (n × d). Deterministic for ctx.seed(), whatever ctx.threads().
  virtual void Fit(const DenseMatrixView& x, const Context& ctx) = 0;
  /// Cluster id of each row of x in [0, num_clusters()), or −1 (DBSCAN noise).
  virtual std::vector<int32_t> Assign(const DenseMatrixView& x, const Context& ctx) const = 0;
  /// Fit statistics (inertia, log-likelihood, BIC, sizes, scores per k, ...), for --json.
  virtual nlohmann::json Summary() const = 0;
  /// Cluster centres, num_clusters() × d (component means for a mixture, means of the members for
  /// DBSCAN and Ward; empty for RFM).
  const DenseMatrix& Centres() const { return centres_; }

  bool fitted() const { return fitted_; }
  size_t num_features() const { return num_features_; }
  int32_t num_clusters() const { return num_clusters_; }
  /// Labels of the rows Fit saw (not saved in model files).
  const std::vector<int32_t>& labels() const { return labels_; }

  /// Serialises the fitted model into the model-file container (type tag "cluster/<type>").
  std::string Save() const override;
  /// Re-creates a saved model of any registered type, validating every payload. Throws
  /// kInvalidData for malformed bytes or a file of another kind.
  static std::unique_ptr<Clusterer> Load(std::string_view bytes);

 protected:
  virtual void SaveState(ModelWriter& writer) const = 0;
  virtual void LoadState(const ModelReader& reader) = 0;

  /// Checks non-empty, finite, at least min_rows rows (min_rows = k for k clusters).
  void CheckFitInput(const DenseMatrixView& x, size_t min_rows) const;
  /// Checks fitted, feature count and finiteness.
  void CheckAssignInput(const DenseMatrixView& x) const;
  /// Records the common state after a successful fit.
  void FinishFit(size_t num_features, int32_t num_clusters, std::vector<int32_t> labels);

  bool fitted_ = false;
  size_t num_features_ = 0;
  int32_t num_clusters_ = 0;
  std::vector<int32_t> labels_;
  DenseMatrix centres_;
};

/// A clustering whose model is its centres (k-means, mini-batch k-means, Ward): rows are assigned
/// to the nearest centre (lowest id on ties), and the file holds the centres and a "stats" block
/// whose first value is the inertia.
template <typename P>
class CentroidClusterer : public ModelWithParams<Clusterer, P> {
 public:
  using ModelWithParams<Clusterer, P>::ModelWithParams;

  std::vector<int32_t> Assign(const DenseMatrixView& x, const Context& ctx) const override;
  /// Within-cluster sum of squared distances of the training rows to their centres.
  double inertia() const { return inertia_; }

 protected:
  /// Saved after the inertia in "stats" (k-means: its iteration count). Its size is fixed per
  /// algorithm: LoadState asks it of the unloaded model to know how many values to expect.
  virtual std::vector<double> MoreStats() const { return {}; }
  virtual void RestoreMoreStats(std::span<const double>) {}
  void SaveState(ModelWriter& writer) const override;
  void LoadState(const ModelReader& reader) override;

  double inertia_ = 0;
};

/// Every clustering algorithm, in registration order (filled in models/cluster/register.cpp).
/// Unknown names: kInvalidArgument
/// "Unknown clustering method "kmean". Did you mean "kmeans"? Valid methods: …".
const Registry<Clusterer>& ClustererRegistry();

/// Number of rows per cluster id (noise −1 is not counted), length num_clusters.
std::vector<int64_t> ClusterSizes(const std::vector<int32_t>& labels, int32_t num_clusters);

}  // namespace prospect
