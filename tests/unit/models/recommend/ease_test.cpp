// EASE's two ways to B against the textbook one (G = XᵀX + λI inverted whole by Eigen, B_ij =
// -P_ij / P_jj): the tiled in-place inversion on the items' side (more users than items) and the
// inversion through the users (far fewer users than items), each over several tiles of 256 and a
// partial one, and each the same to the bit on one and two threads.
#include "prospect/models/recommend/ease.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <random>

namespace prospect {
namespace {

// users × items, each user about `per_user` distinct items, popular items more often, weights
// 1-5 (a rating).
CsrMatrix Ratings(size_t users, size_t items, size_t per_user, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<CsrMatrix::Triplet> entries;
  for (size_t u = 0; u < users; ++u) {
    for (size_t k = 0; k < per_user; ++k) {
      const size_t a = rng() % items, b = rng() % items;
      entries.push_back({u, std::min(a, b), static_cast<double>(1 + rng() % 5)});
    }
  }
  return CsrMatrix::FromTriplets(users, items, entries);
}

std::vector<double> TextbookWeights(const CsrMatrix& x, double lambda) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const DenseMatrix values = x.ToDense();
  const auto n = static_cast<Eigen::Index>(x.cols());
  const Eigen::MatrixXd dense =
      Eigen::Map<const RowMajor>(values.data(), static_cast<Eigen::Index>(x.rows()), n);
  Eigen::MatrixXd g = dense.transpose() * dense;
  g.diagonal().array() += lambda;
  const Eigen::MatrixXd p = g.llt().solve(Eigen::MatrixXd::Identity(n, n));
  std::vector<double> b(static_cast<size_t>(n * n), 0.0);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      if (i != j) b[static_cast<size_t>(i * n + j)] = -p(i, j) / p(j, j);
    }
  }
  return b;
}

void ExpectTextbookWeights(const CsrMatrix& x) {
  const double lambda = 50;
  Ease one(nlohmann::json{{"lambda", lambda}});
  one.Fit(x, Context(1));
  const std::vector<double> expected = TextbookWeights(x, lambda);
  const std::vector<float>& b = one.weights();
  ASSERT_EQ(b.size(), expected.size());
  double worst = 0;
  for (size_t k = 0; k < b.size(); ++k) worst = std::max(worst, std::abs(b[k] - expected[k]));
  EXPECT_LT(worst, 1e-6);
  Ease two(nlohmann::json{{"lambda", lambda}});
  two.Fit(x, Context(2));
  EXPECT_TRUE(two.weights() == b);
}

TEST(Ease, ItemsSideMatchesTheTextbookInverseOverSeveralTiles) {
  ExpectTextbookWeights(Ratings(3000, 600, 12, 1));  // 600 items: tiles of 256, 256 and 88
}

TEST(Ease, UsersSideMatchesTheTextbookInverseOverSeveralTiles) {
  ExpectTextbookWeights(Ratings(520, 1500, 8, 2));  // 520 users: tiles of 256, 256 and 8
}

}  // namespace
}  // namespace prospect
