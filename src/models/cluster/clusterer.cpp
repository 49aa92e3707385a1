// Clusterer base: input checks shared by every algorithm, and Save/Load through the model-file
// container (type tag "cluster/<name>", params JSON, a "cluster_meta" block, then per-model
// blocks).
#include "prospect/models/cluster/clusterer.hpp"

namespace prospect {

void Clusterer::CheckFitInput(const DenseMatrixView& x, size_t min_rows) const {
  CheckNotEmpty(x.rows(), x.cols());
  CheckFinite(x, "the input matrix");
  if (x.rows() < min_rows) {
    Fail(ErrorCode::kInvalidArgument, "{}: k = {} clusters need at least {} rows; the data has {}",
         Type(), min_rows, min_rows, x.rows());
  }
}

void Clusterer::CheckAssignInput(const DenseMatrixView& x) const {
  CheckTrained(fitted_);
  CheckFeatureCount(num_features_, x.cols());
  CheckFinite(x, "the input matrix");
}

void Clusterer::FinishFit(size_t num_features, int32_t num_clusters, std::vector<int32_t> labels) {
  num_features_ = num_features;
  num_clusters_ = num_clusters;
  labels_ = std::move(labels);
  fitted_ = true;
}

std::string Clusterer::Save() const {
  CheckTrained(fitted_);
  ModelWriter writer(ClustererRegistry().FileTag(Type()), Params());
  const nlohmann::json meta = {{"cluster_format", kClustererFormatVersion},
                               {"num_features", num_features_},
                               {"num_clusters", num_clusters_}};
  writer.AddBlock("cluster_meta", meta.dump());
  SaveState(writer);
  return writer.Finish();
}

std::unique_ptr<Clusterer> Clusterer::Load(std::string_view bytes) {
  const ModelReader reader(bytes);
  std::unique_ptr<Clusterer> model =
      ClustererRegistry().FindByFileTag(reader.type_tag()).Create(reader.params());
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(reader.Block("cluster_meta"));
  } catch (const nlohmann::json::exception&) {
    Fail(ErrorCode::kInvalidData, "model file: block \"cluster_meta\" is not valid JSON");
  }
  if (!meta.is_object() || !meta.contains("cluster_format") ||
      !meta["cluster_format"].is_number_integer() || !meta.contains("num_features") ||
      !meta["num_features"].is_number_unsigned() || !meta.contains("num_clusters") ||
      !meta["num_clusters"].is_number_integer()) {
    Fail(ErrorCode::kInvalidData,
         "model file: block \"cluster_meta\" lacks cluster_format/num_features/num_clusters");
  }
  const int version = meta["cluster_format"].get<int>();
  if (version > kClustererFormatVersion) {
    Fail(ErrorCode::kFailedPrecondition,
         "clustering model format {} was written by a newer prospect (this one reads up to {}); "
         "upgrade prospect",
         version, kClustererFormatVersion);
  }
  const size_t d = meta["num_features"].get<size_t>();
  const int64_t k = meta["num_clusters"].get<int64_t>();
  if (d == 0 || d > (1u << 24) || k < 0 || k > (1 << 24)) {
    Fail(ErrorCode::kInvalidData, "model file: implausible shape ({} features, {} clusters)", d, k);
  }
  model->num_features_ = d;
  model->num_clusters_ = static_cast<int32_t>(k);
  model->LoadState(reader);
  model->fitted_ = true;
  return model;
}

std::vector<int64_t> ClusterSizes(const std::vector<int32_t>& labels, int32_t num_clusters) {
  std::vector<int64_t> sizes(static_cast<size_t>(std::max(num_clusters, 0)), 0);
  for (int32_t l : labels) {
    if (l >= 0 && l < num_clusters) ++sizes[static_cast<size_t>(l)];
  }
  return sizes;
}

}  // namespace prospect
