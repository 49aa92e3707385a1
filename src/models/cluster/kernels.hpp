// Private kernels shared by the clustering algorithms: fixed-size row chunks (so every reduction
// runs in the same order whatever the thread count), nearest-centre search, seeded uniforms.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "prospect/common/context.hpp"
#include "prospect/common/rng.hpp"
#include "prospect/io/model_file.hpp"
#include "prospect/linalg/dense.hpp"

namespace prospect::cluster_internal {

/// Rows per chunk. Partial sums are kept per chunk and added in chunk order, so results do not
/// depend on how chunks are spread over threads.
inline constexpr size_t kChunkRows = 4096;

inline size_t NumChunks(size_t n) { return (n + kChunkRows - 1) / kChunkRows; }

/// Calls f(chunk, begin, end) for every chunk, in parallel over ctx.threads(). f must not throw.
template <typename F>
void ForChunks(size_t n, const Context& ctx, F&& f) {
  const long chunks = static_cast<long>(NumChunks(n));
  // One chunk: no parallel region (its start-up costs more than the work, badly so on a busy
  // machine).
#pragma omp parallel for schedule(dynamic, 1) \
    num_threads(ctx.threads()) if (chunks > 1 && ctx.threads() > 1)
  for (long c = 0; c < chunks; ++c) {
    const size_t begin = static_cast<size_t>(c) * kChunkRows;
    const size_t end = std::min(n, begin + kChunkRows);
    f(static_cast<size_t>(c), begin, end);
  }
}

/// Squared distance, vectorised over d.
inline double SqDist(const double* a, const double* b, size_t d) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (size_t j = 0; j < d; ++j) {
    const double t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

/// For rows [0, rows) of x (row-major, d columns): the nearest of k centres (lowest id on ties)
/// and its squared distance. Compiled for AVX2 and baseline, picked at run time.
void NearestBlock(const double* x, size_t rows, const double* centres, size_t k, size_t d,
                  int32_t* labels, double* min_dist);

/// Squared distances of rows [0, rows) to m candidate points: out[r * m + c].
void DistancesBlock(const double* x, size_t rows, const double* cands, size_t m, size_t d,
                    double* out);

/// Uniform double in [0, 1) from 53 random bits (platform independent, unlike std distributions).
inline double Uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
/// Uniform integer in [0, n).
inline uint64_t UniformIndex(Rng& rng, uint64_t n) {
  return static_cast<uint64_t>(Uniform01(rng) * n) % n;
}

/// Mean over columns of the population variance (sklearn's tol scale).
double MeanVariance(const DenseMatrixView& x, const Context& ctx);

/// Chunk-ordered sum of values.
double DeterministicSum(const std::vector<double>& values, const Context& ctx);

/// k distinct row indices in [0, n), seeded (partial Fisher-Yates on a hash map-free vector for
/// small n, rejection for large n).
std::vector<size_t> SampleWithoutReplacement(size_t n, size_t k, Rng& rng);

/// A rows × cols float64 block of a model file, size-checked, every value finite.
/// k × d: the mean of the rows labelled c, per cluster c in [0, k) (rows labelled −1, noise, are
/// left out). Every cluster must have a member.
DenseMatrix MemberMeans(const DenseMatrixView& x, const std::vector<int32_t>& labels, int32_t k);

inline DenseMatrix ReadMatrixBlock(const ModelReader& reader, std::string_view name, size_t rows,
                                   size_t cols) {
  std::vector<double> v = reader.FiniteArray(name);
  if (v.size() != rows * cols) {
    Fail(ErrorCode::kInvalidData, "model file: block \"{}\" has {} values, expected {} × {}", name,
         v.size(), rows, cols);
  }
  return DenseMatrix(std::move(v), rows, cols);
}

inline void WriteMatrixBlock(ModelWriter& writer, std::string name, const DenseMatrix& m) {
  writer.AddArray<double>(std::move(name), std::span<const double>(m.values()));
}

}  // namespace prospect::cluster_internal
