// Shared helpers for the clustering tests: fixture loading, seeded blobs, label comparison.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "prospect/linalg/dense.hpp"
#include "support/json_fixture.hpp"

namespace prospect::cluster_test {

inline const nlohmann::json& Fixtures() {
  return testing::LoadJsonFixture("cluster/cluster_fixtures.json");
}

inline DenseMatrix MatrixFromJson(const nlohmann::json& rows) {
  const size_t n = rows.size(), d = rows[0].size();
  DenseMatrix m(n, d);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) m(i, j) = rows[i][j].get<double>();
  return m;
}

/// Well-separated Gaussian blobs: k centres 20 apart on a diagonal lattice, sd 1. truth[i] is the
/// blob.
inline DenseMatrix Blobs(size_t n, size_t d, size_t k, uint64_t seed, std::vector<int32_t>* truth) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  DenseMatrix m(n, d);
  if (truth) truth->resize(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = i % k;
    for (size_t j = 0; j < d; ++j)
      m(i, j) = 20.0 * static_cast<double>((c + j) % k == 0 ? c + 1 : c) + noise(rng);
    if (truth) (*truth)[i] = static_cast<int32_t>(c);
  }
  return m;
}

/// True when a and b give the same partition (labels equal up to renumbering; −1 must match −1).
inline bool SamePartition(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  if (a.size() != b.size()) return false;
  std::map<int32_t, int32_t> ab, ba;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] < 0) != (b[i] < 0)) return false;
    if (a[i] < 0) continue;
    auto [it1, new1] = ab.emplace(a[i], b[i]);
    auto [it2, new2] = ba.emplace(b[i], a[i]);
    if (it1->second != b[i] || it2->second != a[i]) return false;
  }
  return true;
}

}  // namespace prospect::cluster_test
