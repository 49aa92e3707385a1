// Silhouette (sampled), Calinski-Harabasz and the Kneedle knee: used to choose k and eps.
#include "prospect/models/cluster/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "models/cluster/kernels.hpp"

namespace prospect {

double SilhouetteScore(const DenseMatrixView& x, std::span<const int32_t> labels,
                       int64_t sample_size, uint64_t seed, const Context& ctx) {
  if (labels.size() != x.rows()) {
    Fail(ErrorCode::kInvalidArgument, "silhouette: {} labels for {} rows", labels.size(), x.rows());
  }
  std::vector<size_t> rows;
  for (size_t i = 0; i < x.rows(); ++i) {
    if (labels[i] >= 0) rows.push_back(i);
  }
  if (sample_size > 0 && static_cast<size_t>(sample_size) < rows.size()) {
    Rng rng(seed);
    auto pick = cluster_internal::SampleWithoutReplacement(rows.size(),
                                                           static_cast<size_t>(sample_size), rng);
    std::sort(pick.begin(), pick.end());
    std::vector<size_t> sampled;
    for (size_t p : pick) sampled.push_back(rows[p]);
    rows = std::move(sampled);
  }
  int32_t k = 0;
  for (size_t r : rows) k = std::max(k, labels[r] + 1);
  std::vector<double> size(static_cast<size_t>(k), 0.0);
  for (size_t r : rows) size[static_cast<size_t>(labels[r])] += 1;
  const size_t used =
      static_cast<size_t>(std::count_if(size.begin(), size.end(), [](double s) { return s > 0; }));
  if (used < 2 || used > rows.size() - 1) {
    Fail(ErrorCode::kInvalidArgument,
         "silhouette needs 2 to n − 1 clusters; got {} clusters for {} rows", used, rows.size());
  }
  const size_t m = rows.size();
  std::vector<double> s(m, 0.0);
#pragma omp parallel num_threads(ctx.threads())
  {
    std::vector<double> sums(static_cast<size_t>(k));
#pragma omp for schedule(dynamic, 16)
    for (long a = 0; a < static_cast<long>(m); ++a) {
      std::fill(sums.begin(), sums.end(), 0.0);
      const double* xa = x.Row(rows[static_cast<size_t>(a)]);
      for (size_t b = 0; b < m; ++b) {
        sums[static_cast<size_t>(labels[rows[b]])] +=
            std::sqrt(cluster_internal::SqDist(xa, x.Row(rows[b]), x.cols()));
      }
      const size_t own = static_cast<size_t>(labels[rows[static_cast<size_t>(a)]]);
      if (size[own] <= 1) continue;  // a singleton scores 0 (sklearn)
      const double in = sums[own] / (size[own] - 1);
      double out = std::numeric_limits<double>::infinity();
      for (size_t c = 0; c < sums.size(); ++c) {
        if (c != own && size[c] > 0) out = std::min(out, sums[c] / size[c]);
      }
      const double denom = std::max(in, out);
      s[static_cast<size_t>(a)] = denom > 0 ? (out - in) / denom : 0.0;
    }
  }
  return std::accumulate(s.begin(), s.end(), 0.0) / static_cast<double>(m);
}

double CalinskiHarabaszScore(const DenseMatrixView& x, std::span<const int32_t> labels,
                             const Context& ctx) {
  (void)ctx;
  const size_t n = x.rows(), d = x.cols();
  if (labels.size() != n)
    Fail(ErrorCode::kInvalidArgument, "Calinski-Harabasz: {} labels for {} rows", labels.size(), n);
  int32_t k = 0;
  for (int32_t l : labels) k = std::max(k, l + 1);
  std::vector<double> mean(d, 0.0), counts(static_cast<size_t>(k), 0.0);
  DenseMatrix centre(static_cast<size_t>(k), d, 0.0);
  size_t used_rows = 0;
  for (size_t i = 0; i < n; ++i) {
    if (labels[i] < 0) continue;
    ++used_rows;
    counts[static_cast<size_t>(labels[i])] += 1;
    for (size_t j = 0; j < d; ++j) {
      mean[j] += x(i, j);
      centre(static_cast<size_t>(labels[i]), j) += x(i, j);
    }
  }
  const size_t used = static_cast<size_t>(
      std::count_if(counts.begin(), counts.end(), [](double c) { return c > 0; }));
  if (used < 2 || used >= used_rows) {
    Fail(ErrorCode::kInvalidArgument,
         "Calinski-Harabasz needs 2 to n − 1 clusters; got {} for {} rows", used, used_rows);
  }
  for (auto& v : mean) v /= static_cast<double>(used_rows);
  double between = 0, within = 0;
  for (size_t c = 0; c < static_cast<size_t>(k); ++c) {
    if (counts[c] == 0) continue;
    for (size_t j = 0; j < d; ++j) {
      centre(c, j) /= counts[c];
      between += counts[c] * (centre(c, j) - mean[j]) * (centre(c, j) - mean[j]);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (labels[i] >= 0)
      within += cluster_internal::SqDist(x.Row(i), centre.Row(static_cast<size_t>(labels[i])), d);
  }
  if (within == 0) return 1.0;  // sklearn's convention for perfectly tight clusters
  return between * static_cast<double>(used_rows - used) / (within * static_cast<double>(used - 1));
}

size_t KneeIndex(std::span<const double> x, std::span<const double> y) {
  const size_t m = std::min(x.size(), y.size());
  if (m < 3) return 0;
  const double x0 = x[0], x1 = x[m - 1];
  const double ylo = *std::min_element(y.begin(), y.begin() + static_cast<long>(m));
  const double yhi = *std::max_element(y.begin(), y.begin() + static_cast<long>(m));
  if (x1 == x0 || yhi == ylo) return 0;
  // Normalised curve; the chord joins its ends. The knee is the point farthest from the chord
  // (on either side, so decreasing-convex elbows and increasing-convex k-distance curves both
  // work).
  auto nx = [&](size_t i) { return (x[i] - x0) / (x1 - x0); };
  auto ny = [&](size_t i) { return (y[i] - ylo) / (yhi - ylo); };
  const double ya = ny(0), yb = ny(m - 1);
  size_t best = 0;
  double best_gap = 0;
  for (size_t i = 1; i + 1 < m; ++i) {
    const double chord = ya + (yb - ya) * nx(i);
    const double gap = std::abs(chord - ny(i));
    if (gap > best_gap) {
      best_gap = gap;
      best = i;
    }
  }
  return best;
}

double AdjustedRandIndex(std::span<const int32_t> a, std::span<const int32_t> b) {
  if (a.size() != b.size() || a.empty()) {
    Fail(ErrorCode::kInvalidArgument,
         "adjusted Rand index: needs two labelings of the same non-empty rows; got {} and {}",
         a.size(), b.size());
  }
  // Contingency table n_ij and its margins; "pairs" counts C(x, 2) in double (exact up to 2^53).
  auto pairs = [](double x) { return x * (x - 1) / 2; };
  auto key = [](int32_t i, int32_t j) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(i)) << 32) | static_cast<uint32_t>(j);
  };
  std::unordered_map<uint64_t, double> cells;
  std::unordered_map<int32_t, double> rows, cols;
  for (size_t r = 0; r < a.size(); ++r) {
    cells[key(a[r], b[r])] += 1;
    rows[a[r]] += 1;
    cols[b[r]] += 1;
  }
  const double n = static_cast<double>(a.size());
  // Identical partitions up to renumbering → 1, as sklearn (this also covers the degenerate cases
  // where the formula is 0/0: both one group, both all singletons, a single row).
  if (cells.size() == rows.size() && cells.size() == cols.size()) return 1.0;
  double index = 0, sum_rows = 0, sum_cols = 0;
  for (const auto& [k, v] : cells) index += pairs(v);
  for (const auto& [k, v] : rows) sum_rows += pairs(v);
  for (const auto& [k, v] : cols) sum_cols += pairs(v);
  const double expected = sum_rows * sum_cols / pairs(n);
  const double maximum = (sum_rows + sum_cols) / 2;
  if (maximum == expected) return 1.0;  // only when identical (returned above); a guard against 0/0
  return (index - expected) / (maximum - expected);
}

}  // namespace prospect
