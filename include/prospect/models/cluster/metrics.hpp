// Cluster-quality measures used to choose k: silhouette (optionally on a sample),
// Calinski-Harabasz, and the knee of a curve (elbow method, eps suggestion for DBSCAN); and the
// adjusted Rand index for comparing a clustering with known segments.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/linalg/dense.hpp"

namespace prospect {

/// Mean silhouette (Rousseeuw 1987) with Euclidean distance, as sklearn's silhouette_score.
/// sample_size > 0 and < n: computed on that many rows drawn without replacement with `seed`.
/// Noise labels (−1) are left out. Needs 2 ≤ clusters ≤ rows − 1, else kInvalidArgument.
double SilhouetteScore(const DenseMatrixView& x, std::span<const int32_t> labels,
                       int64_t sample_size, uint64_t seed, const Context& ctx);

/// Calinski-Harabasz index: (between-cluster dispersion / (k − 1)) / (within / (n − k)).
double CalinskiHarabaszScore(const DenseMatrixView& x, std::span<const int32_t> labels,
                             const Context& ctx);

/// Adjusted Rand index (Hubert & Arabie 1985) between two labelings of the same rows, as
/// sklearn's adjusted_rand_score: 1 for identical partitions (up to renumbering), about 0 for
/// random ones, can be negative. Every label value (including −1, e.g. DBSCAN noise) is a group
/// of its own. Two partitions that are both a single group, or both all singletons, give 1.
/// Throws kInvalidArgument when the lengths differ or are 0.
double AdjustedRandIndex(std::span<const int32_t> a, std::span<const int32_t> b);

/// Knee of a monotone curve y(x) by the Kneedle rule (Satopää et al. 2011): after scaling both
/// axes to [0, 1], the point farthest from the straight line joining the first and last points.
/// Returns its index (0 if fewer than 3 points or the curve is a straight line).
size_t KneeIndex(std::span<const double> x, std::span<const double> y);

}  // namespace prospect
