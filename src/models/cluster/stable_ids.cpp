// Hungarian assignment and segment-id matching across re-runs.
#include "prospect/models/cluster/stable_ids.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "prospect/common/error.hpp"

namespace prospect {

std::vector<int32_t> MinCostAssignment(std::span<const double> cost, size_t rows, size_t cols) {
  if (cost.size() != rows * cols) {
    Fail(ErrorCode::kInvalidArgument, "assignment: {} costs for a {} × {} matrix", cost.size(),
         rows, cols);
  }
  for (double c : cost) {
    if (!std::isfinite(c)) Fail(ErrorCode::kInvalidArgument, "assignment: costs must be finite");
  }
  if (rows == 0 || cols == 0) return std::vector<int32_t>(rows, -1);
  if (rows > cols) {
    // Solve the transpose (every column gets a row), then invert.
    std::vector<double> t(cols * rows);
    for (size_t i = 0; i < rows; ++i)
      for (size_t j = 0; j < cols; ++j) t[j * rows + i] = cost[i * cols + j];
    const auto col_to_row = MinCostAssignment(t, cols, rows);
    std::vector<int32_t> out(rows, -1);
    for (size_t j = 0; j < cols; ++j)
      out[static_cast<size_t>(col_to_row[j])] = static_cast<int32_t>(j);
    return out;
  }
  // Shortest augmenting paths with potentials (rows ≤ cols), 1-based as in the classic form.
  const size_t n = rows, m = cols;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0), v(m + 1, 0.0);
  std::vector<size_t> p(m + 1, 0), way(m + 1, 0);
  for (size_t i = 1; i <= n; ++i) {
    p[0] = i;
    size_t j0 = 0;
    std::vector<double> minv(m + 1, inf);
    std::vector<char> used(m + 1, 0);
    do {
      used[j0] = 1;
      const size_t i0 = p[j0];
      double delta = inf;
      size_t j1 = 0;
      for (size_t j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double cur = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (size_t j = 0; j <= m; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const size_t j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int32_t> out(n, -1);
  for (size_t j = 1; j <= m; ++j) {
    if (p[j] != 0) out[p[j] - 1] = static_cast<int32_t>(j - 1);
  }
  return out;
}

namespace {
std::vector<int32_t> FillUnmatched(std::vector<int32_t> mapping, int32_t first_fresh) {
  int32_t next = first_fresh;
  for (auto& m : mapping) {
    if (m < 0) m = next++;
  }
  return mapping;
}
}  // namespace

std::vector<int32_t> MatchCentres(const DenseMatrixView& old_centres,
                                  const DenseMatrixView& new_centres) {
  if (old_centres.rows() > 0 && new_centres.rows() > 0 &&
      old_centres.cols() != new_centres.cols()) {
    Fail(ErrorCode::kInvalidArgument,
         "cannot match segments: the previous run clustered {} features, this one {}; ids cannot "
         "be kept stable",
         old_centres.cols(), new_centres.cols());
  }
  const size_t kn = new_centres.rows(), ko = old_centres.rows();
  std::vector<double> cost(kn * ko);
  for (size_t a = 0; a < kn; ++a) {
    for (size_t b = 0; b < ko; ++b) {
      cost[a * ko + b] =
          SquaredDistance(new_centres.Row(a), old_centres.Row(b), new_centres.cols());
    }
  }
  return FillUnmatched(MinCostAssignment(cost, kn, ko), static_cast<int32_t>(ko));
}

std::vector<int32_t> MatchByOverlap(std::span<const int32_t> old_labels,
                                    std::span<const int32_t> new_labels) {
  if (old_labels.size() != new_labels.size()) {
    Fail(ErrorCode::kInvalidArgument, "cannot match segments by overlap: {} old labels but {} new",
         old_labels.size(), new_labels.size());
  }
  int32_t ko = 0, kn = 0;
  for (int32_t l : old_labels) ko = std::max(ko, l + 1);
  for (int32_t l : new_labels) kn = std::max(kn, l + 1);
  std::vector<double> cost(static_cast<size_t>(kn) * static_cast<size_t>(ko), 0.0);
  for (size_t i = 0; i < old_labels.size(); ++i) {
    if (old_labels[i] < 0 || new_labels[i] < 0) continue;
    cost[static_cast<size_t>(new_labels[i]) * static_cast<size_t>(ko) +
         static_cast<size_t>(old_labels[i])] -= 1.0;
  }
  auto mapping = MinCostAssignment(cost, static_cast<size_t>(kn), static_cast<size_t>(ko));
  // A new cluster that shares no rows with its match is not really the same segment.
  for (size_t a = 0; a < mapping.size(); ++a) {
    if (mapping[a] >= 0 && cost[a * static_cast<size_t>(ko) + static_cast<size_t>(mapping[a])] == 0)
      mapping[a] = -1;
  }
  return FillUnmatched(std::move(mapping), ko);
}

void Renumber(std::vector<int32_t>& labels, const std::vector<int32_t>& mapping) {
  for (auto& l : labels) {
    if (l < 0) continue;
    if (static_cast<size_t>(l) >= mapping.size()) {
      Fail(ErrorCode::kInvalidArgument, "renumber: label {} has no entry in a mapping of {} ids", l,
           mapping.size());
    }
    l = mapping[static_cast<size_t>(l)];
  }
}

}  // namespace prospect
