// Exact Ward agglomerative clustering by the nearest-neighbour chain (Murtagh 1983; as scipy's
// linkage(method="ward"), which sklearn's AgglomerativeClustering uses) with Lance-Williams
// updates on squared distances, then a cut at k clusters.
#include "prospect/models/cluster/ward.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "models/cluster/kernels.hpp"
#include "prospect/models/cluster/kmeans.hpp"

namespace prospect {

const ParamSchema<WardParams>& WardParams::Schema() {
  static const ParamSchema<WardParams> schema(
      "ward", {
                  {"k", &WardParams::k, "number of clusters to cut the tree into", 1, 1e6},
                  {"max_samples", &WardParams::max_samples,
                   "refuse more rows than this (the distance matrix takes 4·n² bytes)", 2, 200000},
              });
  return schema;
}

void WardClustering::Fit(const DenseMatrixView& x, const Context& ctx) {
  const size_t n = x.rows(), d = x.cols();
  if (n > static_cast<size_t>(params_.max_samples)) {
    Fail(ErrorCode::kResourceExhausted,
         "ward: {} rows need {:.1f} GB for the pairwise distance matrix; the limit is max_samples "
         "= {} rows. Possible "
         "fixes: use method kmeans (or minibatch_kmeans for large n), cluster a sample of the "
         "rows, or raise "
         "max_samples if the machine has the memory.",
         n, 4.0 * static_cast<double>(n) * static_cast<double>(n) / 1e9, params_.max_samples);
  }
  CheckFitInput(x, static_cast<size_t>(params_.k));
  // Condensed matrix of squared distances, i < j.
  auto index = [n](size_t i, size_t j) { return n * i - i * (i + 1) / 2 + (j - i - 1); };
  std::vector<double> dist(n * (n - 1) / 2);
#pragma omp parallel for schedule(dynamic, 16) num_threads(ctx.threads())
  for (long li = 0; li < static_cast<long>(n); ++li) {
    const size_t i = static_cast<size_t>(li);
    for (size_t j = i + 1; j < n; ++j)
      dist[index(i, j)] = cluster_internal::SqDist(x.Row(i), x.Row(j), d);
  }
  auto D = [&](size_t a, size_t b) -> double& {
    return a < b ? dist[index(a, b)] : dist[index(b, a)];
  };
  std::vector<int64_t> size(n, 1);
  std::vector<size_t> chain;
  chain.reserve(n);
  std::vector<WardMerge> merges;
  merges.reserve(n ? n - 1 : 0);
  for (size_t step = 0; step + 1 < n; ++step) {
    if (step % 256 == 0) ctx.ThrowIfCancelled();
    if (chain.empty()) {
      size_t first = 0;
      while (size[first] == 0) ++first;
      chain.push_back(first);
    }
    size_t a = 0, b = 0;
    double best = 0;
    while (true) {
      a = chain.back();
      best = std::numeric_limits<double>::infinity();
      if (chain.size() > 1) {
        b = chain[chain.size() - 2];
        best = D(a, b);
      }
      for (size_t i = 0; i < n; ++i) {
        if (size[i] == 0 || i == a) continue;
        const double v = D(a, i);
        if (v < best) {
          best = v;
          b = i;
        }
      }
      if (chain.size() > 1 && b == chain[chain.size() - 2]) break;
      chain.push_back(b);
    }
    chain.pop_back();
    chain.pop_back();
    if (a > b) std::swap(a, b);
    const double na = static_cast<double>(size[a]), nb = static_cast<double>(size[b]);
    merges.push_back({static_cast<int64_t>(a), static_cast<int64_t>(b), best, size[a] + size[b]});
    // Lance-Williams for Ward on squared distances; b keeps the merged cluster.
    for (size_t i = 0; i < n; ++i) {
      if (size[i] == 0 || i == a || i == b) continue;
      const double ni = static_cast<double>(size[i]);
      D(b, i) = ((ni + na) * D(a, i) + (ni + nb) * D(b, i) - ni * best) / (na + nb + ni);
    }
    size[a] = 0;
    size[b] += static_cast<int64_t>(na);
  }
  // scipy order: stable sort by distance; the first n − k merges give k clusters.
  std::vector<size_t> order(merges.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t p, size_t q) { return merges[p].distance < merges[q].distance; });
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), size_t{0});
  auto find = [&](size_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  const size_t k = static_cast<size_t>(params_.k);
  for (size_t m = 0; m + k < n; ++m) {
    const WardMerge& mg = merges[order[m]];
    parent[find(static_cast<size_t>(mg.a))] = find(static_cast<size_t>(mg.b));
  }
  // Linkage rows with scipy's cluster ids (n + merge index) and Euclidean heights.
  merges_.clear();
  std::vector<size_t> uf(n);
  std::iota(uf.begin(), uf.end(), size_t{0});
  std::vector<int64_t> cluster_id(n);
  std::iota(cluster_id.begin(), cluster_id.end(), int64_t{0});
  auto find2 = [&](size_t v) {
    while (uf[v] != v) v = uf[v] = uf[uf[v]];
    return v;
  };
  for (size_t m = 0; m < order.size(); ++m) {
    const WardMerge& mg = merges[order[m]];
    const size_t ra = find2(static_cast<size_t>(mg.a)), rb = find2(static_cast<size_t>(mg.b));
    int64_t ia = cluster_id[ra], ib = cluster_id[rb];
    if (ia > ib) std::swap(ia, ib);
    merges_.push_back({ia, ib, std::sqrt(mg.distance), mg.size});
    uf[ra] = rb;
    cluster_id[rb] = static_cast<int64_t>(n + m);
  }
  // Labels numbered by first row; centroids for Assign.
  std::vector<int32_t> labels(n);
  std::vector<int32_t> id_of_root(n, -1);
  int32_t next = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t r = find(i);
    if (id_of_root[r] < 0) id_of_root[r] = next++;
    labels[i] = id_of_root[r];
  }
  centres_ = cluster_internal::MemberMeans(x, labels, next);
  inertia_ = 0;
  for (size_t i = 0; i < n; ++i)
    inertia_ += cluster_internal::SqDist(x.Row(i), centres_.Row(static_cast<size_t>(labels[i])), d);
  FinishFit(d, next, std::move(labels));
}

nlohmann::json WardClustering::Summary() const {
  nlohmann::json out = {{"method", Type()}, {"k", num_clusters_}, {"inertia", inertia_}};
  if (!labels_.empty()) out["sizes"] = ClusterSizes(labels_, num_clusters_);
  if (!merges_.empty()) {
    // The heights of the last merges show how clear the cut is.
    nlohmann::json tail = nlohmann::json::array();
    for (size_t m = merges_.size() > 10 ? merges_.size() - 10 : 0; m < merges_.size(); ++m)
      tail.push_back(merges_[m].distance);
    out["last_merge_distances"] = tail;
  }
  return out;
}

}  // namespace prospect
