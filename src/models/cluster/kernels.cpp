// Clustering kernels: nearest centre, block distances (multi-versioned for AVX2), sums, sampling.
#include "models/cluster/kernels.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_set>

namespace prospect::cluster_internal {

// Not under the sanitizers: their instrumented ifunc resolvers run before the runtime is set up.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define PROSPECT_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define PROSPECT_MULTIVERSION
#endif

PROSPECT_MULTIVERSION
void NearestBlock(const double* x, size_t rows, const double* centres, size_t k, size_t d,
                  int32_t* labels, double* min_dist) {
  for (size_t r = 0; r < rows; ++r) {
    const double* row = x + r * d;
    double best = std::numeric_limits<double>::infinity();
    int32_t best_j = 0;
    for (size_t j = 0; j < k; ++j) {
      const double s = SqDist(row, centres + j * d, d);  // inlined into each clone
      if (s < best) {
        best = s;
        best_j = static_cast<int32_t>(j);
      }
    }
    labels[r] = best_j;
    min_dist[r] = best;
  }
}

PROSPECT_MULTIVERSION
void DistancesBlock(const double* x, size_t rows, const double* cands, size_t m, size_t d,
                    double* out) {
  for (size_t r = 0; r < rows; ++r) {
    const double* row = x + r * d;
    for (size_t j = 0; j < m; ++j) {
      out[r * m + j] = SqDist(row, cands + j * d, d);
    }
  }
}

double MeanVariance(const DenseMatrixView& x, const Context& ctx) {
  const size_t n = x.rows(), d = x.cols();
  if (n == 0) return 0;
  const size_t chunks = NumChunks(n);
  std::vector<double> sums(chunks * d, 0.0);
  ForChunks(n, ctx, [&](size_t c, size_t b, size_t e) {
    double* s = &sums[c * d];
    for (size_t i = b; i < e; ++i)
      for (size_t j = 0; j < d; ++j) s[j] += x(i, j);
  });
  std::vector<double> mean(d, 0.0);
  for (size_t c = 0; c < chunks; ++c)
    for (size_t j = 0; j < d; ++j) mean[j] += sums[c * d + j];
  for (auto& m : mean) m /= static_cast<double>(n);
  std::fill(sums.begin(), sums.end(), 0.0);
  ForChunks(n, ctx, [&](size_t c, size_t b, size_t e) {
    double* s = &sums[c * d];
    for (size_t i = b; i < e; ++i)
      for (size_t j = 0; j < d; ++j) s[j] += (x(i, j) - mean[j]) * (x(i, j) - mean[j]);
  });
  double total = 0;
  for (double v : sums) total += v;
  return total / static_cast<double>(n) / static_cast<double>(d);
}

double DeterministicSum(const std::vector<double>& values, const Context& ctx) {
  const size_t chunks = NumChunks(values.size());
  std::vector<double> partial(chunks, 0.0);
  ForChunks(values.size(), ctx, [&](size_t c, size_t b, size_t e) {
    double s = 0;
    for (size_t i = b; i < e; ++i) s += values[i];
    partial[c] = s;
  });
  return std::accumulate(partial.begin(), partial.end(), 0.0);
}

std::vector<size_t> SampleWithoutReplacement(size_t n, size_t k, Rng& rng) {
  k = std::min(k, n);
  std::vector<size_t> out;
  out.reserve(k);
  if (k * 4 >= n) {
    std::vector<size_t> all(n);
    std::iota(all.begin(), all.end(), size_t{0});
    for (size_t i = 0; i < k; ++i) {
      const size_t j = i + UniformIndex(rng, n - i);
      std::swap(all[i], all[j]);
      out.push_back(all[i]);
    }
    return out;
  }
  std::unordered_set<size_t> seen;
  while (out.size() < k) {
    const size_t j = UniformIndex(rng, n);
    if (seen.insert(j).second) out.push_back(j);
  }
  return out;
}

DenseMatrix MemberMeans(const DenseMatrixView& x, const std::vector<int32_t>& labels, int32_t k) {
  const size_t d = x.cols();
  DenseMatrix means(static_cast<size_t>(k), d, 0.0);
  std::vector<double> counts(static_cast<size_t>(k), 0.0);
  for (size_t i = 0; i < x.rows(); ++i) {
    if (labels[i] < 0) continue;
    counts[static_cast<size_t>(labels[i])] += 1;
    for (size_t j = 0; j < d; ++j) means(static_cast<size_t>(labels[i]), j) += x(i, j);
  }
  for (size_t c = 0; c < counts.size(); ++c) {
    for (size_t j = 0; j < d; ++j) means(c, j) /= counts[c];
  }
  return means;
}

}  // namespace prospect::cluster_internal
