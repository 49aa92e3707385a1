// Stable segment ids across re-runs: match the clusters of a new fit to those of the previous one
// (Hungarian algorithm) and renumber, so "segment 3" means the same customers tomorrow.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "prospect/linalg/dense.hpp"

namespace prospect {

/// Minimum-cost assignment (Kuhn 1955, Munkres 1957; O(n³) with potentials) on a rows × cols
/// cost matrix (row-major). Returns for each row its column, or −1 when rows > cols and the row
/// is left out. Costs must be finite.
std::vector<int32_t> MinCostAssignment(std::span<const double> cost, size_t rows, size_t cols);

/// mapping[new id] = stable id. New centres are matched to old ones by least total squared
/// distance; unmatched new clusters (more clusters than before) get fresh ids after the largest
/// old id. Throws kInvalidArgument if the feature counts differ.
std::vector<int32_t> MatchCentres(const DenseMatrixView& old_centres,
                                  const DenseMatrixView& new_centres);

/// mapping[new id] = stable id, matching by the largest overlap of assignments of the same rows
/// (label −1 ignored). old_labels and new_labels must have the same length.
std::vector<int32_t> MatchByOverlap(std::span<const int32_t> old_labels,
                                    std::span<const int32_t> new_labels);

/// labels[i] = mapping[labels[i]] (−1 stays −1).
void Renumber(std::vector<int32_t>& labels, const std::vector<int32_t>& mapping);

}  // namespace prospect
