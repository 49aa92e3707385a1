// DBSCAN: neighbourhoods by KD-tree (d ≤ 16) or brute force, core points, then clusters grown from
// core rows in row order — the same labels as sklearn's dbscan_inner (up to renumbering).
#include "prospect/models/cluster/dbscan.hpp"

#include <algorithm>
#include <cmath>

#include "models/cluster/kdtree.hpp"
#include "models/cluster/kernels.hpp"
#include "prospect/models/cluster/metrics.hpp"

namespace prospect {

namespace {
constexpr size_t kKdTreeMaxDims = 16;
}

const ParamSchema<DbscanParams>& DbscanParams::Schema() {
  static const ParamSchema<DbscanParams> schema(
      "dbscan", {
                    {"eps", &DbscanParams::eps,
                     "neighbourhood radius (Euclidean, in the clustered space)", 1e-300, 1e300},
                    {"min_samples", &DbscanParams::min_samples,
                     "neighbours, the row itself included, of a core row", 1, 1e9},
                });
  return schema;
}

std::vector<std::vector<int32_t>> RadiusNeighbours(const DenseMatrixView& points,
                                                   const DenseMatrixView& queries, double radius,
                                                   const Context& ctx) {
  if (points.cols() != queries.cols()) {
    Fail(ErrorCode::kInvalidArgument, "neighbours: points have {} columns, queries {}",
         points.cols(), queries.cols());
  }
  std::vector<std::vector<int32_t>> out(queries.rows());
  const double r2 = radius * radius;
  const long m = static_cast<long>(queries.rows());
  if (points.cols() <= kKdTreeMaxDims) {
    const cluster_internal::KdTree tree(points);
#pragma omp parallel for schedule(dynamic, 256) num_threads(ctx.threads())
    for (long i = 0; i < m; ++i) {
      auto& list = out[static_cast<size_t>(i)];
      tree.RadiusQuery(queries.Row(static_cast<size_t>(i)), r2, list);
      std::sort(list.begin(), list.end());
    }
  } else {
#pragma omp parallel for schedule(dynamic, 64) num_threads(ctx.threads())
    for (long i = 0; i < m; ++i) {
      auto& list = out[static_cast<size_t>(i)];
      const double* q = queries.Row(static_cast<size_t>(i));
      for (size_t j = 0; j < points.rows(); ++j) {
        if (cluster_internal::SqDist(q, points.Row(j), points.cols()) <= r2)
          list.push_back(static_cast<int32_t>(j));
      }
    }
  }
  return out;
}

void Dbscan::Fit(const DenseMatrixView& x, const Context& ctx) {
  CheckFitInput(x, 1);
  const size_t n = x.rows(), d = x.cols();
  if (n > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    Fail(ErrorCode::kResourceExhausted, "dbscan: {} rows is more than the supported 2^31 − 1", n);
  }
  std::vector<std::vector<int32_t>> neighbours = RadiusNeighbours(x, x, params_.eps, ctx);
  ctx.ThrowIfCancelled();
  std::vector<uint8_t> core(n);
  for (size_t i = 0; i < n; ++i) {
    core[i] = neighbours[i].size() >= static_cast<size_t>(params_.min_samples);
    if (!core[i]) std::vector<int32_t>().swap(neighbours[i]);  // only core rows expand
  }
  // Grow clusters from core rows in row order. A border row reachable from several clusters joins
  // the first one grown, exactly as sklearn's depth-first dbscan_inner does.
  std::vector<int32_t> labels(n, -1);
  int32_t next = 0;
  std::vector<int32_t> stack;
  for (size_t i = 0; i < n; ++i) {
    if (labels[i] != -1 || !core[i]) continue;
    stack.assign(1, static_cast<int32_t>(i));
    labels[i] = next;
    while (!stack.empty()) {
      const size_t p = static_cast<size_t>(stack.back());
      stack.pop_back();
      if (!core[p]) continue;
      for (int32_t v : neighbours[p]) {
        if (labels[static_cast<size_t>(v)] == -1) {
          labels[static_cast<size_t>(v)] = next;
          stack.push_back(v);
        }
      }
    }
    ++next;
  }
  size_t num_core = 0;
  for (uint8_t c : core) num_core += c;
  core_points_ = DenseMatrix(num_core, d);
  core_labels_.clear();
  num_noise_ = 0;
  for (size_t i = 0; i < n; ++i) {
    if (core[i]) {
      std::copy_n(x.Row(i), d, core_points_.Row(core_labels_.size()));
      core_labels_.push_back(labels[i]);
    }
    num_noise_ += labels[i] < 0;
  }
  centres_ = cluster_internal::MemberMeans(x, labels, next);
  FinishFit(d, next, std::move(labels));
}

std::vector<int32_t> Dbscan::Assign(const DenseMatrixView& x, const Context& ctx) const {
  CheckAssignInput(x);
  std::vector<int32_t> out(x.rows(), -1);
  if (core_labels_.empty()) return out;
  const cluster_internal::KdTree tree(core_points_.view());
  const double r2 = params_.eps * params_.eps;
  const long m = static_cast<long>(x.rows());
#pragma omp parallel for schedule(dynamic, 256) num_threads(ctx.threads())
  for (long i = 0; i < m; ++i) {
    const auto [id, dist] = tree.Nearest(x.Row(static_cast<size_t>(i)));
    if (id >= 0 && dist <= r2) out[static_cast<size_t>(i)] = core_labels_[static_cast<size_t>(id)];
  }
  return out;
}

nlohmann::json Dbscan::Summary() const {
  nlohmann::json out = {{"method", Type()},
                        {"k", num_clusters_},
                        {"eps", params_.eps},
                        {"min_samples", params_.min_samples},
                        {"core_rows", core_labels_.size()},
                        {"noise_rows", num_noise_}};
  if (!labels_.empty()) out["sizes"] = ClusterSizes(labels_, num_clusters_);
  return out;
}

void Dbscan::SaveState(ModelWriter& writer) const {
  cluster_internal::WriteMatrixBlock(writer, "core_points", core_points_);
  writer.AddArray<int32_t>("core_labels", std::span<const int32_t>(core_labels_));
  cluster_internal::WriteMatrixBlock(writer, "centres", centres_);
  writer.AddArray<int64_t>("noise", std::span<const int64_t>(&num_noise_, 1));
}

void Dbscan::LoadState(const ModelReader& reader) {
  core_labels_ = reader.Array<int32_t>("core_labels");
  core_points_ =
      cluster_internal::ReadMatrixBlock(reader, "core_points", core_labels_.size(), num_features_);
  for (int32_t l : core_labels_) {
    if (l < 0 || l >= num_clusters_)
      Fail(ErrorCode::kInvalidData, "model file: core label {} out of range", l);
  }
  centres_ = cluster_internal::ReadMatrixBlock(reader, "centres",
                                               static_cast<size_t>(num_clusters_), num_features_);
  const auto noise = reader.Array<int64_t>("noise");
  if (noise.size() != 1)
    Fail(ErrorCode::kInvalidData, "model file: block \"noise\" must hold 1 value");
  num_noise_ = noise[0];
}

EpsSuggestion SuggestEps(const DenseMatrixView& x, int64_t min_samples, const Context& ctx) {
  if (x.rows() < 3)
    Fail(ErrorCode::kInvalidArgument, "eps suggestion needs at least 3 rows; the data has {}",
         x.rows());
  CheckFinite(x, "the input matrix");
  const size_t k = std::min(static_cast<size_t>(std::max<int64_t>(min_samples, 1)), x.rows());
  // The curve of a sample of rows is enough to find the knee; the neighbours come from all rows.
  constexpr size_t kMaxQueries = 20000;
  std::vector<size_t> queries;
  if (x.rows() > kMaxQueries) {
    Rng rng(DeriveSeed(ctx.seed(), 31));
    queries = cluster_internal::SampleWithoutReplacement(x.rows(), kMaxQueries, rng);
  } else {
    queries.resize(x.rows());
    for (size_t i = 0; i < x.rows(); ++i) queries[i] = i;
  }
  EpsSuggestion out;
  out.k_distances.resize(queries.size());
  const long m = static_cast<long>(queries.size());
  if (x.cols() <= kKdTreeMaxDims) {
    const cluster_internal::KdTree tree(x);
#pragma omp parallel for schedule(dynamic, 256) num_threads(ctx.threads())
    for (long i = 0; i < m; ++i) {
      const auto d = tree.KnnQuery(x.Row(queries[static_cast<size_t>(i)]), k);
      out.k_distances[static_cast<size_t>(i)] = std::sqrt(d.back());
    }
  } else {
#pragma omp parallel for schedule(dynamic, 16) num_threads(ctx.threads())
    for (long i = 0; i < m; ++i) {
      std::vector<double> d(x.rows());
      const double* q = x.Row(queries[static_cast<size_t>(i)]);
      for (size_t j = 0; j < x.rows(); ++j) d[j] = cluster_internal::SqDist(q, x.Row(j), x.cols());
      std::nth_element(d.begin(), d.begin() + static_cast<long>(k - 1), d.end());
      out.k_distances[static_cast<size_t>(i)] = std::sqrt(d[k - 1]);
    }
  }
  std::sort(out.k_distances.begin(), out.k_distances.end());
  std::vector<double> idx(out.k_distances.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<double>(i);
  out.eps = out.k_distances[KneeIndex(idx, out.k_distances)];
  if (out.eps <= 0) out.eps = out.k_distances.back() > 0 ? out.k_distances.back() : 1.0;
  return out;
}

}  // namespace prospect
